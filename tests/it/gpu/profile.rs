//! `GpuModel::profile`: the same trace as an ordinary pass (each step in a pass of its
//! own changes the order of nothing), and a time for every kind of step where the
//! adapter has timestamp queries, or none and the reason where it has not.

use crate::common;

use llm_lens::gpu::forward::GpuModel;
use llm_lens::gpu::profile::support;
use llm_lens::gpu::record::Kind;
use llm_lens::gpu::{AdapterPolicy, GpuContext};
use llm_lens::model::bert::builtin_model;
use llm_lens::model::bert::comparison::max_difference;
use llm_lens::model::bert::{ForwardOptions, TraceDetail};

#[test]
fn a_profiled_pass_gives_the_same_trace_and_times_every_kind() {
    let ctx = GpuContext::new(AdapterPolicy::AllowSoftware);
    if !common::have_adapter_or_skip("a_profiled_pass_gives_the_same_trace", &ctx) {
        return;
    }
    let Ok(ctx) = ctx else { return };
    let model = builtin_model::load().expect("the shipped model loads");
    let mut gpu = GpuModel::upload(&ctx, &model.weights).expect("upload");
    let enc = model.encode("The bank raised interest rates.", None);
    for detail in TraceDetail::ALL {
        let opts = ForwardOptions {
            detail,
            ..Default::default()
        };
        let plain = gpu.forward(&ctx, &enc, &opts).expect("a pass");
        let (trace, profile) = gpu.profile(&ctx, &enc, &opts).expect("a profiled pass");
        let (d, at) = max_difference(&trace, &plain).expect("comparable");
        assert_eq!(
            d,
            0.0,
            "{}: the profiled trace differs at {at}",
            detail.name()
        );
        assert!(profile.readback_bytes > 0);
        match (support(&ctx), &profile.kernels) {
            (Ok(()), Some(kinds)) => {
                let layers = model.weights.config.num_hidden_layers;
                let steps = |k: Kind| kinds.iter().find(|t| t.kind == k).map(|t| t.steps);
                assert_eq!(steps(Kind::Embedding), Some(1));
                // Q, K, V, attention output, FFN up and down per layer.
                assert_eq!(steps(Kind::Linear), Some(6 * layers));
                for kind in [
                    Kind::AttentionScores,
                    Kind::Softmax,
                    Kind::Context,
                    Kind::Gelu,
                ] {
                    assert_eq!(steps(kind), Some(layers), "{kind:?}");
                }
                assert_eq!(steps(Kind::LayerNorm), Some(1 + 2 * layers));
                // Transform, GELU, LayerNorm, decoder; then the top-k.
                assert_eq!(steps(Kind::MlmHead), Some(4));
                assert_eq!(steps(Kind::MlmTopK), Some(1));
                if profile.untimed_copies == 0 {
                    assert!(steps(Kind::Readback).is_some_and(|n| n > 0));
                }
            }
            (Err(why), None) => assert!(why.contains("TIMESTAMP_QUERY"), "{why}"),
            (s, k) => panic!("support {s:?} but kernels {k:?}"),
        }
    }
}
