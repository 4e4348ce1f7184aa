//! The lean trace levels: at each level the GPU returns what the CPU returns (the full
//! trace with the tensors the level drops emptied) within 1e-4, the kept tensors are
//! exactly those of the GPU's own full trace, and it copies back fewer bytes. With
//! skipped layers (the last one too), padding, a model without an MLM head, and levels
//! switched back and forth on one workspace.

use std::collections::BTreeSet;

use llm_lens::gpu::GpuContext;
use llm_lens::gpu::forward::GpuModel;
use llm_lens::gpu::readback::readback_bytes;
use llm_lens::model::bert::builtin_model;
use llm_lens::model::bert::comparison::max_difference;
use llm_lens::model::bert::config::BertConfig;
use llm_lens::model::bert::detail::lean;
use llm_lens::model::bert::trace::Trace;
use llm_lens::model::bert::weights::BertWeights;
use llm_lens::model::bert::{Ablation, ForwardOptions, TraceDetail, forward};
use llm_lens::model::tokenize::ModelInput;

const TOL: f32 = 1e-4;

use super::context;

/// Values in the trace's tensors (embeddings, layers), predictions aside.
fn values(t: &Trace) -> usize {
    let e = &t.embeddings;
    let mut sum = e.token.len() + e.position.len() + e.segment.len() + e.sum.len();
    sum += e.normed.len();
    for l in &t.layers {
        sum += l.output.len();
        if let Some(s) = &l.steps {
            sum += s.q.len() + s.k.len() + s.v.len() + s.scores.len() + s.weights.len();
            sum += s.context.len() + s.attention_output.len() + s.attention_norm.len();
            sum += s.ffn_intermediate.len() + s.ffn_output.len();
        }
    }
    sum
}

/// Every level against the CPU at that level and against the GPU's full trace.
fn every_level_agrees(
    ctx: &GpuContext,
    gpu: &mut GpuModel,
    weights: &BertWeights,
    input: &ModelInput,
    opts: &ForwardOptions,
    what: &str,
) {
    let full = gpu.forward(ctx, input, opts).expect("the GPU runs it");
    let n = input.ids.len();
    let has_mlm = weights.mlm.is_some();
    let mut last_bytes = u64::MAX;
    let mut full_bytes = 0;
    // Full last too, so the workspace goes lean and back.
    for detail in TraceDetail::ALL.into_iter().chain([TraceDetail::Full]) {
        let opts = ForwardOptions {
            detail,
            ..opts.clone()
        };
        let what = format!("{what}, {}", detail.name());
        let got = gpu.forward(ctx, input, &opts).expect("the GPU runs it");
        let cpu = forward(weights, input, &opts).expect("the CPU runs it");
        assert_eq!(got.detail, detail, "{what}");
        let (d, at) = max_difference(&got, &cpu).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(d <= TOL, "{what}: GPU and CPU differ by {d:e} at {at}");
        // Copies of the same GPU numbers: not near, equal.
        let (d, at) = max_difference(&got, &lean(full.clone(), detail))
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(d, 0.0, "{what}: differs from the full GPU trace at {at}");
        assert_eq!(values(&got), values(&cpu), "{what}: kept tensors");
        let last = got
            .layers
            .last()
            .map_or(&got.embeddings.normed, |l| &l.output);
        assert_eq!(last.nrows(), n, "{what}: the last hidden state is kept");
        let bytes = readback_bytes(
            &weights.config,
            n,
            opts.top_k,
            has_mlm,
            detail,
            &opts.ablation,
        );
        if detail == TraceDetail::Full {
            full_bytes = bytes;
        } else {
            // Equal when every layer is skipped: the last hidden state is the only one.
            assert!(
                bytes <= last_bytes,
                "{what}: {bytes} bytes, more than before"
            );
            assert!(
                bytes < full_bytes,
                "{what}: {bytes} bytes, not fewer than full"
            );
        }
        last_bytes = bytes;
    }
}

#[test]
fn every_detail_level_matches_the_cpu_and_the_full_trace() {
    let Some(ctx) = context("every_detail_level_matches_the_cpu_and_the_full_trace") else {
        return;
    };
    let model = builtin_model::load().expect("the shipped model loads");
    let w = &model.weights;
    let mut gpu = GpuModel::upload(&ctx, w).expect("upload");
    let enc = model.encode("The bank raised interest rates.", None);
    every_level_agrees(&ctx, &mut gpu, w, &enc, &ForwardOptions::default(), "plain");

    // Padding, ablated heads, a skipped middle layer and a skipped last layer.
    let enc = model.encode("The president spoke to the nation about the war.", None);
    let n = enc.ids.len();
    let mut mask = vec![true; n];
    mask[n - 3..].fill(false);
    let layers = w.config.num_hidden_layers;
    let opts = ForwardOptions {
        attention_mask: Some(mask),
        ablation: Ablation {
            heads: BTreeSet::from([(0, 1), (2, 3)]),
            skip_layers: BTreeSet::from([1, layers - 1]),
        },
        top_k: 7,
        ..Default::default()
    };
    every_level_agrees(&ctx, &mut gpu, w, &enc, &opts, "ablated");
}

#[test]
fn detail_levels_work_without_an_mlm_head_and_with_every_layer_skipped() {
    let Some(ctx) = context("detail_levels_work_without_an_mlm_head_and_with_every_layer_skipped")
    else {
        return;
    };
    let config = BertConfig {
        vocab_size: 300,
        hidden_size: 36,
        num_attention_heads: 3,
        intermediate_size: 70,
        num_hidden_layers: 2,
        max_position_embeddings: 40,
        ..BertConfig::tiny()
    };
    let mut weights = BertWeights::random(&config, 9).expect("random weights");
    weights.mlm = None;
    let mut gpu = GpuModel::upload(&ctx, &weights).expect("upload");
    let input = ModelInput::from_ids((0..23).map(|t| (t * 13 + 2) % 300).collect());
    every_level_agrees(
        &ctx,
        &mut gpu,
        &weights,
        &input,
        &ForwardOptions::default(),
        "no head",
    );
    let opts = ForwardOptions {
        ablation: Ablation {
            skip_layers: BTreeSet::from([0, 1]),
            ..Default::default()
        },
        ..Default::default()
    };
    every_level_agrees(&ctx, &mut gpu, &weights, &input, &opts, "all skipped");
}

#[test]
fn readback_bytes_per_level_for_bert_base_at_128_tokens() {
    let config = BertConfig {
        hidden_size: 768,
        num_hidden_layers: 12,
        num_attention_heads: 12,
        intermediate_size: 3072,
        ..BertConfig::tiny()
    };
    let (n, none) = (128u64, Ablation::default());
    let bytes = |d| readback_bytes(&config, 128, 5, true, d, &none);
    let top_k = n * (2 + 2 * 5) * 4;
    let hidden = n * 768 * 4;
    let square = 12 * n * n * 4;
    assert_eq!(bytes(TraceDetail::Predictions), hidden + top_k);
    assert_eq!(
        bytes(TraceDetail::HiddenAndAttention),
        13 * hidden + 12 * square + top_k
    );
    let per_layer = 8 * hidden + 2 * square + n * 3072 * 4;
    assert_eq!(
        bytes(TraceDetail::Full),
        5 * hidden + 12 * per_layer + top_k
    );
    // About 75 MB in full, under 1 MB for the predictions.
    assert!(bytes(TraceDetail::Full) > 70_000_000);
    assert!(bytes(TraceDetail::Predictions) < 1_000_000);
}
