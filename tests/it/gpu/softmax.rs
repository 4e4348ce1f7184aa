//! The softmax kernel against its CPU twin over odd sizes, on whatever adapter there is
//! (lavapipe in CI). Also the backend choice: `auto` never picks a software adapter.

use crate::common;

use llm_lens::compute::{BackendChoice, BackendStatus, probe};
use llm_lens::gpu::{AdapterPolicy, GpuContext};
use llm_lens::model::numerics::rng::SplitMix64;
use llm_lens::model::numerics::softmax::softmax_rows_masked;

#[test]
fn gpu_softmax_matches_cpu_twin() {
    let ctx = GpuContext::new(AdapterPolicy::AllowSoftware);
    if !common::have_adapter_or_skip("gpu_softmax_matches_cpu_twin", &ctx) {
        return;
    }
    let ctx = ctx.expect("checked");
    let mut rng = SplitMix64::new(42);
    for (rows, cols) in [
        (1, 1),
        (1, 7),
        (7, 7),
        (64, 64),
        (3, 128),
        (12, 130),
        (2, 512),
        (70_000, 2),
    ] {
        let input: Vec<f32> = (0..rows * cols).map(|_| rng.uniform(-30.0, 30.0)).collect();
        for masked in [false, true] {
            let mask: Vec<bool> = (0..cols).map(|c| !masked || c % 3 != 1).collect();
            let mask = masked.then_some(mask.as_slice());
            let gpu = ctx
                .softmax_rows_masked(&input, cols, mask)
                .expect("gpu softmax");
            let mut cpu = input.clone();
            softmax_rows_masked(&mut cpu, cols, mask);
            let worst = gpu
                .iter()
                .zip(&cpu)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            assert!(
                worst <= 1e-5,
                "{rows}×{cols} masked={masked}: max diff {worst}"
            );
        }
    }
}

#[test]
fn backend_choice_follows_the_rules() {
    let (status, gpu) = probe(BackendChoice::Cpu);
    assert!(matches!(status, BackendStatus::Cpu { .. }) && gpu.is_none());
    let (status, gpu) = probe(BackendChoice::Auto);
    if let Some(ctx) = &gpu {
        assert!(
            !ctx.is_software(),
            "auto must not compute on a software adapter"
        );
        assert!(status.is_gpu());
    } else {
        assert!(status.label().starts_with("CPU — "), "{}", status.label());
    }
    let forced = GpuContext::new(AdapterPolicy::AllowSoftware);
    if common::have_adapter_or_skip("backend_choice_follows_the_rules", &forced) {
        let (status, _) = probe(BackendChoice::Gpu);
        assert!(
            status.is_gpu(),
            "--backend gpu accepts any adapter: {}",
            status.label()
        );
    }
}
