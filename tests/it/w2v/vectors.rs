//! Saving and loading the word2vec text format, errors with line numbers,
//! neighbours, analogies, and the 2-D PCA.

use llm_lens::model::numerics::rng::SplitMix64;
use llm_lens::model::word2vec::{Embeddings, VectorsError, pca_2d};

fn load(text: &str) -> Result<Embeddings, VectorsError> {
    Embeddings::read_text(text.as_bytes(), text.len() as u64, &mut |_| true)
}

fn malformed_line(text: &str) -> usize {
    match load(text) {
        Err(VectorsError::Malformed { line, .. }) => line,
        other => panic!("expected a malformed-line error, got {other:?}"),
    }
}

#[test]
fn save_then_load_gives_the_same_vectors() {
    let mut rng = SplitMix64::new(9);
    let words: Vec<String> = ["the", "nation's", "oil", "école", "1790"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let dim = 7;
    let data: Vec<f32> = (0..words.len() * dim)
        .map(|_| (rng.next_f32() - 0.5) * 1e3 / (1.0 + rng.next_f32() * 1e4))
        .collect();
    let e = Embeddings::new(words, dim, data).unwrap();
    let dir = std::env::temp_dir().join(format!("llm-lens-w2v-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("vectors.txt");
    e.save_text(&path).unwrap();
    let mut fractions = Vec::new();
    let back = Embeddings::load_text(&path, &mut |f| {
        fractions.push(f);
        true
    })
    .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(back, e); // bit-exact floats, same order
    assert_eq!(fractions.last(), Some(&1.0));
    assert!(fractions.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn glove_files_without_header_load() {
    let e = load("king 1 0\nqueen 0.9 0.1\n").unwrap();
    assert_eq!((e.len(), e.dim()), (2, 2));
}

#[test]
fn malformed_files_are_errors_with_line_numbers() {
    // Too few numbers on line 3.
    assert_eq!(malformed_line("2 3\na 1 2 3\nb 1 2\n"), 3);
    // Not a number on line 2.
    assert_eq!(malformed_line("2 2\na 1 x\nb 1 2\n"), 2);
    // NaN is not accepted either.
    assert_eq!(malformed_line("1 2\na NaN 1\n"), 2);
    // Headerless: the first vector sets the dimension.
    assert_eq!(malformed_line("a 1 2\nb 1 2\nc 1\n"), 3);
    // Duplicate word.
    assert_eq!(malformed_line("a 1 2\nb 1 2\na 3 4\n"), 3);
    // Header promises more than the file has.
    assert_eq!(malformed_line("3 2\na 1 2\nb 1 2\n"), 3);
    // ... or fewer.
    assert_eq!(malformed_line("1 2\na 1 2\nb 1 2\n"), 3);
    // A word with no numbers.
    assert_eq!(malformed_line("word\n"), 1);
    // Absurd dimension in the header.
    assert_eq!(malformed_line("1 999999999\na 1\n"), 1);
    assert!(matches!(load(""), Err(VectorsError::Empty)));
    assert!(matches!(load("0 5\n"), Err(VectorsError::Empty)));
    // Not UTF-8.
    let bytes = b"2 1\na 1\n\xff 2\n";
    let err = Embeddings::read_text(&bytes[..], 10, &mut |_| true).unwrap_err();
    assert!(matches!(err, VectorsError::Read { line: 3, .. }), "{err}");
    // Missing file: the message names it.
    let err = Embeddings::load_text("/nonexistent/vectors.txt", &mut |_| true).unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent/vectors.txt"),
        "{err}"
    );
}

#[test]
fn loading_can_be_cancelled_from_the_progress_callback() {
    let err = Embeddings::read_text(&b"a 1 2\n"[..], 6, &mut |_| false).unwrap_err();
    assert!(matches!(err, VectorsError::Cancelled));
}

fn toy() -> Embeddings {
    // king − man + woman lands on queen by construction: axis 0 = royalty,
    // axis 1 = gender, axis 2 = fruitiness.
    let text = "6 3\n\
        king 1 1 0\nqueen 1 -1 0\nman 0 1 0.1\nwoman 0 -1 0.1\n\
        apple 0 0 1\npear 0.1 0 1\n";
    load(text).unwrap()
}

#[test]
fn neighbours_similarity_and_analogy() {
    let e = toy();
    let n = e.nearest("apple", 2).unwrap();
    assert_eq!(n[0].word, "pear");
    assert!(n[0].similarity > 0.99 && n[0].similarity >= n[1].similarity);
    assert!(e.similarity("king", "queen").unwrap() < e.similarity("apple", "pear").unwrap());
    assert_eq!(e.similarity("king", "nope"), None);
    let a = e.analogy("king", "man", "woman", 1).unwrap();
    assert_eq!(a[0].word, "queen");
    assert!(matches!(
        e.nearest("nope", 3),
        Err(VectorsError::UnknownWord { .. })
    ));
    assert_eq!(e.nearest("king", 100).unwrap().len(), 5);
}

#[test]
fn pca_finds_the_main_directions_and_keeps_its_orientation() {
    // 300 points spread 10× more along (1, 1, 0)/√2 than along (0, 0, 1),
    // almost none along (1, −1, 0)/√2.
    let mut rng = SplitMix64::new(5);
    let mut data = Vec::new();
    for _ in 0..300 {
        let (a, b, c) = (
            (rng.next_f32() - 0.5) * 10.0,
            (rng.next_f32() - 0.5),
            (rng.next_f32() - 0.5) * 0.01,
        );
        let s = std::f32::consts::FRAC_1_SQRT_2;
        data.extend([a * s + c * s, a * s - c * s, b]);
    }
    let p = pca_2d(&data, 300, 3, None);
    let s = std::f32::consts::FRAC_1_SQRT_2;
    assert!((p.axes[0][0].abs() - s).abs() < 1e-3 && (p.axes[0][1].abs() - s).abs() < 1e-3);
    assert!(p.axes[1][2].abs() > 0.999);
    assert!(p.explained[0] > 0.95 && p.explained[1] > 0.005 && p.explained[1] < 0.05);
    // Flipping the reference axis flips the result to match it.
    let mut flipped = p.clone();
    flipped.axes[0].iter_mut().for_each(|x| *x = -*x);
    let q = pca_2d(&data, 300, 3, Some(&flipped));
    assert_eq!(q.axes[0], flipped.axes[0]);
    assert!((q.points[0][0] + p.points[0][0]).abs() < 1e-4);
}
