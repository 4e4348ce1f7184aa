//! Unigram: training shrinks to the target size, Viterbi covers the input, the top-k
//! segmentations are ordered with probabilities that sum to at most 1.

use llm_lens::cli::tokenize::SAMPLE;
use llm_lens::model::tokenize::unigram::{UnigramConfig, train};

fn config(vocab_size: usize) -> UnigramConfig {
    UnigramConfig {
        vocab_size,
        ..UnigramConfig::default()
    }
}

#[test]
fn trains_to_size_and_encodes() {
    let corpus = SAMPLE.repeat(2);
    let model = train(&corpus, &config(120));
    assert!(model.vocab_size() <= 120, "{}", model.vocab_size());
    assert!(model.pieces().iter().any(|p| p.0.chars().count() > 2));
    let text = "the United States Congress ✨";
    let enc = model.encode(text);
    let mut at = 0;
    for &(s, e) in &enc.offsets {
        assert!(s >= at && e > s);
        at = e;
    }
    assert_eq!(
        enc.tokens_display().last().map(String::as_str),
        Some("[UNK]")
    );
    // Deterministic.
    assert_eq!(train(&corpus, &config(120)), model);
}

#[test]
fn top_k_ordered_probabilities() {
    let model = train(SAMPLE, &config(100));
    let top = model.top_k("establish", 5);
    assert!(!top.is_empty());
    assert!(top.windows(2).all(|w| w[0].log_prob >= w[1].log_prob));
    let sum: f64 = top.iter().map(|s| s.prob).sum();
    assert!(sum <= 1.0 + 1e-9 && sum > 0.0);
    for s in &top {
        assert_eq!(s.pieces.concat(), "establish");
    }
    // The best of top-k is the Viterbi segmentation.
    assert_eq!(model.encode("establish").tokens_display(), top[0].pieces);
}

#[test]
fn no_panics_on_any_unicode() {
    let model = train(SAMPLE, &config(100));
    let mut x: u64 = 3;
    for _ in 0..300 {
        let raw: Vec<u8> = (0..(x % 50))
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (x >> 33) as u8
            })
            .collect();
        let text = String::from_utf8_lossy(&raw).into_owned();
        model.encode(&text);
        model.top_k(&text, 3);
        train(&text, &config(20));
    }
    train("", &config(20));
}
