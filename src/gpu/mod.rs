//! The GPU side: a wgpu context made once on a worker thread, and WGSL compute kernels
//! in `shaders/`, each with a CPU twin in `crate::model` and a parity test.
//!
//! Never egui here: the app's render device belongs to eframe, and sharing it across
//! threads can hang on some drivers, so compute gets a device of its own.

pub mod context;
pub mod forward;
pub mod kernel;
pub(crate) mod launch;
pub mod ops;
pub mod resident;
pub mod softmax;
pub(crate) mod workspace;

pub use context::{AdapterPolicy, GpuContext, GpuError};

/// Every WGSL file in `shaders/`, by name, so tests can validate all of them with naga.
pub const SHADERS: &[(&str, &str)] = &[
    ("softmax.wgsl", include_str!("shaders/softmax.wgsl")),
    ("linear.wgsl", include_str!("shaders/linear.wgsl")),
    ("layernorm.wgsl", include_str!("shaders/layernorm.wgsl")),
    ("gelu.wgsl", include_str!("shaders/gelu.wgsl")),
    (
        "attention_scores.wgsl",
        include_str!("shaders/attention_scores.wgsl"),
    ),
    (
        "attention_context.wgsl",
        include_str!("shaders/attention_context.wgsl"),
    ),
    ("embed.wgsl", include_str!("shaders/embed.wgsl")),
    ("mlm_topk.wgsl", include_str!("shaders/mlm_topk.wgsl")),
];
