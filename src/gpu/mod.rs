//! The GPU side: a wgpu context made once on a worker thread, and WGSL compute kernels
//! in `kernels/` (each shader beside the Rust mirror of its parameters), each with a
//! CPU twin in `crate::model` and a parity test.
//!
//! Never egui here: the app's render device belongs to eframe, and sharing it across
//! threads can hang on some drivers, so compute gets a device of its own.

pub(crate) mod assemble;
pub mod context;
pub mod forward;
pub mod kernels;
pub mod linear;
pub(crate) mod mapping;
pub mod ops;
pub mod pipeline;
pub mod profile;
pub mod readback;
pub mod record;
pub mod resident;
pub mod softmax;
pub(crate) mod workspace;

pub use context::{AdapterPolicy, GpuContext, GpuError};
