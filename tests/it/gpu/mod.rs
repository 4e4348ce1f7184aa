//! The GPU path on any adapter (lavapipe in CI): each kernel against its CPU twin, whole
//! traces, the engine's fallback, and every shader checked with naga.

mod detail;
mod engine;
mod forward;
mod kernels;
mod profile;
mod softmax;
mod wgsl;
