//! `llm-lens trace` on a small random model folder: JSON shapes and errors.

use crate::common;
use crate::model_support;

use llm_lens::cli::trace::{TraceArgs, run, trace_json};
use llm_lens::compute::BackendChoice;
use llm_lens::model::bert::config::BertConfig;
use llm_lens::model::bert::model_dir::Model;
use llm_lens::model::bert::weights::BertWeights;
use llm_lens::model::tokenize::WordPiece;
use llm_lens::model::tokenize::basic::BasicTokenizer;
use model_support::TempDir;

fn folder() -> TempDir {
    let dir = TempDir::new("cli");
    let config = BertConfig {
        vocab_size: 12,
        hidden_size: 16,
        num_hidden_layers: 3,
        num_attention_heads: 4,
        intermediate_size: 32,
        max_position_embeddings: 64,
        ..BertConfig::tiny()
    };
    let vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n!\n";
    let tok = WordPiece::from_vocab_txt(vocab, BasicTokenizer::uncased()).unwrap();
    let weights = BertWeights::random(&config, 3).unwrap();
    Model::from_parts(weights, tok)
        .unwrap()
        .save(dir.path())
        .unwrap();
    dir
}

fn args(dir: &std::path::Path, backend: BackendChoice) -> TraceArgs {
    TraceArgs {
        model: dir.display().to_string(),
        text: "Hello world!".into(),
        pair: Some("hello".into()),
        text_file: None,
        backend,
        json: true,
    }
}

#[test]
fn json_has_hf_shaped_hidden_states_and_attentions() {
    let dir = folder();
    let out = trace_json(&args(dir.path(), BackendChoice::Cpu)).unwrap();
    assert_eq!(
        out.tokens,
        ["[CLS]", "hello", "world", "!", "[SEP]", "hello", "[SEP]"]
    );
    assert_eq!(out.type_ids, [0, 0, 0, 0, 0, 1, 1]);
    assert_eq!(out.backend, "cpu");
    assert!(out.note.is_none());
    assert_eq!(out.hidden_states.len(), 4);
    assert!(
        out.hidden_states
            .iter()
            .all(|l| l.len() == 7 && l.iter().all(|t| t.len() == 16))
    );
    assert_eq!(out.attentions.len(), 3);
    assert!(
        out.attentions
            .iter()
            .all(|l| l.len() == 4 && l.iter().all(|h| h.len() == 7))
    );
    run(&args(dir.path(), BackendChoice::Cpu)).unwrap();
}

#[test]
fn gpu_and_cpu_print_the_same_json() {
    let dir = folder();
    let cpu = trace_json(&args(dir.path(), BackendChoice::Cpu)).unwrap();
    let gpu = trace_json(&args(dir.path(), BackendChoice::Gpu)).unwrap();
    assert_eq!(gpu.backend_requested, "gpu");
    if gpu.backend == "cpu" {
        // No adapter: the CPU ran it and the note says why.
        let note = gpu.note.clone().unwrap_or_default();
        assert!(
            !common::require_gpu(),
            "no GPU adapter, and LLM_LENS_REQUIRE_GPU=1: {note}"
        );
        assert!(!note.is_empty());
        return;
    }
    assert!(gpu.adapter.is_some());
    assert_eq!(gpu.tokens, cpu.tokens);
    let flat = |v: &Vec<Vec<Vec<f32>>>| v.iter().flatten().flatten().copied().collect::<Vec<_>>();
    let worst = |a: Vec<f32>, b: Vec<f32>| {
        assert_eq!(a.len(), b.len());
        a.iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max)
    };
    let d = worst(flat(&gpu.hidden_states), flat(&cpu.hidden_states));
    assert!(d <= 1e-4, "hidden states differ by {d}");
    let att = |v: &Vec<Vec<Vec<Vec<f32>>>>| {
        v.iter()
            .flatten()
            .flatten()
            .flatten()
            .copied()
            .collect::<Vec<_>>()
    };
    let d = worst(att(&gpu.attentions), att(&cpu.attentions));
    assert!(d <= 1e-4, "attentions differ by {d}");
}

#[test]
fn errors_are_one_clear_message() {
    let dir = folder();
    std::fs::remove_file(dir.path().join("config.json")).unwrap();
    let err = trace_json(&args(dir.path(), BackendChoice::Cpu)).unwrap_err();
    assert!(err.contains("has no config.json"), "{err}");
    let good = folder();
    let long = TraceArgs {
        text: "hello ".repeat(100),
        ..args(good.path(), BackendChoice::Cpu)
    };
    let err = trace_json(&long).unwrap_err();
    assert!(err.contains("at most 64"), "{err}");
}
