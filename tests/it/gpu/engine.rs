//! The compute engine: the GPU when it works, the CPU when it does not, with the same
//! trace either way. A destroyed device (as when a driver resets or a laptop switches
//! GPUs) answers on the CPU and switches later requests to the CPU; two threads asking
//! at once each get their own answer.

use crate::common;

use std::sync::Arc;

use llm_lens::compute::{Engine, Ran};
use llm_lens::gpu::{AdapterPolicy, GpuContext};
use llm_lens::model::bert::builtin_model;
use llm_lens::model::bert::comparison::max_difference;
use llm_lens::model::bert::model_dir::Model;
use llm_lens::model::bert::{ForwardOptions, forward};

fn context(test: &str) -> Option<Arc<GpuContext>> {
    let ctx = GpuContext::new(AdapterPolicy::AllowSoftware);
    common::have_adapter_or_skip(test, &ctx)
        .then(|| ctx.ok().map(Arc::new))
        .flatten()
}

fn model() -> Arc<Model> {
    Arc::new(builtin_model::load().expect("the shipped model loads"))
}

#[test]
fn a_lost_device_falls_back_to_the_cpu_with_the_same_trace() {
    let Some(ctx) = context("a_lost_device_falls_back_to_the_cpu_with_the_same_trace") else {
        return;
    };
    let model = model();
    let engine = Engine::with_gpu(ctx.clone());
    let opts = ForwardOptions::default();
    let enc = model.encode("The bank raised interest rates.", None);
    let first = engine.forward(&model, &enc, &opts).expect("runs");
    assert_eq!(first.ran, Ran::Gpu);
    assert!(engine.failure().is_none());

    ctx.device.destroy();
    let enc = model.encode("We sat on the bank of the river.", None);
    let after = engine.forward(&model, &enc, &opts).expect("still answers");
    assert_eq!(after.ran, Ran::Cpu, "a destroyed device cannot have run it");
    let cpu = forward(&model.weights, &enc, &opts).expect("the CPU runs it");
    assert_eq!(after.trace, cpu, "the fallback is exactly the CPU's trace");
    let reason = engine.failure().expect("the engine says why");
    assert!(reason.contains("GPU"), "{reason}");
    eprintln!("fallback reason: {reason}");
    assert_eq!(after.note.as_deref(), Some(reason.as_str()));
    assert!(!engine.uses_gpu());

    // Later requests go straight to the CPU, without a note of their own.
    let later = engine.forward(&model, &enc, &opts).expect("answers");
    assert_eq!((later.ran, later.note), (Ran::Cpu, None));
}

#[test]
fn concurrent_requests_get_their_own_traces() {
    let Some(ctx) = context("concurrent_requests_get_their_own_traces") else {
        return;
    };
    let model = model();
    let engine = Arc::new(Engine::with_gpu(ctx));
    let sentences = [
        "The bank raised interest rates.",
        "We sat on the bank of the river and watched the boats go by.",
        "Congress passed the bill.",
        "I withdrew money.",
    ];
    let handles: Vec<_> = (0..2)
        .map(|t| {
            let (engine, model) = (engine.clone(), model.clone());
            std::thread::spawn(move || {
                (0..4)
                    .map(|i| {
                        let text = sentences[(i + t) % sentences.len()];
                        let enc = model.encode(text, None);
                        let done = engine
                            .forward(&model, &enc, &ForwardOptions::default())
                            .expect("runs");
                        (text, enc, done)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for h in handles {
        for (text, enc, done) in h.join().expect("no panic") {
            assert_eq!(done.ran, Ran::Gpu);
            assert_eq!(done.trace.ids, enc.ids, "{text}: someone else's answer");
            let cpu = forward(&model.weights, &enc, &ForwardOptions::default()).expect("cpu");
            let (d, at) = max_difference(&done.trace, &cpu).expect("comparable");
            assert!(d <= 1e-4, "{text}: {d:e} at {at}");
            ids.push(done.request);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 8, "every request has its own id");
}

#[test]
fn a_new_model_is_uploaded_in_place_of_the_old() {
    let Some(ctx) = context("a_new_model_is_uploaded_in_place_of_the_old") else {
        return;
    };
    use llm_lens::model::bert::weights::BertWeights;
    let engine = Engine::with_gpu(ctx);
    let opts = ForwardOptions::default();
    let shipped = model();
    let enc = shipped.encode("The bank.", None);
    // Same shape, other weights: the engine must not reuse the first upload.
    let other = Arc::new(BertWeights::random(&shipped.weights.config, 9).expect("random"));
    for weights in [&shipped.weights, other.as_ref(), &shipped.weights] {
        let holder = Arc::new(weights.clone());
        let done = engine.forward(&holder, &enc, &opts).expect("runs");
        assert_eq!(done.ran, Ran::Gpu);
        let cpu = forward(weights, &enc, &opts).expect("cpu");
        let (d, _) = max_difference(&done.trace, &cpu).expect("comparable");
        assert!(d <= 1e-4, "{d:e}");
    }
}

#[test]
fn the_cost_steps_gpu_attention_equals_its_cpu_twin_and_is_timed_on_the_gpu() {
    use llm_lens::compute::attention_cost::{attention_cpu, attention_gpu, measure};
    use llm_lens::model::numerics::rng::SplitMix64;
    use ndarray::Array2;
    let Some(ctx) = context("the_cost_steps_gpu_attention_equals_its_cpu_twin") else {
        return;
    };
    for (n, heads, d) in [(5, 1, 3), (33, 4, 32), (130, 2, 16)] {
        let mut rng = SplitMix64::new(n as u64);
        let mut draw = || Array2::from_shape_simple_fn((n, heads * d), || rng.normal() as f32);
        let (q, k, v) = (draw(), draw(), draw());
        let gpu = attention_gpu(&ctx, &q, &k, &v, heads).expect("runs on the GPU");
        let cpu = attention_cpu(&q, &k, &v, heads);
        let diff = (&gpu - &cpu).iter().fold(0.0f32, |m, x| m.max(x.abs()));
        assert!(diff < 1e-4, "n {n}: {diff}");
    }
    let engine = Engine::with_gpu(ctx);
    let s = measure(&engine, 64, 4, 32).expect("measures");
    assert_eq!(s.ran, Ran::Gpu);
}
