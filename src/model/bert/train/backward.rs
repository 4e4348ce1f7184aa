//! The backward pass of one sequence: the forward's steps in reverse, each adding
//! its parameters' gradients into [`Grads`]. The two heads meet at the encoder's
//! output; the tied decoder's gradient joins the word embeddings' look-up gradient
//! in the same matrix.

use ndarray::{Array2, Axis, s};

use super::attention::attention_backward;
use super::forward::{ForwardCache, LayerCache, PretrainExample, decoder};
use super::grads::Grads;
use super::model::{PretrainModel, TrainError};
use super::ops::{LayerNormCache, activation_backward, layer_norm_backward, linear_backward};
use crate::model::bert::config::BertConfig;
use crate::model::bert::layer::Layer;
use crate::model::numerics::matmul::{mat_mul, mat_mul_add};

/// Adds `d_mlm·∂mlm/∂θ + d_nsp·∂nsp/∂θ` into `grads`. `d_mlm` and `d_nsp` are the
/// weights of this sequence's two losses in the batch objective (1 and 1 for a
/// single sequence's total; see [`batch_loss_and_grads`] for a batch).
///
/// `grads` must be shaped like `model` ([`Grads::zeros_like`]); the cache must
/// come from [`super::forward::forward_example`] on the same model, which checked
/// the ids against it.
pub fn backward(
    model: &PretrainModel,
    cache: &ForwardCache,
    d_mlm: f32,
    d_nsp: f32,
    grads: &mut Grads,
) {
    let config = &model.config;
    let mut dh = Array2::<f32>::zeros(cache.hidden.dim()); // ∂L/∂hidden, (tokens × hidden)

    if let Some(mlm) = &cache.mlm {
        let d_logits = &mlm.d_logits * d_mlm; // (m × vocab)
        grads.mlm.bias += &d_logits.sum_axis(Axis(0));
        // ∂L/∂decoder = d_logitsᵀ · transformed, (vocab × hidden), added in place.
        let target = match grads.mlm.decoder.as_mut() {
            Some(untied) => untied,
            None => &mut grads.embeddings.word,
        };
        mat_mul_add(
            &d_logits.t(),
            &mlm.transformed.view(),
            &mut target.view_mut(),
        );
        let dt = mat_mul(&d_logits.view(), &decoder(model).view()); // (m × hidden)
        let mut d_act = layer_norm_backward(
            &model.mlm.layer_norm,
            &mlm.ln,
            &dt.view(),
            &mut grads.mlm.layer_norm,
        );
        activation_backward(config.hidden_act, &mlm.pre, &mut d_act);
        let dx = linear_backward(
            &model.mlm.transform,
            &mlm.input.view(),
            &d_act.view(),
            &mut grads.mlm.transform,
        );
        for (row, &at) in dx.rows().into_iter().zip(&mlm.rows) {
            let mut target = dh.row_mut(at);
            target += &row;
        }
    }

    if let Some(nsp) = &cache.nsp {
        let heads = &model.heads;
        let d_logits = &nsp.d_logits * d_nsp; // (1 × 2)
        let d_pooled = linear_backward(
            &heads.seq_relationship,
            &nsp.pooled.view(),
            &d_logits.view(),
            &mut grads.heads.seq_relationship,
        ); // (1 × hidden)
        let d_pre = &d_pooled * &nsp.pooled.mapv(|p| 1.0 - p * p); // tanh' = 1 − tanh²
        let d_cls = linear_backward(
            &heads.pooler,
            &nsp.cls.view(),
            &d_pre.view(),
            &mut grads.heads.pooler,
        );
        let mut first = dh.slice_mut(s![0..1, ..]);
        first += &d_cls;
    }

    for ((layer, lc), lg) in model
        .layers
        .iter()
        .zip(&cache.layers)
        .zip(grads.layers.iter_mut())
        .rev()
    {
        dh = layer_backward(model, layer, lc, &dh, lg);
    }

    // Embeddings: LayerNorm of word + position + segment rows.
    let emb = &model.embeddings;
    let d_sum = layer_norm_backward(
        &emb.layer_norm,
        &cache.embeddings_ln,
        &dh.view(),
        &mut grads.embeddings.layer_norm,
    ); // (tokens × hidden)
    let ge = &mut grads.embeddings;
    for (i, row) in d_sum.rows().into_iter().enumerate() {
        let mut w = ge.word.row_mut(cache.ids[i] as usize);
        w += &row;
        let mut p = ge.position.row_mut(i);
        p += &row;
        let mut t = ge.token_type.row_mut(cache.type_ids[i] as usize);
        t += &row;
    }
}

/// What the part of a layer above the attention heads needs from the forward pass;
/// the per-sequence and the packed pass both keep these.
pub(super) struct UpperCaches<'a> {
    pub attention_ln: &'a LayerNormCache,
    /// `(rows × hidden)`.
    pub attention_norm: &'a Array2<f32>,
    /// `(rows × intermediate)`.
    pub ffn_pre: &'a Array2<f32>,
    pub ffn_act: &'a Array2<f32>,
    pub output_ln: &'a LayerNormCache,
    /// The heads' contexts side by side, `(rows × hidden)`.
    pub merged: &'a Array2<f32>,
}

/// A layer's FFN block and attention output in reverse, down to the heads: returns
/// `(∂L/∂sum, ∂L/∂merged)`, where the first is the gradient at the attention block's
/// residual sum (its input's share through the residual path) and the second the
/// gradient of the concatenated heads. Both passes run their own attention backward.
pub(super) fn upper_backward(
    config: &BertConfig,
    layer: &Layer,
    c: &UpperCaches<'_>,
    d_out: &Array2<f32>,
    grad: &mut Layer,
) -> (Array2<f32>, Array2<f32>) {
    // output = LN(dense(act(pre)) + attention_norm)
    let d_sum = layer_norm_backward(
        &layer.output.layer_norm,
        c.output_ln,
        &d_out.view(),
        &mut grad.output.layer_norm,
    ); // (rows × hidden)
    let mut d_act = linear_backward(
        &layer.output.dense,
        &c.ffn_act.view(),
        &d_sum.view(),
        &mut grad.output.dense,
    ); // (rows × intermediate)
    activation_backward(config.hidden_act, c.ffn_pre, &mut d_act);
    let mut d_norm = d_sum; // the residual path
    d_norm += &linear_backward(
        &layer.intermediate,
        &c.attention_norm.view(),
        &d_act.view(),
        &mut grad.intermediate,
    );
    // attention_norm = LN(dense(merged) + input)
    let d_sum = layer_norm_backward(
        &layer.attention_output.layer_norm,
        c.attention_ln,
        &d_norm.view(),
        &mut grad.attention_output.layer_norm,
    );
    let d_merged = linear_backward(
        &layer.attention_output.dense,
        &c.merged.view(),
        &d_sum.view(),
        &mut grad.attention_output.dense,
    ); // (rows × hidden)
    (d_sum, d_merged)
}

/// One encoder layer in reverse: FFN block, then attention block; returns
/// `∂L/∂input` given `∂L/∂output`.
fn layer_backward(
    model: &PretrainModel,
    layer: &Layer,
    lc: &LayerCache,
    d_out: &Array2<f32>,
    grad: &mut Layer,
) -> Array2<f32> {
    let config = &model.config;
    let (d_sum, d_merged) = upper_backward(
        config,
        layer,
        &UpperCaches {
            attention_ln: &lc.attention_ln,
            attention_norm: &lc.attention_norm,
            ffn_pre: &lc.ffn_pre,
            ffn_act: &lc.ffn_act,
            output_ln: &lc.output_ln,
            merged: &lc.attention.merged,
        },
        d_out,
        grad,
    );
    let mut d_in = d_sum; // the residual path
    d_in += &attention_backward(
        &layer.attention,
        config,
        &lc.input,
        &lc.attention,
        &d_merged,
        &mut grad.attention,
    );
    d_in
}

/// Losses of a batch, summed the way the objective weighs them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BatchLosses {
    /// MLM cross-entropy averaged over every chosen position of the batch (as
    /// Hugging Face's `ignore_index = -100` mean), NSP averaged over the sequences
    /// with a label.
    pub mlm: f64,
    pub nsp: f64,
    pub mlm_count: usize,
    pub mlm_correct: usize,
    pub nsp_count: usize,
    pub nsp_correct: usize,
}

impl BatchLosses {
    /// The pre-training objective, MLM + NSP.
    pub fn total(&self) -> f64 {
        self.mlm + self.nsp
    }
}

/// Forward and backward over a batch: adds the gradient of the batch objective
/// into `grads` (zero it first for a fresh step) and returns the losses.
///
/// Each sequence's mean MLM loss is weighted by its share of the batch's chosen
/// positions, so the gradient is that of the mean over all positions.
pub fn batch_loss_and_grads(
    model: &PretrainModel,
    batch: &[PretrainExample],
    grads: &mut Grads,
) -> Result<BatchLosses, TrainError> {
    let totals = BatchTotals::of(batch);
    accumulate(model, batch, totals, grads)
}

/// How many MLM positions and NSP labels a whole batch has: each part of a batch
/// split across threads weighs its losses by the totals of the whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchTotals {
    pub mlm: usize,
    pub nsp: usize,
}

impl BatchTotals {
    pub fn of(batch: &[PretrainExample]) -> Self {
        Self {
            mlm: batch
                .iter()
                .flat_map(|ex| ex.mlm_labels.iter().flatten())
                .count(),
            nsp: batch.iter().filter(|ex| ex.nsp_label.is_some()).count(),
        }
    }
}

/// Forward and backward over `part` of a batch whose totals are `totals`: adds
/// this part's share of the batch gradient into `grads` and returns its share of
/// the losses (the parts' results add up to the whole batch's).
pub fn accumulate(
    model: &PretrainModel,
    part: &[PretrainExample],
    totals: BatchTotals,
    grads: &mut Grads,
) -> Result<BatchLosses, TrainError> {
    // The weights are known from the labels, so each sequence's cache can be
    // dropped as soon as its backward has run.
    let mut out = BatchLosses {
        mlm_count: totals.mlm,
        nsp_count: totals.nsp,
        ..BatchLosses::default()
    };
    for ex in part {
        let (losses, cache) = super::forward::forward_example(model, ex)?;
        let d_mlm = losses.mlm_count as f32 / totals.mlm.max(1) as f32;
        let d_nsp = 1.0 / totals.nsp.max(1) as f32;
        backward(model, &cache, d_mlm, d_nsp, grads);
        out.mlm += losses.mlm * f64::from(d_mlm);
        out.mlm_correct += losses.mlm_correct;
        if let Some(correct) = losses.nsp_correct {
            out.nsp += losses.nsp * f64::from(d_nsp);
            out.nsp_correct += usize::from(correct);
        }
    }
    Ok(out)
}

impl BatchLosses {
    /// Adds another part's share (both parts of one batch).
    pub fn merge(&mut self, other: &BatchLosses) {
        self.mlm += other.mlm;
        self.nsp += other.nsp;
        self.mlm_correct += other.mlm_correct;
        self.nsp_correct += other.nsp_correct;
    }
}
