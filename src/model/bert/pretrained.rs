//! A BERT with its pre-training heads: the encoder and MLM head the app always ran,
//! plus the pooler and next-sentence head when the checkpoint has them. This is what
//! the BERT lesson asks questions of: fill a blank, judge a sentence pair.

use super::builtin_model;
use super::forward::{ForwardOptions, forward};
use super::model_dir::{Model, ModelError};
use super::trace::{Prediction, Trace};
use super::train::PretrainHeads;
use super::train::checkpoint::read_heads;
use crate::model::tokenize::ModelInput;

/// A model and, when its file had them, the pooler and NSP head.
pub struct PretrainedBert {
    pub model: Model,
    pub heads: Option<PretrainHeads>,
}

/// `P(IsNext)` and where it came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NspResult {
    /// Softmax probability of class 0, "B follows A".
    pub is_next: f32,
    /// The two logits (IsNext, NotNext).
    pub logits: [f32; 2],
}

impl PretrainedBert {
    /// The model shipped inside the app.
    pub fn builtin() -> Result<Self, ModelError> {
        let model = builtin_model::load()?;
        let heads = read_heads(builtin_model::WEIGHTS, model.config.hidden_size);
        Ok(Self { model, heads })
    }

    /// Positions the model has (longer inputs are cut by [`Self::fit`]).
    pub fn max_tokens(&self) -> usize {
        self.model.config.max_position_embeddings
    }

    /// Cuts an encoding to the model's positions, keeping its final `[SEP]`.
    pub fn fit(&self, mut input: ModelInput) -> ModelInput {
        input.truncate_keeping_last(self.max_tokens());
        input
    }

    /// The forward pass with `top_k` predictions per position.
    pub fn run(&self, input: &ModelInput, top_k: usize) -> Result<Trace, String> {
        let opts = ForwardOptions {
            top_k,
            ..ForwardOptions::default()
        };
        forward(&self.model.weights, input, &opts).map_err(|e| e.to_string())
    }

    /// The forward pass with `false` in `mask` marking padding (no predictions).
    pub fn run_masked(&self, input: &ModelInput, mask: Option<Vec<bool>>) -> Result<Trace, String> {
        let opts = ForwardOptions {
            attention_mask: mask,
            top_k: 0,
            ..ForwardOptions::default()
        };
        forward(&self.model.weights, input, &opts).map_err(|e| e.to_string())
    }

    /// The best guesses at `position` (empty without an MLM head).
    pub fn guesses(trace: &Trace, position: usize) -> &[Prediction] {
        trace
            .mlm
            .as_ref()
            .and_then(|m| m.top_k.get(position))
            .map_or(&[], Vec::as_slice)
    }

    /// Next-sentence prediction from `[CLS]`'s last hidden state: pooler (dense +
    /// tanh), then the two-way head. `None` without the heads.
    pub fn nsp(&self, trace: &Trace) -> Option<NspResult> {
        let heads = self.heads.as_ref()?;
        let last = trace.layers.last().map(|l| &l.output)?;
        let cls = last.slice(ndarray::s![0..1, ..]); // (1 × hidden)
        let pooled = heads.pooler.forward(&cls).mapv(f32::tanh);
        let logits = heads.seq_relationship.forward(&pooled.view()); // (1 × 2)
        let (a, b) = (logits[[0, 0]], logits[[0, 1]]);
        let m = a.max(b);
        let (ea, eb) = ((a - m).exp(), (b - m).exp());
        Some(NspResult {
            is_next: ea / (ea + eb),
            logits: [a, b],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_the_final_sep_and_the_model_runs() {
        let bert = PretrainedBert::builtin().expect("the shipped model loads");
        let long = "word ".repeat(400);
        let input = bert.fit(bert.model.encode(&long, Some("and more")));
        assert_eq!(input.ids.len(), bert.max_tokens());
        assert_eq!(input.tokens.last().map(String::as_str), Some("[SEP]"));
        let trace = bert.run(&input, 3).expect("runs");
        assert_eq!(PretrainedBert::guesses(&trace, 1).len(), 3);
    }
}
