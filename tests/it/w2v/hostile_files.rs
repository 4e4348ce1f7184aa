//! Vectors files a hostile user could pick: streams without newlines, devices, huge
//! one-line files, huge words, byte-order marks, negative counts, huge values. Each
//! gives a short error (or loads), never a crash or a message as long as the input.

use llm_lens::model::word2vec::{Embeddings, VectorsError};

fn load(text: &[u8]) -> Result<Embeddings, VectorsError> {
    Embeddings::read_text(text, text.len() as u64, &mut |_| true)
}

/// Error lines must stay readable, whatever the input.
fn short(err: &VectorsError) -> String {
    let s = err.to_string();
    assert!(
        s.len() <= 300,
        "message of {} bytes: {}…",
        s.len(),
        &s[..300]
    );
    s
}

#[test]
fn a_stream_without_newlines_is_refused_at_the_line_limit() {
    // Before: read_line buffered the whole endless stream and the process aborted.
    let endless = std::io::Read::take(std::io::repeat(b'x'), 64 << 20);
    let err = Embeddings::read_text(endless, 0, &mut |_| true).unwrap_err();
    let msg = short(&err);
    assert!(msg.contains("line 1") && msg.contains("4 MiB"), "{msg}");
}

#[test]
fn devices_and_folders_are_refused_without_reading() {
    let err = Embeddings::load_text("/dev/zero", &mut |_| true).unwrap_err();
    let msg = short(&err);
    assert!(msg.contains("/dev/zero") && msg.contains("device"), "{msg}");
    let err = Embeddings::load_text("/", &mut |_| true).unwrap_err();
    assert!(short(&err).contains("folder"));
}

#[test]
fn a_huge_word_is_quoted_short() {
    // Before: the message quoted the whole 2 MB word.
    let mut text = vec![b'x'; 2 << 20];
    text.extend_from_slice(b" 1 oops\n");
    let msg = short(&load(&text).unwrap_err());
    assert!(msg.contains("…"), "{msg}");
    let mut text = vec![b'y'; 2 << 20];
    text.push(b'\n');
    assert!(short(&load(&text).unwrap_err()).contains("the limit is 1024"));
    // A huge word with valid numbers is refused too: every neighbour list would carry it.
    let mut text = vec![b'w'; 2 << 20];
    text.extend_from_slice(b" 1 2\n");
    assert!(short(&load(&text).unwrap_err()).contains("the limit is 1024"));
    let err = load(b"a 1 2\n").unwrap().nearest(&"z".repeat(1 << 20), 3);
    short(&err.unwrap_err());
}

#[test]
fn a_byte_order_mark_before_the_header_is_skipped() {
    let e = load("\u{feff}2 2\na 1 2\nb 3 4\n".as_bytes()).unwrap();
    assert_eq!((e.len(), e.dim()), (2, 2));
    assert_eq!(e.words(), ["a", "b"]);
}

#[test]
fn a_negative_count_in_the_header_is_an_error_not_a_word() {
    let msg = short(&load(b"-3 2\na 1 2\n").unwrap_err());
    assert!(
        msg.starts_with("line 1:") && msg.contains("negative"),
        "{msg}"
    );
}

#[test]
fn huge_finite_values_are_refused_instead_of_giving_nan_similarities() {
    let msg = short(&load(b"a 1e30 1e30\nb 1e30 2e30\n").unwrap_err());
    assert!(msg.contains("range"), "{msg}");
    // Large but sane values still give finite similarities.
    let e = load(b"a 1e15 1e15\nb 1e15 -1e15\n").unwrap();
    assert!(e.similarity("a", "b").unwrap().is_finite());
}
