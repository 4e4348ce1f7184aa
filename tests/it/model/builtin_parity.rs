//! The shipped model (assets/models/sotu-bert, embedded in the binary) against PyTorch +
//! transformers (tests/fixtures/builtin_reference.json, made by
//! make_builtin_reference.py): the last hidden state and attention map to 1e-4, and the MLM
//! head's top-5 predictions for a [MASK] (tied decoder, F16 weights).

use llm_lens::model::bert::builtin_model;
use llm_lens::model::bert::{ForwardOptions, forward};
use serde_json::Value;

const TOL: f32 = 1e-4;

#[test]
fn builtin_model_matches_pytorch() {
    let reference: Value =
        serde_json::from_str(include_str!("../../fixtures/builtin_reference.json"))
            .expect("reference fixture is JSON");
    let model = builtin_model::load().expect("the shipped model loads");
    for case in reference["cases"].as_array().expect("cases") {
        let text = case["text"].as_str().expect("text");
        let pair = case["pair"].as_str();
        let enc = model.encode(text, pair);
        let ids: Vec<u32> = serde_json::from_value(case["ids"].clone()).expect("ids");
        assert_eq!(enc.ids, ids, "token ids for {text:?}");
        let opts = ForwardOptions {
            top_k: 5,
            ..ForwardOptions::default()
        };
        let trace = forward(&model.weights, &enc, &opts).expect("forward");
        let check = |name: &str, ours: Vec<f32>, theirs: &Value| {
            let theirs: Vec<f32> = serde_json::from_value(theirs.clone()).expect("numbers");
            assert_eq!(ours.len(), theirs.len(), "{name} size");
            let worst = ours
                .iter()
                .zip(&theirs)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(worst < TOL, "{name}: max difference {worst}");
        };
        let last = trace.layers.last().expect("layers");
        check(
            "last hidden state",
            last.output.iter().copied().collect(),
            &case["last_hidden"],
        );
        let att = trace.attention(trace.layers.len() - 1).expect("attention");
        check(
            "last attention",
            att.iter().copied().collect(),
            &case["last_attention"],
        );
        let pos = case["mask_position"].as_u64().expect("position") as usize;
        let mlm = trace
            .mlm
            .as_ref()
            .expect("the shipped model has an MLM head");
        for (k, want) in case["top5"].as_array().expect("top5").iter().enumerate() {
            let (id, p) = (
                want[0].as_u64().expect("id") as u32,
                want[1].as_f64().expect("p") as f32,
            );
            assert_eq!(mlm.top_k[pos][k].id, id, "prediction {k} at the [MASK]");
            assert!((mlm.top_k[pos][k].prob - p).abs() < TOL, "probability {k}");
        }
    }
}
