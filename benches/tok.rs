//! cl100k encoding throughput, ours vs `tiktoken-rs` on the same text; WordPiece encoding
//! (bert-base-uncased's vocabulary), ours vs HF `tokenizers`; and BPE training time to a
//! vocabulary of 8000.
//!
//! Text: the file named by `TOK_BENCH_CORPUS`, else the shipped State of the Union corpus.

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
        .unwrap_or_else(|| {
            llm_lens::model::text::corpus::Corpus::builtin()
                .documents()
                .iter()
                .map(|d| d.text.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
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
    let load = |b: Result<&'static TiktokenBpe, _>| match b {
        Ok(b) => b,
        Err(e) => panic!("rank file: {e}"),
    };
    for (name, ours, theirs) in [
        (
            "r50k",
            load(TiktokenBpe::r50k()),
            tiktoken_rs::r50k_base_singleton(),
        ),
        ("cl100k", ours, theirs),
        (
            "o200k",
            load(TiktokenBpe::o200k()),
            tiktoken_rs::o200k_base_singleton(),
        ),
    ] {
        interleaved(name, text, ours, theirs);
    }
}

/// This machine's speed drifts by ±40 % within seconds, more than the difference
/// being measured: alternate ours and tiktoken-rs, one pass each (after checking
/// the ids are identical), and print the median ratio of 21 such pairs.
fn interleaved(name: &str, text: &str, ours: &TiktokenBpe, theirs: &tiktoken_rs::CoreBPE) {
    assert_eq!(
        ours.encode_ids(text, false).ok(),
        Some(theirs.encode_ordinary(text)),
        "{name}: ids differ"
    );
    let mut ratios: Vec<f64> = (0..21)
        .map(|_| {
            let t = std::time::Instant::now();
            black_box(ours.encode_ids(black_box(text), false).ok());
            let mine = t.elapsed().as_secs_f64();
            let t = std::time::Instant::now();
            black_box(theirs.encode_ordinary(black_box(text)));
            t.elapsed().as_secs_f64() / mine
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    println!(
        "{name}_encode interleaved: ours is {:.2}× tiktoken-rs's speed (median of 21 alternating passes; quartiles {:.2}–{:.2})",
        ratios[10], ratios[5], ratios[15]
    );
}

/// WordPiece with bert-base-uncased's vocabulary (the MiniLM fixture), ours against HF
/// tokenizers on the same 1 MB; skipped when the fixture is missing.
fn wordpiece_encode(c: &mut Criterion) {
    // As the app's main does: freed memory stays in the process between encodes.
    llm_lens::alloc_tuning::keep_freed_memory();
    let dir = std::env::var_os("LLM_LENS_MINILM_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(".cache/minilm"));
    let (Ok(ours), Ok(mut theirs)) = (
        llm_lens::model::tokenize::WordPiece::from_vocab_file(&dir.join("vocab.txt")),
        tokenizers::Tokenizer::from_file(dir.join("tokenizer.json")),
    ) else {
        eprintln!(
            "wordpiece_encode: no fixture in {} (run tests/fixtures/fetch_minilm.sh)",
            dir.display()
        );
        return;
    };
    if theirs.with_truncation(None).is_err() {
        eprintln!("wordpiece_encode: cannot switch off truncation");
        return;
    }
    let _ = theirs.with_padding(None);
    let full = corpus();
    let text = prefix(&full, 1_000_000);
    let check = prefix(text, 100_000);
    let theirs_ids = theirs
        .encode(check, true)
        .map(|e| e.get_ids().to_vec())
        .ok();
    assert_eq!(Some(ours.encode(check).ids), theirs_ids, "the ids differ");
    let mut g = c.benchmark_group("wordpiece_encode");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(10);
    g.bench_function("ours", |b| b.iter(|| ours.encode(black_box(text))));
    g.bench_function("hf-tokenizers", |b| {
        b.iter(|| theirs.encode(black_box(text), true))
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

criterion_group!(benches, encode, wordpiece_encode, train_8000);
criterion_main!(benches);
