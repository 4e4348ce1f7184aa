//! all-MiniLM-L6-v2 against PyTorch + transformers reference values
//! (tests/fixtures/minilm_reference.json, made by make_minilm_reference.py):
//! every hidden state and the stored attention maps to 1e-4.

use crate::model_support;

use llm_lens::cli::trace::{TraceArgs, trace_json};
use llm_lens::compute::BackendChoice;
use llm_lens::model::bert::model_dir::Model;
use llm_lens::model::bert::{ForwardOptions, forward};
use model_support::{base64_decode, minilm_dir};
use serde_json::Value;

const TOL: f32 = 1e-4;

fn reference() -> Value {
    let text = include_str!("../../fixtures/minilm_reference.json");
    serde_json::from_str(text).expect("reference fixture is JSON")
}

fn f32s(v: &Value) -> Vec<f32> {
    let bytes = base64_decode(v.as_str().unwrap());
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

#[test]
fn minilm_matches_pytorch() {
    let Some(dir) = minilm_dir("minilm_matches_pytorch") else {
        return;
    };
    let model = Model::load(&dir).unwrap();
    assert!(
        model.weights.mlm.is_none(),
        "MiniLM ships without an MLM head"
    );
    let reference = reference();
    let mut worst = 0.0f32;
    for case in reference["cases"].as_array().unwrap() {
        let text = case["text"].as_str().unwrap();
        let pair = case.get("pair").and_then(Value::as_str);
        let enc = model.encode(text, pair);
        let ids: Vec<u32> = serde_json::from_value(case["ids"].clone()).unwrap();
        let type_ids: Vec<u32> = serde_json::from_value(case["type_ids"].clone()).unwrap();
        assert_eq!(enc.ids, ids, "token ids for {text:?}");
        assert_eq!(enc.type_ids, type_ids, "type ids for {text:?}");
        let trace = forward(&model.weights, &enc, &ForwardOptions::default()).unwrap();

        let shape: Vec<usize> = serde_json::from_value(case["hidden_shape"].clone()).unwrap();
        let expect = f32s(&case["hidden_states_f32le_base64"]);
        let hs = trace.hidden_states();
        assert_eq!(shape, [hs.len(), enc.len(), 384]);
        let got: Vec<f32> = hs.iter().flat_map(|h| h.iter().copied()).collect();
        for (i, (g, e)) in got.iter().zip(&expect).enumerate() {
            let d = (g - e).abs();
            worst = worst.max(d);
            let (layer, rest) = (i / (enc.len() * 384), i % (enc.len() * 384));
            assert!(
                d <= TOL,
                "{text:?}: hidden_states[{layer}][{}][{}] = {g}, PyTorch {e}",
                rest / 384,
                rest % 384
            );
        }
        for map in case["attentions"].as_array().unwrap() {
            let layer = map["layer"].as_u64().unwrap() as usize;
            let head = map["head"].as_u64().unwrap() as usize;
            let expect: Vec<Vec<f32>> = serde_json::from_value(map["weights"].clone()).unwrap();
            let got = trace.attention(layer).unwrap();
            for (q, row) in expect.iter().enumerate() {
                for (k, e) in row.iter().enumerate() {
                    let g = got[[head, q, k]];
                    worst = worst.max((g - e).abs());
                    assert!(
                        (g - e).abs() <= TOL,
                        "{text:?}: attention L{layer} H{head} [{q}][{k}] = {g}, PyTorch {e}"
                    );
                }
            }
        }
    }
    eprintln!("largest difference from PyTorch: {worst:e}");
}

#[test]
fn cli_trace_json_matches_pytorch_on_the_bank_sentence() {
    let Some(dir) = minilm_dir("cli_trace_json_matches_pytorch_on_the_bank_sentence") else {
        return;
    };
    let reference = reference();
    let case = &reference["cases"][0];
    // Both backends, each against PyTorch (the GPU one on lavapipe in CI).
    for backend in [BackendChoice::Cpu, BackendChoice::Gpu] {
        let args = TraceArgs {
            model: dir.display().to_string(),
            text: case["text"].as_str().unwrap().to_string(),
            pair: None,
            text_file: None,
            backend,
            json: true,
        };
        let out = trace_json(&args).unwrap();
        if backend == BackendChoice::Gpu
            && std::env::var("LLM_LENS_REQUIRE_GPU").as_deref() == Ok("1")
        {
            assert_eq!(out.backend, "gpu", "{:?}", out.note);
        }
        assert_eq!(
            out.tokens,
            [
                "[CLS]", "i", "withdrew", "money", "from", "the", "bank", ".", "[SEP]"
            ]
        );
        // Round-trip through the printed JSON text, as a script reading it would.
        let json: Value = serde_json::from_str(&serde_json::to_string(&out).unwrap()).unwrap();
        let hs = json["hidden_states"].as_array().unwrap();
        assert_eq!(hs.len(), 7);
        let expect = f32s(&case["hidden_states_f32le_base64"]);
        let got: Vec<f32> = hs
            .iter()
            .flat_map(|l| l.as_array().unwrap().iter())
            .flat_map(|t| t.as_array().unwrap().iter())
            .map(|v| v.as_f64().unwrap() as f32)
            .collect();
        assert_eq!(got.len(), expect.len());
        assert!(got.iter().zip(&expect).all(|(g, e)| (g - e).abs() <= TOL));
        let att = json["attentions"].as_array().unwrap();
        assert_eq!(att.len(), 6);
        assert_eq!(att[0].as_array().unwrap().len(), 12);
        for map in case["attentions"].as_array().unwrap() {
            let (l, h) = (
                map["layer"].as_u64().unwrap() as usize,
                map["head"].as_u64().unwrap() as usize,
            );
            let got: Vec<Vec<f32>> = serde_json::from_value(att[l][h].clone()).unwrap();
            let expect: Vec<Vec<f32>> = serde_json::from_value(map["weights"].clone()).unwrap();
            for (gr, er) in got.iter().zip(&expect) {
                assert!(gr.iter().zip(er).all(|(g, e)| (g - e).abs() <= TOL));
            }
        }
    }
}
