//! CPU forward pass with the full Trace recorded, single-threaded
//! (matrixmultiply runs on one thread unless its `threading` feature is on).
//!
//! `cargo bench --bench forward`; compare with `benches/torch_forward.py`.
//! MiniLM cases run when the fixture is present (see tests/fixtures/fetch_minilm.sh).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use llm_lens::model::bert::config::BertConfig;
use llm_lens::model::bert::model_dir::Model;
use llm_lens::model::bert::weights::BertWeights;
use llm_lens::model::bert::{ForwardOptions, forward};
use llm_lens::model::tokenize::ModelInput;

/// `[CLS] w… [SEP]` with deterministic ids below 30,000.
fn input(n: usize) -> ModelInput {
    let ids: Vec<u32> = (0..n)
        .map(|i| match i {
            0 => 101,
            i if i == n - 1 => 102,
            i => 1000 + (i as u32 * 7919) % 29_000,
        })
        .collect();
    ModelInput::from_ids(ids)
}

fn minilm_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("LLM_LENS_MINILM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/minilm"));
    dir.join("model.safetensors").is_file().then_some(dir)
}

fn bench(c: &mut Criterion) {
    // As the app's main does.
    llm_lens::alloc_tuning::keep_freed_memory();
    let opts = ForwardOptions::default();
    let with_mlm = BertWeights::random(&BertConfig::tiny(), 42).expect("tiny config is valid");
    // Without the MLM head: the same work as PyTorch's BertModel.
    let encoder_only = BertWeights {
        mlm: None,
        ..with_mlm.clone()
    };
    let enc = input(64);
    c.bench_function("tiny_L4_H128_A4_seq64", |b| {
        b.iter(|| forward(&encoder_only, black_box(&enc), &opts).expect("forward"))
    });
    // The MLM head adds a (64 × 128)·(128 × 30522) product and the top-k.
    c.bench_function("tiny_L4_H128_A4_seq64_with_mlm_head", |b| {
        b.iter(|| forward(&with_mlm, black_box(&enc), &opts).expect("forward"))
    });
    match minilm_dir().map(|d| Model::load(&d)) {
        Some(Ok(model)) => {
            for n in [32, 128] {
                let enc = input(n);
                c.bench_function(&format!("minilm_L6_H384_seq{n}"), |b| {
                    b.iter(|| forward(&model.weights, black_box(&enc), &opts).expect("forward"))
                });
            }
        }
        Some(Err(e)) => eprintln!("MiniLM benchmarks skipped: {e}"),
        None => eprintln!(
            "MiniLM benchmarks skipped: fixture not found (run tests/fixtures/fetch_minilm.sh)"
        ),
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
