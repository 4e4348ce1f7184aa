//! Invariants of the forward pass on a fixed-seed random tiny model: the
//! checks that catch wrong axes, wrong masks and wrong residuals.

use crate::model_support;

use std::sync::OnceLock;

use llm_lens::model::bert::activation::{erfc, gelu};
use llm_lens::model::bert::config::BertConfig;
use llm_lens::model::bert::trace::Trace;
use llm_lens::model::bert::weights::BertWeights;
use llm_lens::model::bert::{Ablation, ForwardError, ForwardOptions, forward};
use llm_lens::model::numerics::fast_exp::fast_exp;
use llm_lens::model::tokenize::ModelInput;
use model_support::{Rng, TempDir};
use ndarray::{Array2, Axis, s};

fn tiny() -> &'static BertWeights {
    static W: OnceLock<BertWeights> = OnceLock::new();
    W.get_or_init(|| BertWeights::random(&BertConfig::tiny(), 42).unwrap())
}

/// A made-up input: `[CLS] … [SEP]` with random ids, a pair split at `split`.
fn input(n: usize, split: usize, seed: u64) -> ModelInput {
    let mut rng = Rng::new(seed);
    let ids: Vec<u32> = (0..n)
        .map(|i| match i {
            0 => 101,
            i if i == n - 1 || i == split => 102,
            _ => 1000 + rng.below(29_000) as u32,
        })
        .collect();
    ModelInput {
        tokens: ids.iter().map(|id| format!("t{id}")).collect(),
        offsets: vec![(0, 0); n],
        type_ids: (0..n).map(|i| u32::from(i > split)).collect(),
        special_mask: vec![false; n],
        ids,
    }
}

fn run(enc: &ModelInput, opts: &ForwardOptions) -> Trace {
    forward(tiny(), enc, opts).unwrap()
}

fn max_abs_diff(a: &Array2<f32>, b: &Array2<f32>) -> f32 {
    assert_eq!(a.shape(), b.shape());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn attention_rows_sum_to_one_and_shapes_are_right() {
    let enc = input(24, 10, 1);
    let t = run(&enc, &ForwardOptions::default());
    let c = BertConfig::tiny();
    assert_eq!(t.layers.len(), 4);
    assert_eq!(t.hidden_states().len(), 5);
    for layer in &t.layers {
        let st = layer.steps.as_ref().unwrap();
        assert_eq!(st.q.shape(), [4, 24, 32]);
        assert_eq!(st.scores.shape(), [4, 24, 24]);
        assert_eq!(st.ffn_intermediate.shape(), [24, c.intermediate_size]);
        for row in st.weights.lanes(Axis(2)) {
            let sum: f32 = row.sum();
            assert!((sum - 1.0).abs() < 1e-5, "row sums to {sum}");
            assert!(row.iter().all(|&w| (0.0..=1.0).contains(&w)));
        }
    }
}

#[test]
fn hidden_states_are_the_layer_outputs_and_embeddings_add_up() {
    let enc = input(16, 7, 2);
    let t = run(&enc, &ForwardOptions::default());
    let hs = t.hidden_states();
    assert_eq!(hs[0], t.embeddings.normed.view());
    for (i, layer) in t.layers.iter().enumerate() {
        assert_eq!(hs[i + 1], layer.output.view());
    }
    let e = &t.embeddings;
    let sum = &e.token + &e.position + &e.segment;
    assert_eq!(sum, e.sum);
    let w = tiny();
    assert_eq!(e.token.row(3), w.embeddings.word.row(enc.ids[3] as usize));
    assert_eq!(e.segment.row(12), w.embeddings.token_type.row(1));
    assert_eq!(e.position.row(5), w.embeddings.position.row(5));
    // γ = 1, β = 0 in a fresh model: every LayerNorm output row has mean 0, variance 1.
    for row in hs[2].rows() {
        let mean = row.mean().unwrap();
        let var = row.mapv(|v| (v - mean).powi(2)).mean().unwrap();
        assert!(
            mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-3,
            "mean {mean} var {var}"
        );
    }
}

#[test]
fn per_head_steps_recompute_from_their_inputs() {
    let enc = input(12, 5, 3);
    let t = run(&enc, &ForwardOptions::default());
    let w = tiny();
    let st = t.layers[1].steps.as_ref().unwrap();
    let x = &t.layers[0].output;
    // Head 2's query is columns 64..96 of x·Wqᵀ + b.
    let q_full = x.dot(&w.layers[1].attention.query.weight.t()) + &w.layers[1].attention.query.bias;
    let q2 = q_full.slice(s![.., 64..96]).to_owned();
    assert!(max_abs_diff(&q2, &st.q.index_axis(Axis(0), 2).to_owned()) < 1e-5);
    for h in 0..4 {
        let q = st.q.index_axis(Axis(0), h);
        let k = st.k.index_axis(Axis(0), h);
        let v = st.v.index_axis(Axis(0), h);
        let scores = q.dot(&k.t()) / (32f32).sqrt();
        assert!(max_abs_diff(&scores, &st.scores.index_axis(Axis(0), h).to_owned()) < 1e-5);
        let weights = st.weights.index_axis(Axis(0), h).to_owned();
        let mut expect = scores.clone();
        for mut row in expect.rows_mut() {
            let m = row.fold(f32::NEG_INFINITY, |a, &b| a.max(b));
            row.mapv_inplace(|s| (s - m).exp());
            let z = row.sum();
            row /= z;
        }
        assert!(max_abs_diff(&expect, &weights) < 1e-6);
        let ctx = weights.dot(&v);
        assert!(max_abs_diff(&ctx, &st.context.index_axis(Axis(0), h).to_owned()) < 1e-5);
    }
}

#[test]
fn padding_is_ignored_exactly() {
    // 10 real tokens + 6 padding positions must give the same numbers for the
    // real tokens as the 10-token input alone, and zero attention to padding.
    let real = input(10, 4, 4);
    let mut padded = real.clone();
    for _ in 0..6 {
        padded.ids.push(0);
        padded.tokens.push("[PAD]".into());
        padded.offsets.push((0, 0));
        padded.type_ids.push(0);
        padded.special_mask.push(true);
    }
    let mask: Vec<bool> = (0..16).map(|i| i < 10).collect();
    let opts = ForwardOptions {
        attention_mask: Some(mask),
        ..Default::default()
    };
    let tp = run(&padded, &opts);
    let tr = run(&real, &ForwardOptions::default());
    for layer in &tp.layers {
        let st = layer.steps.as_ref().unwrap();
        assert!(st.weights.slice(s![.., .., 10..]).iter().all(|&w| w == 0.0));
    }
    for (a, b) in tp.hidden_states().iter().zip(tr.hidden_states()) {
        let a = a.slice(s![..10, ..]).to_owned();
        assert!(max_abs_diff(&a, &b.to_owned()) < 1e-5);
    }
}

#[test]
fn safetensors_round_trip_gives_identical_traces() {
    let dir = TempDir::new("roundtrip");
    let path = dir.path().join("model.safetensors");
    tiny().save(&path).unwrap();
    let loaded = BertWeights::load(&BertConfig::tiny(), &path).unwrap();
    assert_eq!(&loaded, tiny());
    let enc = input(20, 9, 5);
    let opts = ForwardOptions::default();
    assert_eq!(forward(&loaded, &enc, &opts).unwrap(), run(&enc, &opts));
}

#[test]
fn random_weights_are_deterministic() {
    let c = BertConfig {
        vocab_size: 50,
        ..BertConfig::tiny()
    };
    let a = BertWeights::random(&c, 7).unwrap();
    assert_eq!(a, BertWeights::random(&c, 7).unwrap());
    assert_ne!(a, BertWeights::random(&c, 8).unwrap());
    // Pinned (computed independently in Python from SplitMix64 + Box–Muller)
    // so the shipped untrained model never drifts between versions.
    let first: Vec<f32> = a.embeddings.word.iter().take(3).copied().collect();
    assert_eq!(first, [0.019_769_486, -0.037_285_115, 7.840_415e-5]);
    let std = a.embeddings.word.std(0.0);
    assert!((std - 0.02).abs() < 0.002, "std {std}");
}

#[test]
fn ablation_zeroes_heads_and_skips_layers() {
    let enc = input(14, 6, 6);
    let base = run(&enc, &ForwardOptions::default());
    let mut ablation = Ablation::default();
    ablation.heads.insert((1, 2));
    ablation.skip_layers.insert(3);
    let t = run(
        &enc,
        &ForwardOptions {
            ablation,
            ..Default::default()
        },
    );
    let st = t.layers[1].steps.as_ref().unwrap();
    assert!(st.context.index_axis(Axis(0), 2).iter().all(|&v| v == 0.0));
    assert_eq!(st.ablated_heads, [2]);
    assert_eq!(t.layers[0], base.layers[0]);
    assert!(max_abs_diff(&t.layers[1].output, &base.layers[1].output) > 1e-4);
    assert!(t.layers[3].steps.is_none());
    assert_eq!(t.layers[3].output, t.layers[2].output);
    assert!(t.attention(3).is_none());

    let mut all = Ablation::default();
    all.skip_layers.extend(0..4);
    let t = run(
        &enc,
        &ForwardOptions {
            ablation: all,
            ..Default::default()
        },
    );
    assert_eq!(t.layers[3].output, t.embeddings.normed);
}

#[test]
fn mlm_head_gives_sorted_probabilities() {
    let enc = input(8, 3, 7);
    let t = run(
        &enc,
        &ForwardOptions {
            top_k: 4,
            ..Default::default()
        },
    );
    let mlm = t.mlm.as_ref().unwrap();
    assert_eq!(mlm.top_k.len(), 8);
    for preds in &mlm.top_k {
        assert_eq!(preds.len(), 4);
        assert!(preds.windows(2).all(|p| p[0].logit >= p[1].logit));
        let total: f32 = preds.iter().map(|p| p.prob).sum();
        assert!(preds.iter().all(|p| p.prob > 0.0) && total <= 1.0 + 1e-6);
    }
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let w = tiny();
    let o = ForwardOptions::default();
    let mut e = input(5, 2, 8);
    e.ids[1] = 40_000;
    assert_eq!(
        forward(w, &e, &o).unwrap_err(),
        ForwardError::IdOutOfRange {
            id: 40_000,
            vocab: 30522
        }
    );
    assert_eq!(
        forward(w, &input(513, 2, 8), &o).unwrap_err(),
        ForwardError::TooLong { len: 513, max: 512 }
    );
    assert_eq!(
        forward(w, &ModelInput::default(), &o).unwrap_err(),
        ForwardError::Empty
    );
    let mut ablation = Ablation::default();
    ablation.heads.insert((0, 4));
    let err = forward(
        w,
        &input(5, 2, 8),
        &ForwardOptions {
            ablation,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("layer 0 head 4"), "{err}");
    let masked = ForwardOptions {
        attention_mask: Some(vec![false; 5]),
        ..Default::default()
    };
    assert_eq!(
        forward(w, &input(5, 2, 8), &masked).unwrap_err(),
        ForwardError::AllMasked
    );
}

#[test]
fn gelu_matches_known_values() {
    // Φ values from tables: gelu(x) = x·Φ(x).
    for (x, expect) in [
        (0.0f32, 0.0f32),
        (1.0, 0.841_344_7),
        (-1.0, -0.158_655_3),
        (2.5, 2.484_474_6),
        (-3.0, -0.004_049_71),
        (8.0, 8.0),
    ] {
        assert!((gelu(x) - expect).abs() < 2e-6, "gelu({x}) = {}", gelu(x));
    }
    assert!((erfc(0.5) - 0.479_500_1).abs() < 3e-7);
    assert!((erfc(-1.0) - 1.842_700_8).abs() < 3e-7);
    // fast_exp against libm over the range softmax and GELU use.
    let mut worst = 0.0f64;
    for i in -6000..=8000 {
        let x = i as f32 * 0.01;
        let rel = ((fast_exp(x) as f64 - (x as f64).exp()) / (x as f64).exp()).abs();
        worst = worst.max(rel);
    }
    assert!(worst < 3e-7, "fast_exp relative error {worst}");
    assert_eq!(fast_exp(-61.0), 0.0, "no subnormal results");
}
