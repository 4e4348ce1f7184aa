//! The maths and algorithms behind every lesson. Nothing here knows about egui or wgpu,
//! so each function can be tested on its own and used from the CLI.

pub mod rng;
pub mod softmax;
pub mod text;
