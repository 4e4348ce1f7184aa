//! LLM Lens: a desktop app that teaches how large language models work.
//!
//! The crate is laid out along the data flow of `docs/design.md`:
//! [`model`] holds the maths (no UI, no GPU), [`gpu`] the WGSL kernels and their
//! wgpu plumbing, [`compute`] the worker threads that choose CPU or GPU,
//! [`widgets`] the reusable drawing, [`lessons`] one pane per lesson, and
//! [`app`] the shell that ties them together.

pub mod alloc_tuning;
pub mod app;
pub mod cli;
pub mod compute;
pub mod frame_log;
pub mod gpu;
pub mod lesson_id;
pub mod lessons;
pub mod model;
pub mod prose;
pub mod screenshot;
pub mod widgets;
