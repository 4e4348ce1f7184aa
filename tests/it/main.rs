//! The integration tests, as one binary: eframe, wgpu and egui are linked once, not once
//! per file. One module per area; `common` builds apps and harnesses, `model_support`
//! finds model folders.

mod common;
mod model_support;

mod cli;
mod cli_hostile;
mod fuzz;
mod gpu;
mod history;
mod layers;
mod model;
mod rnn;
mod tok;
mod ui;
mod w2v;
