//! What a training run is asked to do, and why it may stop without a result.

use serde::{Deserialize, Serialize};

/// Which of the two word2vec architectures to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ModelKind {
    /// Predict the centre word from each context word: slower, better for rare words.
    #[default]
    SkipGram,
    /// Predict the centre word from the mean of its context: ~3× faster.
    Cbow,
}

/// Hyper-parameters. The defaults are word2vec.c's and gensim's, so results
/// compare with theirs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainerConfig {
    pub model: ModelKind,
    /// Length of each word vector.
    pub dim: usize,
    /// Largest context radius; each centre draws its radius from `1..=window`.
    pub window: usize,
    /// Negative samples per positive target.
    pub negative: usize,
    /// Words seen fewer times get no vector.
    pub min_count: u64,
    /// Subsampling threshold (0 disables); see [`super::vocab::keep_probability`].
    pub sample: f64,
    /// Learning rate at the start, decaying linearly to `min_alpha` at the end.
    pub alpha: f32,
    pub min_alpha: f32,
    /// Passes over the corpus.
    pub epochs: usize,
    /// Worker threads. With 1 the run is deterministic for a given seed.
    pub threads: usize,
    pub seed: u64,
    /// Number of most frequent words in each [`Snapshot`] (0: no snapshots).
    pub snapshot_top_n: usize,
    /// Time between snapshots.
    pub snapshot_every_ms: u64,
    /// Time between [`TrainingEvent::Progress`] events.
    pub progress_every_ms: u64,
}

impl Default for TrainerConfig {
    fn default() -> TrainerConfig {
        TrainerConfig {
            model: ModelKind::SkipGram,
            dim: 100,
            window: 5,
            negative: 5,
            min_count: 5,
            sample: 1e-3,
            alpha: 0.025,
            min_alpha: 0.0001,
            epochs: 5,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            seed: 1,
            snapshot_top_n: 2000,
            snapshot_every_ms: 500,
            progress_every_ms: 100,
        }
    }
}

impl TrainerConfig {
    /// Checks the values a user can type.
    pub fn validate(&self) -> Result<(), TrainError> {
        let bad = |m: &str| Err(TrainError::InvalidConfig(m.to_string()));
        if !(1..=10_000).contains(&self.dim) {
            return bad("dim must be between 1 and 10000");
        }
        if !(1..=1000).contains(&self.window) {
            return bad("window must be between 1 and 1000");
        }
        if !(1..=100).contains(&self.negative) {
            return bad("negative must be between 1 and 100");
        }
        if !(1..=1000).contains(&self.epochs) {
            return bad("epochs must be between 1 and 1000");
        }
        if !(1..=256).contains(&self.threads) {
            return bad("threads must be between 1 and 256");
        }
        let alpha_ok = self.alpha > 0.0 && self.alpha <= 1.0;
        if !alpha_ok || !(0.0..=self.alpha).contains(&self.min_alpha) {
            return bad("alpha must be in (0, 1] and min_alpha in [0, alpha]");
        }
        if !(0.0..=1.0).contains(&self.sample) {
            return bad("sample must be in [0, 1]");
        }
        Ok(())
    }
}

/// Why training stopped without a result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainError {
    #[error("invalid setting: {0}")]
    InvalidConfig(String),
    #[error(
        "no word occurs at least {min_count} times in the corpus: lower min_count or use a larger corpus"
    )]
    EmptyVocabulary { min_count: u64 },
    #[error("training was cancelled")]
    Cancelled,
    #[error("a training thread panicked: {0}")]
    WorkerPanicked(String),
    #[error("internal error: {0}")]
    Internal(String),
}
