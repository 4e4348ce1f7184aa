//! The BERT encoder: its configuration, its weights with each part's loading and
//! forward pass, the [`Trace`] a pass records, and everything built on a trace
//! (comparison of two backends, attention summaries). [`model_dir`] opens a Hugging
//! Face folder, [`model_files`] the same files already in memory (the browser), [`builtin_model`] the model shipped inside the app.

pub mod activation;
pub mod attention_summary;
pub mod builtin_model;
pub mod comparison;
pub mod config;
pub mod detail;
pub mod embeddings;
pub mod forward;
pub mod layer;
pub mod linear;
pub mod mlm;
pub mod model_dir;
pub mod model_files;
pub mod pretrained;
pub mod trace;
pub mod train;
pub mod weights;

pub use config::BertConfig;
pub use detail::TraceDetail;
pub use forward::{Ablation, ForwardError, ForwardOptions, forward};
pub use model_dir::Model;
pub use trace::Trace;
pub use weights::BertWeights;
