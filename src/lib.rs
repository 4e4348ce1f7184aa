//! LLM Lens: a desktop app that teaches how large language models work.
//!
//! The crate is laid out in layers (see `ARCHITECTURE.md` at the repository's root):
//! [`model`] holds the maths (no UI, no GPU), [`gpu`] the WGSL kernels and their
//! wgpu plumbing, [`compute`] the worker threads that choose CPU or GPU, [`job`] the
//! one way the UI runs work in the background, [`files`] opening and exporting files, [`widgets`] the reusable drawing,
//! [`lessons`] one pane per lesson, and [`app`] the shell that ties them together.

pub mod alloc_tuning;
pub mod app;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod command;
pub mod compute;
pub mod files;
pub mod frame_log;
pub mod gpu;
pub mod job;
pub mod lesson_id;
pub mod lessons;
#[cfg(not(target_arch = "wasm32"))]
pub mod loader_fuzz;
pub mod model;
pub mod panic_guard;
pub mod paste;
pub mod prose;
#[cfg(not(target_arch = "wasm32"))]
pub mod screenshot;
#[cfg(not(target_arch = "wasm32"))]
pub mod settings_file;
pub mod stage;
#[cfg(target_arch = "wasm32")]
pub mod web;
pub mod widgets;
