//! `llm-lens bench`: times the transformer's forward pass, the trace at the level
//! `--detail` asks read back, after a warm-up, and prints the median and p95 with the
//! bytes a GPU pass copies back at each level; `--profile` times each kernel kind on the
//! GPU. Inputs are `[CLS]`, random ids, `[SEP]` (fixed seed), so the numbers depend
//! only on the model's shape and the backend.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::bench_matmul::Shape;
use super::bench_profile;
use crate::compute::{BackendChoice, BackendStatus, Compute, Ran};
use crate::gpu::readback::readback_bytes;
use crate::model::bert::builtin_model;
use crate::model::bert::config::BertConfig;
use crate::model::bert::model_dir::Model;
use crate::model::bert::weights::BertWeights;
use crate::model::bert::{ForwardOptions, TraceDetail, forward};
use crate::model::numerics::rng::SplitMix64;
use crate::model::tokenize::ModelInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchBackend {
    Cpu,
    Gpu,
}

/// `--detail`: the trace levels as the command line spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DetailArg {
    Full,
    HiddenAndAttention,
    Predictions,
}

impl From<DetailArg> for TraceDetail {
    fn from(d: DetailArg) -> Self {
        match d {
            DetailArg::Full => Self::Full,
            DetailArg::HiddenAndAttention => Self::HiddenAndAttention,
            DetailArg::Predictions => Self::Predictions,
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// builtin (the shipped trained model), tiny (random, same shape), minilm (the
    /// folder in LLM_LENS_MINILM_DIR or .cache/minilm), bert-base-shape (random weights,
    /// 12 layers, hidden 768), or a model folder path.
    #[arg(long, default_value = "builtin")]
    pub model: String,
    /// Sequence length in tokens, [CLS] and [SEP] included.
    #[arg(long, default_value_t = 32)]
    pub seq: usize,
    /// Timed forward passes.
    #[arg(long, default_value_t = 50)]
    pub runs: usize,
    /// Untimed forward passes first.
    #[arg(long, default_value_t = 5)]
    pub warmup: usize,
    #[arg(long, value_enum, default_value_t = BenchBackend::Cpu)]
    pub backend: BenchBackend,
    /// Print one JSON object instead of a line of text.
    #[arg(long)]
    pub json: bool,
    /// The trace read back each pass: full (every intermediate), hidden-and-attention
    /// (what Hugging Face returns with hidden states and attentions), predictions (the
    /// last hidden state and the MLM guesses).
    #[arg(long, value_enum, default_value_t = DetailArg::Full)]
    pub detail: DetailArg,
    /// With `--backend gpu`: also time each kernel kind over the pass (timestamp
    /// queries, where the adapter has them) and the readback.
    #[arg(long)]
    pub profile: bool,
    /// Instead of the forward pass, time the GPU matmul kernels on (M×K)·(N×K)ᵀ, every
    /// tiling, and print their throughput in GFLOP/s (kernel only, `--runs` dispatches
    /// in one submission). N alone is N×N×N.
    #[arg(long, value_name = "N|MxKxN")]
    pub matmul: Option<String>,
}

fn load(name: &str) -> Result<(String, BertWeights), String> {
    let random = |config: BertConfig, label: &str| {
        BertWeights::random(&config, 2026)
            .map(|w| (label.to_owned(), w))
            .map_err(|e| e.to_string())
    };
    match name {
        "builtin" => builtin_model::load()
            .map(|m| ("built-in BERT".to_owned(), m.weights))
            .map_err(|e| e.to_string()),
        "tiny" => random(BertConfig::tiny(), "tiny (random weights)"),
        "bert-base-shape" => random(
            BertConfig {
                hidden_size: 768,
                num_hidden_layers: 12,
                num_attention_heads: 12,
                intermediate_size: 3072,
                ..BertConfig::tiny()
            },
            "BERT-base shape (random weights)",
        ),
        other => {
            let dir = if other == "minilm" {
                std::env::var_os("LLM_LENS_MINILM_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| PathBuf::from(".cache/minilm"))
            } else {
                PathBuf::from(other)
            };
            let m = Model::load(&dir).map_err(|e| {
                if other == "minilm" {
                    format!(
                        "{e} (--model minilm reads the folder in LLM_LENS_MINILM_DIR, else .cache/minilm; tests/fixtures/fetch_minilm.sh fetches it)"
                    )
                } else {
                    e.to_string()
                }
            })?;
            Ok((dir.display().to_string(), m.weights))
        }
    }
}

/// `[CLS]`, `seq − 2` random ids, `[SEP]`.
pub fn synthetic_input(seq: usize, vocab: usize) -> ModelInput {
    let mut rng = SplitMix64::new(7);
    let span = (vocab as u32).saturating_sub(1000).max(1);
    let mut ids = vec![101u32.min(vocab as u32 - 1)];
    for _ in 0..seq.saturating_sub(2) {
        ids.push((1000 + rng.below_u32(span)).min(vocab as u32 - 1));
    }
    ids.push(102u32.min(vocab as u32 - 1));
    ModelInput::from_ids(ids)
}

pub fn run(args: &BenchArgs) -> Result<(), String> {
    if let Some(shape) = &args.matmul {
        let shape: Shape = shape.parse()?;
        return super::bench_matmul::run(shape, args.runs, args.json);
    }
    if args.profile && args.backend != BenchBackend::Gpu {
        return Err("--profile times GPU kernels: add --backend gpu".to_owned());
    }
    if args.seq < 2 || args.runs == 0 {
        return Err("--seq must be at least 2 and --runs at least 1".to_owned());
    }
    let (name, weights) = load(&args.model)?;
    if args.seq > weights.config.max_position_embeddings {
        return Err(format!(
            "--seq {} is longer than this model's {} positions",
            args.seq, weights.config.max_position_embeddings
        ));
    }
    let input = synthetic_input(args.seq, weights.config.vocab_size);
    let detail = TraceDetail::from(args.detail);
    let opts = ForwardOptions {
        detail,
        ..ForwardOptions::default()
    };
    let has_mlm = weights.mlm.is_some();
    let readback: Vec<(TraceDetail, u64)> = TraceDetail::ALL
        .into_iter()
        .map(|d| {
            let bytes = readback_bytes(
                &weights.config,
                args.seq,
                opts.top_k,
                has_mlm,
                d,
                &opts.ablation,
            );
            (d, bytes)
        })
        .collect();
    let weights = Arc::new(weights);
    // The CPU runs `forward` directly; the GPU goes through the engine as the app does
    // (weights uploaded once, in the warm-up), and must not fall back.
    let (backend, adapter, engine) = match args.backend {
        BenchBackend::Cpu => ("cpu", None, None),
        BenchBackend::Gpu => {
            let compute = Compute::blocking(BackendChoice::Gpu);
            match compute.status() {
                BackendStatus::Gpu { adapter } => {
                    ("gpu", Some(adapter.clone()), Some(compute.engine()))
                }
                other => return Err(format!("no GPU to benchmark: {}", other.label())),
            }
        }
    };
    let once = || -> Result<(), String> {
        match &engine {
            None => {
                let trace = forward(&weights, &input, &opts).map_err(|e| e.to_string())?;
                std::hint::black_box(trace);
            }
            Some(engine) => {
                let done = engine
                    .forward(&weights, &input, &opts)
                    .map_err(|e| e.to_string())?;
                if done.ran != Ran::Gpu {
                    return Err(done
                        .note
                        .unwrap_or_else(|| "the GPU did not run the pass".to_owned()));
                }
                std::hint::black_box(done);
            }
        }
        Ok(())
    };
    for _ in 0..args.warmup {
        once()?;
    }
    let mut ms = Vec::with_capacity(args.runs);
    for _ in 0..args.runs {
        let t = Instant::now();
        once()?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    let (median, p95) = (at(0.5), at(0.95));
    let profile = match &engine {
        Some(engine) if args.profile => Some(
            (0..args.runs)
                .map(|_| engine.profile(&weights, &input, &opts))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        _ => None,
    };
    if args.json {
        let levels: serde_json::Map<String, serde_json::Value> = readback
            .iter()
            .map(|(d, b)| (d.name().to_owned(), (*b).into()))
            .collect();
        let mut v = serde_json::json!({"model": name, "seq": args.seq, "backend": backend, "adapter": adapter, "runs": args.runs, "detail": detail.name(), "median_ms": median, "p95_ms": p95, "readback_bytes": levels});
        if let Some(p) = &profile {
            v["profile"] = bench_profile::json(p);
        }
        crate::outln!("{v}");
    } else {
        let device = adapter.map_or_else(|| "CPU (1 thread)".to_owned(), |a| format!("GPU {a}"));
        crate::outln!(
            "{name}, seq {}, {device}: median {median:.2} ms, p95 {p95:.2} ms over {} runs ({} trace included)",
            args.seq,
            args.runs,
            detail.name()
        );
        let levels: Vec<String> = readback
            .iter()
            .map(|(d, b)| format!("{} {}", d.name(), bench_profile::megabytes(*b)))
            .collect();
        crate::outln!("readback per GPU pass: {}", levels.join(", "));
        if let Some(p) = &profile {
            bench_profile::print(p);
        }
    }
    Ok(())
}
