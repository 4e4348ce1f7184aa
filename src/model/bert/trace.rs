//! The record of one forward pass: every intermediate tensor the lessons draw.
//!
//! Plain data only (no GPU handles, no references into the model), so a worker
//! thread can hand it to the UI and both backends can fill the same struct.
//! Shapes are written `(rows × cols)`; "tokens" is the sequence length.

use ndarray::{Array2, Array3, ArrayView2, ArrayView3};
use serde::Serialize;

/// One complete forward pass.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace {
    pub tokens: Vec<String>,
    pub ids: Vec<u32>,
    pub type_ids: Vec<u32>,
    /// False for padding positions, which receive no attention.
    pub attention_mask: Vec<bool>,
    pub embeddings: EmbeddingTrace,
    /// One entry per encoder layer, in order.
    pub layers: Vec<LayerTrace>,
    /// Present when the weights have an MLM head.
    pub mlm: Option<MlmTrace>,
    /// Which tensors hold values; the others are empty (see [`super::detail::lean`]).
    pub detail: super::detail::TraceDetail,
}

/// The embedding block: three table look-ups, their sum, then LayerNorm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmbeddingTrace {
    /// Word-piece embedding rows, `(tokens × hidden)`.
    pub token: Array2<f32>,
    /// Position embedding rows, `(tokens × hidden)`.
    pub position: Array2<f32>,
    /// Segment (token-type) embedding rows, `(tokens × hidden)`.
    pub segment: Array2<f32>,
    /// `token + position + segment`, `(tokens × hidden)`.
    pub sum: Array2<f32>,
    /// LayerNorm of the sum: the input of layer 0, `(tokens × hidden)`.
    pub normed: Array2<f32>,
}

/// One encoder layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerTrace {
    /// `None` when the layer was skipped by an ablation (identity).
    pub steps: Option<LayerSteps>,
    /// The layer's output hidden state, `(tokens × hidden)`.
    pub output: Array2<f32>,
}

/// Everything computed inside one (not skipped) layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerSteps {
    /// Queries per head, `(heads × tokens × head_dim)`.
    pub q: Array3<f32>,
    /// Keys per head, `(heads × tokens × head_dim)`.
    pub k: Array3<f32>,
    /// Values per head, `(heads × tokens × head_dim)`.
    pub v: Array3<f32>,
    /// Raw scores `QKᵀ/√d` before masking, `(heads × tokens × tokens)`; row = query.
    pub scores: Array3<f32>,
    /// Softmax of the masked scores; each row sums to 1, `(heads × tokens × tokens)`.
    pub weights: Array3<f32>,
    /// `weights · V` per head, zero for ablated heads, `(heads × tokens × head_dim)`.
    pub context: Array3<f32>,
    /// Heads whose context was zeroed by an ablation.
    pub ablated_heads: Vec<usize>,
    /// Output projection of the concatenated heads, `(tokens × hidden)`.
    pub attention_output: Array2<f32>,
    /// `LayerNorm(input + attention_output)`, `(tokens × hidden)`.
    pub attention_norm: Array2<f32>,
    /// FFN hidden layer after the activation (GELU), `(tokens × intermediate)`.
    pub ffn_intermediate: Array2<f32>,
    /// FFN output before the residual, `(tokens × hidden)`.
    pub ffn_output: Array2<f32>,
}

/// Masked-language-model predictions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MlmTrace {
    /// Best predictions per position, most likely first.
    pub top_k: Vec<Vec<Prediction>>,
}

/// One candidate token for one position.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prediction {
    pub id: u32,
    pub logit: f32,
    /// Softmax probability over the whole vocabulary.
    pub prob: f32,
}

impl Trace {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Hugging Face's `output_hidden_states`: index 0 is the embedding output,
    /// index i the output of layer i (`layers + 1` entries).
    pub fn hidden_states(&self) -> Vec<ArrayView2<'_, f32>> {
        std::iter::once(self.embeddings.normed.view())
            .chain(self.layers.iter().map(|l| l.output.view()))
            .collect()
    }

    /// Attention weights of one layer, `(heads × tokens × tokens)`; `None` for
    /// a skipped layer or an index past the end.
    pub fn attention(&self, layer: usize) -> Option<ArrayView3<'_, f32>> {
        let steps = self.layers.get(layer)?.steps.as_ref()?;
        Some(steps.weights.view())
    }
}
