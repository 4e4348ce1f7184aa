//! The maths and algorithms behind every lesson. Nothing here knows about egui or wgpu,
//! so each function can be tested on its own and used from the CLI.

pub mod alignment;
pub mod attention_summary;
pub mod bert;
pub mod builtin_model;
pub mod config;
pub mod corpus;
pub mod fast_exp;
pub mod lstm;
pub mod matmul;
pub mod model_dir;
pub mod recall;
pub mod recurrent_neuron;
pub mod rng;
pub mod rnn;
pub mod simd;
pub mod skinny_matmul;
pub mod softmax;
pub mod text;
pub mod timeline;
pub mod tokenize;
pub mod trace;
pub mod trace_compare;
pub mod weights;
pub mod word2vec;
