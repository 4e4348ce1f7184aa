//! What a lesson step asks the live model panel to show, declared beside the step in
//! its prose file as `<!-- panel: NAME -->` (next to `<!-- view: NAME -->`).
//! A step without one shows the default: the most focused head's weights.

use super::pass::{Part, PassStage};

/// One step's focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PanelFocus {
    /// The most focused head's softmax weights, the hidden states, predictions.
    #[default]
    Default,
    /// The model's own WordPiece tokens and their ids.
    Tokens,
    /// The selected token's input embedding and its nearest rows of the table.
    Embedding,
    /// The position embeddings added to every token.
    Positions,
    /// How much the last word attends to the first, layer by layer.
    LongRange,
    /// Every head of one layer side by side.
    Heads,
    /// Masked positions and the MLM head's guesses.
    Masked,
    /// The hidden states, layer by layer.
    Hidden,
    /// One stage of the pass.
    Stage(StageName),
}

/// The stages a step may name (`stage:qkv` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StageName {
    Embeddings,
    Layer(Part),
}

/// Every name a step may give, for the prose check and the README.
pub const NAMES: &[&str] = &[
    "tokens",
    "embedding",
    "positions",
    "long-range",
    "heads",
    "masked",
    "hidden",
    "stage:embeddings",
    "stage:qkv",
    "stage:scores",
    "stage:weights",
    "stage:context",
    "stage:ffn",
    "stage:output",
];

impl std::str::FromStr for PanelFocus {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s.trim() {
            "default" => Self::Default,
            "tokens" => Self::Tokens,
            "embedding" => Self::Embedding,
            "positions" => Self::Positions,
            "long-range" => Self::LongRange,
            "heads" => Self::Heads,
            "masked" => Self::Masked,
            "hidden" => Self::Hidden,
            "stage:embeddings" => Self::Stage(StageName::Embeddings),
            "stage:qkv" => Self::Stage(StageName::Layer(Part::Qkv)),
            "stage:scores" => Self::Stage(StageName::Layer(Part::Scores)),
            "stage:weights" => Self::Stage(StageName::Layer(Part::Weights)),
            "stage:context" => Self::Stage(StageName::Layer(Part::Context)),
            "stage:ffn" => Self::Stage(StageName::Layer(Part::Ffn)),
            "stage:output" => Self::Stage(StageName::Layer(Part::Output)),
            _ => return Err(()),
        })
    }
}

impl PanelFocus {
    /// The focus a step declares (`None`, or a name this version does not know, gives the
    /// default).
    pub fn of_step(name: Option<&str>) -> Self {
        name.and_then(|n| n.parse().ok()).unwrap_or_default()
    }

    /// Where the stepper stands when the step opens, given the layer to show.
    pub fn stage(self, layer: usize) -> PassStage {
        let at = |part| PassStage::Layer { layer, part };
        match self {
            Self::Tokens | Self::Embedding | Self::Positions => PassStage::Embeddings,
            Self::Stage(StageName::Embeddings) => PassStage::Embeddings,
            Self::Stage(StageName::Layer(part)) => at(part),
            Self::Masked => PassStage::Predictions,
            Self::Hidden => at(Part::Output),
            Self::Default | Self::LongRange | Self::Heads => at(Part::Weights),
        }
    }

    /// One line above the panel saying what this step shows there.
    pub fn caption(self) -> &'static str {
        match self {
            Self::Default => {
                "The model on your sentence: its most focused head, its hidden states, its guesses."
            }
            Self::Tokens => "This step: the model's own WordPiece tokens and the ids it reads.",
            Self::Embedding => {
                "This step: a token's row of the model's embedding table, and the rows nearest to it."
            }
            Self::Positions => {
                "This step: the position vectors the model adds to its tokens (learned, not sinusoidal)."
            }
            Self::LongRange => {
                "This step: in every layer the last word reaches the first in one step, at any distance."
            }
            Self::Heads => "This step: every head of one layer, each attending in its own way.",
            Self::Masked => "This step: what the MLM head puts at each [MASK].",
            Self::Hidden => "This step: each token's vector, layer after layer.",
            Self::Stage(_) => "This step: the same stage in the model, on your sentence.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_parses_and_unknown_names_give_the_default() {
        for n in NAMES {
            assert!(n.parse::<PanelFocus>().is_ok(), "{n}");
        }
        assert_eq!(PanelFocus::of_step(Some("nonsense")), PanelFocus::Default);
        assert_eq!(PanelFocus::of_step(None), PanelFocus::Default);
        assert_eq!(
            PanelFocus::of_step(Some("stage:ffn")).stage(2),
            PassStage::Layer {
                layer: 2,
                part: Part::Ffn
            }
        );
    }
}
