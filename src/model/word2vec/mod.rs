//! word2vec from scratch (Mikolov et al. 2013): skip-gram and CBOW with
//! negative sampling, plus a full-softmax variant that shows why negative
//! sampling exists.
//!
//! The pieces, in the order the lesson meets them:
//! - [`vocab`]: count words, drop rare ones (`min_count`), subsample frequent ones;
//! - [`data`]: the corpus as token ids, one "sentence" per paragraph;
//! - [`negative_table`]: draw negatives from unigram^0.75;
//! - [`skipgram`] / [`cbow`]: one SGD update each, the whole algorithm;
//! - [`softmax`]: the same model with a full softmax, and its cost per step;
//! - [`trainer`]: worker threads, learning-rate decay, events for the UI;
//! - [`vectors`]: the result: save/load, neighbours, analogies;
//! - [`pca`]: a 2-D picture of the space.
//!
//! A complete run in a few lines:
//!
//! ```
//! use llm_lens::model::text::corpus::Corpus;
//! use llm_lens::model::word2vec::{train, Control, TrainerConfig};
//! let text = "the king rules the land\nthe queen rules the land\n".repeat(50);
//! let corpus = Corpus::from_text("toy", &text).unwrap();
//! let config = TrainerConfig { dim: 16, min_count: 1, epochs: 2, threads: 1, ..TrainerConfig::default() };
//! let result = train(&corpus, &config, &Control::default(), &mut |_event| {}).unwrap();
//! assert!(result.vectors.similarity("king", "queen").is_some());
//! ```

pub mod binary;
pub mod cbow;
pub mod data;
/// The count behind [`data`], in steps.
pub mod data_count;
pub mod math;
pub mod negative_table;
pub mod pair_count;
pub mod pca;
pub mod skipgram;
pub mod softmax;
pub mod toy_run;
pub mod trainer;
pub mod vectors;
pub mod vocab;

pub use data::TrainingData;
pub use negative_table::NegativeTable;
pub use pca::{Pca2d, pca_2d};
pub use trainer::{
    Control, ModelKind, Snapshot, StepResult, Stepwise, TrainError, TrainResult, TrainStats,
    Trainer, TrainerConfig, TrainingEvent, train,
};
pub use vectors::{Embeddings, Neighbour, VectorsError};
pub use vocab::Vocab;
