//! How much of a forward pass a caller wants back. The GPU pass copies back only the
//! tensors a level keeps (a full trace of BERT-base at 128 tokens is about 75 MB, more
//! than the pass itself costs over PCIe); the CPU computes everything and drops the
//! rest, so both backends return the same subset. A dropped tensor is empty (no
//! elements); every kept one holds the same numbers as in the full trace.

use ndarray::{Array2, Array3};
use serde::Serialize;

use super::trace::Trace;

/// The tensors of a [`Trace`] a request asks for. Predictions (when the model has an
/// MLM head), tokens, ids and masks are in every level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum TraceDetail {
    /// Every intermediate tensor: what the playground and the live model panel draw.
    #[default]
    Full,
    /// The hidden states (embedding output and every layer's output) and the attention
    /// weights: what Hugging Face returns with `output_hidden_states` and
    /// `output_attentions`, and what `trace --json` prints.
    HiddenAndAttention,
    /// The last hidden state and the MLM predictions only.
    Predictions,
}

impl TraceDetail {
    pub const ALL: [Self; 3] = [Self::Full, Self::HiddenAndAttention, Self::Predictions];

    /// "full", "hidden-and-attention", "predictions" (as the command line spells them).
    pub fn name(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::HiddenAndAttention => "hidden-and-attention",
            Self::Predictions => "predictions",
        }
    }

    /// Q, K, V, raw scores, context, the sub-layer outputs, the FFN intermediate and the
    /// embedding's token, position and segment rows and their sum.
    pub fn keeps_steps(self) -> bool {
        self == Self::Full
    }

    /// The softmax weights of every layer.
    pub fn keeps_attention(self) -> bool {
        self != Self::Predictions
    }

    /// Hidden state `index` of `count` (index 0 the embedding output, index i the
    /// output of layer i − 1; `count` is layers + 1).
    pub fn keeps_hidden_state(self, index: usize, count: usize) -> bool {
        self != Self::Predictions || index + 1 == count
    }
}

/// `trace` with the tensors `detail` does not keep replaced by empty arrays: what the
/// GPU pass returns at that level.
pub fn lean(mut trace: Trace, detail: TraceDetail) -> Trace {
    trace.detail = detail;
    if detail == TraceDetail::Full {
        return trace;
    }
    let count = trace.layers.len() + 1;
    let e = &mut trace.embeddings;
    for t in [&mut e.token, &mut e.position, &mut e.segment, &mut e.sum] {
        *t = empty2();
    }
    if !detail.keeps_hidden_state(0, count) {
        e.normed = empty2();
    }
    for (i, layer) in trace.layers.iter_mut().enumerate() {
        if !detail.keeps_hidden_state(i + 1, count) {
            layer.output = empty2();
        }
        if let Some(s) = &mut layer.steps {
            for t in [&mut s.q, &mut s.k, &mut s.v, &mut s.scores, &mut s.context] {
                *t = empty3();
            }
            if !detail.keeps_attention() {
                s.weights = empty3();
            }
            for t in [
                &mut s.attention_output,
                &mut s.attention_norm,
                &mut s.ffn_intermediate,
                &mut s.ffn_output,
            ] {
                *t = empty2();
            }
        }
    }
    trace
}

/// A dropped `(rows × cols)` tensor.
pub fn empty2() -> Array2<f32> {
    Array2::zeros((0, 0))
}

/// A dropped `(heads × rows × cols)` tensor.
pub fn empty3() -> Array3<f32> {
    Array3::zeros((0, 0, 0))
}
