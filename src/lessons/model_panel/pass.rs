//! The forward pass as a sequence of stages the panel's stepper walks: the embeddings,
//! then six stages per encoder layer, then the MLM head's predictions.

/// One stage inside an encoder layer, in the order the layer computes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    Qkv,
    Scores,
    Weights,
    Context,
    Ffn,
    Output,
}

impl Part {
    pub const ALL: [Part; 6] = [
        Part::Qkv,
        Part::Scores,
        Part::Weights,
        Part::Context,
        Part::Ffn,
        Part::Output,
    ];

    /// A short name for the stepper's diagram.
    pub fn short(self) -> &'static str {
        match self {
            Part::Qkv => "QKV",
            Part::Scores => "score",
            Part::Weights => "softmax",
            Part::Context => "mix",
            Part::Ffn => "FFN",
            Part::Output => "out",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Part::Qkv => "queries, keys, values",
            Part::Scores => "scores QKᵀ/√d",
            Part::Weights => "softmax weights",
            Part::Context => "mixing the values, Add & Norm",
            Part::Ffn => "feed-forward network",
            Part::Output => "the new hidden state",
        }
    }

    /// What happens at this stage, for the tooltip.
    pub fn help(self) -> &'static str {
        match self {
            Part::Qkv => {
                "Each token's vector times three learned matrices: its query, key and value"
            }
            Part::Scores => "Every query dotted with every key, divided by √(head size)",
            Part::Weights => "Softmax turns each row of scores into weights that sum to 1",
            Part::Context => {
                "Each token takes the weighted sum of the values; heads joined, projected, added back and normalised"
            }
            Part::Ffn => {
                "The same two-layer network on every token alone (expand, GELU, project back)"
            }
            Part::Output => "Add & Norm again: the layer's output, read by the next layer",
        }
    }
}

/// A point in the forward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PassStage {
    Embeddings,
    Layer { layer: usize, part: Part },
    Predictions,
}

impl PassStage {
    /// How many stages a model of `layers` layers has.
    pub fn count(layers: usize) -> usize {
        layers * Part::ALL.len() + 2
    }

    /// The stage at `index` (clamped to the last) of a `layers`-layer pass.
    pub fn at(index: usize, layers: usize) -> Self {
        let last = Self::count(layers) - 1;
        let index = index.min(last);
        if index == 0 {
            PassStage::Embeddings
        } else if index == last {
            PassStage::Predictions
        } else {
            let i = index - 1;
            PassStage::Layer {
                layer: i / Part::ALL.len(),
                part: Part::ALL[i % Part::ALL.len()],
            }
        }
    }

    /// The position of this stage in a `layers`-layer pass.
    pub fn index(self, layers: usize) -> usize {
        match self {
            PassStage::Embeddings => 0,
            PassStage::Layer { layer, part } => {
                let p = Part::ALL.iter().position(|&x| x == part).unwrap_or(0);
                1 + layer.min(layers.saturating_sub(1)) * Part::ALL.len() + p
            }
            PassStage::Predictions => Self::count(layers) - 1,
        }
    }

    /// Layers whose output is computed once this stage is done.
    pub fn layers_reached(self, layers: usize) -> usize {
        match self {
            PassStage::Embeddings => 0,
            PassStage::Layer { layer, part } => layer + usize::from(part == Part::Output),
            PassStage::Predictions => layers,
        }
    }

    /// "Layer 2 of 4 · softmax weights".
    pub fn label(self, layers: usize) -> String {
        match self {
            PassStage::Embeddings => "Embeddings: token + position + segment".to_owned(),
            PassStage::Layer { layer, part } => {
                format!(
                    "Layer {layer} (of 0–{}) · {}",
                    layers.saturating_sub(1),
                    part.title()
                )
            }
            PassStage::Predictions => "MLM head: predictions".to_owned(),
        }
    }

    /// The playground view that shows this stage in full.
    pub fn playground_view(self) -> &'static str {
        match self {
            PassStage::Embeddings => "embeddings",
            PassStage::Layer { part, .. } => match part {
                Part::Qkv => "qkv",
                Part::Scores => "scores",
                Part::Weights => "weights",
                Part::Context => "context",
                Part::Ffn => "ffn",
                Part::Output => "hidden",
            },
            PassStage::Predictions => "predictions",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_at_are_inverse_over_the_whole_pass() {
        for layers in [1, 4, 12] {
            let n = PassStage::count(layers);
            for i in 0..n {
                assert_eq!(PassStage::at(i, layers).index(layers), i);
            }
            assert_eq!(PassStage::at(n + 5, layers), PassStage::Predictions);
            assert_eq!(
                PassStage::at(1, layers),
                PassStage::Layer {
                    layer: 0,
                    part: Part::Qkv
                }
            );
        }
    }

    #[test]
    fn layers_are_reached_one_at_a_time() {
        let rows: Vec<usize> = (0..PassStage::count(2))
            .map(|i| PassStage::at(i, 2).layers_reached(2))
            .collect();
        assert_eq!(rows, vec![0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2]);
    }
}
