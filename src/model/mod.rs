//! The maths and algorithms behind every lesson. Nothing here knows about egui or wgpu,
//! so each function can be tested on its own and used from the CLI.
//!
//! One folder per topic:
//! - [`bert`]: the BERT encoder (config, weights with their forward pass, trace,
//!   CPU/GPU comparison, model folders, the built-in model, attention summaries);
//! - [`recurrent`]: the recurrent neuron, RNN and LSTM with BPTT, the recall task;
//! - [`history`]: the timeline and the word-alignment data of the history lesson;
//! - [`numerics`]: what every model shares: matrix products, SIMD loops, softmax,
//!   the PRNG, linear algebra, range checks and the small `nn` toolbox (Adam, loss);
//! - [`text`]: splitting text into characters and words, and the training corpus;
//! - [`tokenize`]: the tokenisers (BPE, WordPiece, Unigram, byte-level);
//! - [`word2vec`]: skip-gram and CBOW training and the vectors they give.

pub mod bert;
pub mod contextual;
pub mod cross_attention;
pub mod history;
pub mod lookup;
pub mod masks;
pub mod multi_head;
pub mod numerics;
pub mod positional;
pub mod qkv;
pub mod recurrent;
pub mod scaling;
pub mod text;
pub mod tokenize;
pub mod word2vec;
