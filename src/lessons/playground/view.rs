//! The playground's views, by the names its prose uses.

crate::lessons::views! {
    pub enum View {
        Overview = "overview",
        Embeddings = "embeddings",
        Qkv = "qkv",
        Scores = "scores",
        Weights = "weights",
        Context = "context",
        Ffn = "ffn",
        Attention = "attention",
        Hidden = "hidden",
        Predictions = "predictions",
        Ablation = "ablation",
    }
}

/// The views that show one stage inside an encoder layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Qkv,
    Scores,
    Weights,
    Context,
    Ffn,
}

impl View {
    /// The layer stage this view shows, if it shows one.
    pub fn stage(self) -> Option<Stage> {
        match self {
            Self::Qkv => Some(Stage::Qkv),
            Self::Scores => Some(Stage::Scores),
            Self::Weights => Some(Stage::Weights),
            Self::Context => Some(Stage::Context),
            Self::Ffn => Some(Stage::Ffn),
            Self::Overview
            | Self::Embeddings
            | Self::Attention
            | Self::Hidden
            | Self::Predictions
            | Self::Ablation => None,
        }
    }
}
