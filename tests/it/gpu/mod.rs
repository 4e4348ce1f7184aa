//! The GPU path on any adapter (lavapipe in CI): each kernel against its CPU twin, whole
//! traces, the engine's fallback, and every shader checked with naga.

use crate::common;
use llm_lens::gpu::{AdapterPolicy, GpuContext};

/// A GPU context on any adapter (lavapipe in CI), or `None` after the skip notice (a
/// failure where CI requires an adapter).
pub fn context(test: &str) -> Option<GpuContext> {
    let ctx = GpuContext::new(AdapterPolicy::AllowSoftware);
    common::have_adapter_or_skip(test, &ctx)
        .then(|| ctx.ok())
        .flatten()
}

mod detail;
mod engine;
mod forward;
mod kernels;
mod profile;
mod softmax;
mod wgsl;
