//! The model as pre-training sees it: the encoder and MLM head of [`BertWeights`]
//! plus the two parts only pre-training uses, the pooler (tanh on `[CLS]`) and the
//! next-sentence head `cls.seq_relationship`. `BertWeights` does not hold these (the
//! app's forward pass never needed them), so they live here, in [`PretrainHeads`].

use ndarray::{Array1, Array2};
use thiserror::Error;

use crate::model::bert::config::BertConfig;
use crate::model::bert::embeddings::Embeddings;
use crate::model::bert::forward::ForwardError;
use crate::model::bert::layer::Layer;
use crate::model::bert::linear::{LayerNorm, Linear};
use crate::model::bert::mlm::MlmHead;
use crate::model::bert::weights::{BertWeights, WeightsError};
use crate::model::numerics::rng::SplitMix64;

/// Errors of the training code: inputs, labels and mismatched containers.
#[derive(Debug, Error, PartialEq)]
pub enum TrainError {
    #[error("the weights have no MLM head (cls.predictions), which pre-training needs")]
    NoMlmHead,
    #[error(transparent)]
    Input(#[from] ForwardError),
    #[error("{what} has {found} entries for {tokens} tokens")]
    LabelLength {
        what: &'static str,
        found: usize,
        tokens: usize,
    },
    #[error("MLM label {id} is outside the vocabulary of {vocab}")]
    LabelOutOfRange { id: u32, vocab: usize },
    #[error("the pooler or NSP head does not fit hidden size {hidden}")]
    HeadShape { hidden: usize },
    #[error("gradients and parameters do not match at `{0}`")]
    Mismatch(String),
    #[error("{0}")]
    Weights(String),
    #[error("{0}")]
    Setup(String),
}

impl From<WeightsError> for TrainError {
    fn from(e: WeightsError) -> Self {
        TrainError::Weights(e.to_string())
    }
}

/// `bert.pooler.dense` and `cls.seq_relationship`: `[CLS]`'s last hidden state →
/// tanh(dense) → two logits, IsNext (0) and NotNext (1), Hugging Face's order.
#[derive(Debug, Clone, PartialEq)]
pub struct PretrainHeads {
    /// `(hidden × hidden)`.
    pub pooler: Linear,
    /// `(2 × hidden)`.
    pub seq_relationship: Linear,
}

impl PretrainHeads {
    /// BERT's initialisation: matrices ~ N(0, 0.02²), biases 0.
    pub fn random(config: &BertConfig, rng: &mut SplitMix64) -> Self {
        let h = config.hidden_size;
        let mut mat = |rows, cols| {
            Array2::from_shape_simple_fn((rows, cols), || (rng.normal() * 0.02) as f32)
        };
        let pooler = Linear {
            weight: mat(h, h),
            bias: Array1::zeros(h),
        };
        let seq_relationship = Linear {
            weight: mat(2, h),
            bias: Array1::zeros(2),
        };
        Self {
            pooler,
            seq_relationship,
        }
    }

    /// All zeros (a gradient container's shape).
    pub fn zeros(hidden: usize) -> Self {
        let lin = |out, inp| Linear {
            weight: Array2::zeros((out, inp)),
            bias: Array1::zeros(out),
        };
        Self {
            pooler: lin(hidden, hidden),
            seq_relationship: lin(2, hidden),
        }
    }

    fn fits(&self, hidden: usize) -> bool {
        self.pooler.weight.dim() == (hidden, hidden)
            && self.pooler.bias.len() == hidden
            && self.seq_relationship.weight.dim() == (2, hidden)
            && self.seq_relationship.bias.len() == 2
    }
}

/// Everything pre-training updates. The fields mirror [`BertWeights`] (with the
/// MLM head required, not optional) so that [`super::grads::Grads`] can mirror
/// this struct field for field.
#[derive(Debug, Clone, PartialEq)]
pub struct PretrainModel {
    pub config: BertConfig,
    pub embeddings: Embeddings,
    pub layers: Vec<Layer>,
    /// With `decoder: None` the decoder is tied to `embeddings.word`.
    pub mlm: MlmHead,
    pub heads: PretrainHeads,
}

impl PretrainModel {
    /// A fresh model: [`BertWeights::random`] for the encoder and MLM head (decoder
    /// tied), and the pooler and NSP head from a second stream of the same seed.
    pub fn random(config: &BertConfig, seed: u64) -> Result<Self, TrainError> {
        let bert = BertWeights::random(config, seed)?;
        let heads = PretrainHeads::random(config, &mut SplitMix64::for_stream(seed, 1));
        Self::from_parts(bert, heads)
    }

    /// Joins loaded weights (which must have an MLM head) and pre-training heads.
    pub fn from_parts(bert: BertWeights, heads: PretrainHeads) -> Result<Self, TrainError> {
        let mlm = bert.mlm.ok_or(TrainError::NoMlmHead)?;
        let hidden = bert.config.hidden_size;
        if !heads.fits(hidden) {
            return Err(TrainError::HeadShape { hidden });
        }
        Ok(Self {
            config: bert.config,
            embeddings: bert.embeddings,
            layers: bert.layers,
            mlm,
            heads,
        })
    }

    /// Parameters in every tensor (the tied decoder counted once).
    pub fn parameter_count(&self) -> usize {
        super::grads::model_tensors(self)
            .iter()
            .map(|(_, t)| t.len())
            .sum()
    }

    /// The encoder and MLM head as the app's [`BertWeights`] (a copy), for the
    /// forward pass, saving and the lessons. The pooler and NSP head are not in it.
    pub fn to_bert_weights(&self) -> BertWeights {
        BertWeights {
            config: self.config.clone(),
            embeddings: self.embeddings.clone(),
            layers: self.layers.clone(),
            mlm: Some(self.mlm.clone()),
        }
    }
}

/// A zero `LayerNorm` of `width` (gradient shape).
pub(super) fn zero_layer_norm(width: usize) -> LayerNorm {
    LayerNorm {
        gamma: Array1::zeros(width),
        beta: Array1::zeros(width),
    }
}
