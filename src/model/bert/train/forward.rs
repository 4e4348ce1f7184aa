//! The training forward pass of one sequence: the same arithmetic as
//! [`crate::model::bert::forward`] (it calls the same parts), keeping what the
//! backward pass needs, then the two pre-training losses. The MLM head runs only
//! on the chosen positions: the vocabulary-wide product is most of its cost.

use ndarray::{Array2, Axis};

use super::loss::cross_entropy_rows;
use super::model::{PretrainModel, TrainError};
use super::ops::{LayerNormCache, layer_norm_forward};
use crate::model::bert::activation::activate;
use crate::model::bert::forward::{ForwardOptions, check_input};
use crate::model::bert::layer::AttentionParts;
use crate::model::numerics::matmul::mat_mul;
use crate::model::tokenize::ModelInput;

/// Next-sentence label in Hugging Face's order: class 0 is "B follows A".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NspLabel {
    IsNext = 0,
    NotNext = 1,
}

/// One pre-training sequence: `[CLS] A [SEP] B [SEP] [PAD]…` after masking.
#[derive(Debug, Clone, PartialEq)]
pub struct PretrainExample {
    pub ids: Vec<u32>,
    pub type_ids: Vec<u32>,
    /// `false` marks padding.
    pub attention_mask: Vec<bool>,
    /// The original token at each chosen position; `None` elsewhere (no loss).
    pub mlm_labels: Vec<Option<u32>>,
    /// `None` trains MLM only on this sequence.
    pub nsp_label: Option<NspLabel>,
}

/// Losses of one sequence and what the trainer's log counts.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Losses {
    /// Mean MLM cross-entropy over the chosen positions (0 with none).
    pub mlm: f64,
    /// NSP cross-entropy (0 without a label).
    pub nsp: f64,
    /// Chosen positions, and how many the model's top-1 gets right.
    pub mlm_count: usize,
    pub mlm_correct: usize,
    /// Whether NSP's best class was the label (`None` without a label).
    pub nsp_correct: Option<bool>,
}

impl Losses {
    /// The pre-training objective, MLM + NSP.
    pub fn total(&self) -> f64 {
        self.mlm + self.nsp
    }
}

/// What one encoder layer's backward needs.
pub struct LayerCache {
    /// The layer's input, `(tokens × hidden)`.
    pub input: Array2<f32>,
    pub attention: AttentionParts,
    pub attention_ln: LayerNormCache,
    /// After the attention block's residual LayerNorm, `(tokens × hidden)`.
    pub attention_norm: Array2<f32>,
    /// FFN before and after the activation, `(tokens × intermediate)`.
    pub ffn_pre: Array2<f32>,
    pub ffn_act: Array2<f32>,
    pub output_ln: LayerNormCache,
}

/// The MLM head on the chosen rows, `m` of them.
pub struct MlmCache {
    /// Which positions were chosen, and their labels.
    pub rows: Vec<usize>,
    /// The encoder's output at those rows, `(m × hidden)`.
    pub input: Array2<f32>,
    /// Transform dense before and after the activation, `(m × hidden)`.
    pub pre: Array2<f32>,
    pub act: Array2<f32>,
    pub ln: LayerNormCache,
    /// The transform's output, the decoder's input, `(m × hidden)`.
    pub transformed: Array2<f32>,
    /// `∂mlm/∂logits`, `(m × vocab)`.
    pub d_logits: Array2<f32>,
}

/// The pooler and NSP head on `[CLS]`.
pub struct NspCache {
    /// `[CLS]`'s last hidden state and the pooler's tanh output, `(1 × hidden)`.
    pub cls: Array2<f32>,
    pub pooled: Array2<f32>,
    /// `∂nsp/∂logits`, `(1 × 2)`.
    pub d_logits: Array2<f32>,
}

/// Everything the backward pass of one sequence reads.
pub struct ForwardCache {
    pub ids: Vec<u32>,
    pub type_ids: Vec<u32>,
    pub mask: Vec<bool>,
    pub embeddings_ln: LayerNormCache,
    pub layers: Vec<LayerCache>,
    /// The last layer's output, `(tokens × hidden)`.
    pub hidden: Array2<f32>,
    pub mlm: Option<MlmCache>,
    pub nsp: Option<NspCache>,
}

/// Checks an example against the model (the app's own input checks, then labels).
pub fn check_example(model: &PretrainModel, ex: &PretrainExample) -> Result<(), TrainError> {
    let n = ex.ids.len();
    let input = ModelInput {
        type_ids: ex.type_ids.clone(),
        ..ModelInput::from_ids(ex.ids.clone())
    };
    let opts = ForwardOptions {
        attention_mask: Some(ex.attention_mask.clone()),
        ..ForwardOptions::default()
    };
    check_input(&model.config, &input, &opts)?;
    if ex.mlm_labels.len() != n {
        return Err(TrainError::LabelLength {
            what: "mlm_labels",
            found: ex.mlm_labels.len(),
            tokens: n,
        });
    }
    let vocab = model.config.vocab_size;
    if let Some(id) = ex
        .mlm_labels
        .iter()
        .flatten()
        .find(|&&id| id as usize >= vocab)
    {
        return Err(TrainError::LabelOutOfRange { id: *id, vocab });
    }
    Ok(())
}

/// The encoder on one sequence, `(tokens × hidden)`, with the caches of every step.
pub fn encode(
    model: &PretrainModel,
    ids: &[u32],
    type_ids: &[u32],
    mask: &[bool],
) -> (Array2<f32>, LayerNormCache, Vec<LayerCache>) {
    let config = &model.config;
    let eps = config.layer_norm_eps;
    let emb = &model.embeddings;
    let rows = |table: &Array2<f32>, idx: &[u32]| {
        let idx: Vec<usize> = idx.iter().map(|&i| i as usize).collect();
        table.select(Axis(0), &idx) // (tokens × hidden)
    };
    let n = ids.len();
    let sum = rows(&emb.word, ids)
        + emb.position.slice(ndarray::s![..n, ..])
        + &rows(&emb.token_type, type_ids); // (tokens × hidden)
    let (mut x, embeddings_ln) = layer_norm_forward(&emb.layer_norm, &sum.view(), eps);
    let mut caches = Vec::with_capacity(model.layers.len());
    for layer in &model.layers {
        let attention = layer.attention.forward(config, &x, mask, &[]);
        let projected = layer
            .attention_output
            .dense
            .forward(&attention.merged.view());
        let (attention_norm, attention_ln) = layer_norm_forward(
            &layer.attention_output.layer_norm,
            &(&projected + &x).view(),
            eps,
        );
        let ffn_pre = layer.intermediate.forward(&attention_norm.view()); // (tokens × intermediate)
        let mut ffn_act = ffn_pre.clone();
        activate(&mut ffn_act, config.hidden_act);
        let out = layer.output.dense.forward(&ffn_act.view()) + &attention_norm;
        let (output, output_ln) = layer_norm_forward(&layer.output.layer_norm, &out.view(), eps);
        caches.push(LayerCache {
            input: std::mem::replace(&mut x, output),
            attention,
            attention_ln,
            attention_norm,
            ffn_pre,
            ffn_act,
            output_ln,
        });
    }
    (x, embeddings_ln, caches)
}

/// The MLM transform (dense, activation, LayerNorm) on `x` `(rows × hidden)`:
/// pre-activation, activation, LayerNorm cache and output.
pub(super) fn mlm_transform(
    model: &PretrainModel,
    x: &Array2<f32>,
) -> (Array2<f32>, Array2<f32>, LayerNormCache, Array2<f32>) {
    let pre = model.mlm.transform.forward(&x.view()); // (rows × hidden)
    let mut act = pre.clone();
    activate(&mut act, model.config.hidden_act);
    let (out, ln) = layer_norm_forward(
        &model.mlm.layer_norm,
        &act.view(),
        model.config.layer_norm_eps,
    );
    (pre, act, ln, out)
}

/// The decoder matrix `(vocab × hidden)`: the word embeddings unless untied.
pub fn decoder(model: &PretrainModel) -> &Array2<f32> {
    model.mlm.decoder.as_ref().unwrap_or(&model.embeddings.word)
}

/// MLM logits `(rows × vocab)` for every row of `hidden` (evaluation, tests).
pub fn mlm_logits(model: &PretrainModel, hidden: &Array2<f32>) -> Array2<f32> {
    let (_, _, _, t) = mlm_transform(model, hidden);
    mat_mul(&t.view(), &decoder(model).t()) + &model.mlm.bias
}

/// Forward pass and losses of one example, with the caches for [`super::backward`].
pub fn forward_example(
    model: &PretrainModel,
    ex: &PretrainExample,
) -> Result<(Losses, ForwardCache), TrainError> {
    check_example(model, ex)?;
    let (hidden, embeddings_ln, layers) = encode(model, &ex.ids, &ex.type_ids, &ex.attention_mask);
    let mut losses = Losses::default();

    let (rows, labels): (Vec<usize>, Vec<usize>) = ex
        .mlm_labels
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.map(|id| (i, id as usize)))
        .unzip();
    let mlm = (!rows.is_empty()).then(|| {
        let input = hidden.select(Axis(0), &rows); // (m × hidden)
        let (pre, act, ln, transformed) = mlm_transform(model, &input);
        let logits = mat_mul(&transformed.view(), &decoder(model).t()) + &model.mlm.bias;
        let (loss, correct, d_logits) = cross_entropy_rows(&logits, &labels);
        losses.mlm = loss;
        losses.mlm_count = rows.len();
        losses.mlm_correct = correct;
        MlmCache {
            rows,
            input,
            pre,
            act,
            ln,
            transformed,
            d_logits,
        }
    });

    let nsp = ex.nsp_label.map(|label| {
        let cls = hidden.slice(ndarray::s![0..1, ..]).to_owned(); // (1 × hidden)
        let pooled = model.heads.pooler.forward(&cls.view()).mapv(f32::tanh);
        let logits = model.heads.seq_relationship.forward(&pooled.view()); // (1 × 2)
        let (loss, correct, d_logits) = cross_entropy_rows(&logits, &[label as usize]);
        losses.nsp = loss;
        losses.nsp_correct = Some(correct == 1);
        NspCache {
            cls,
            pooled,
            d_logits,
        }
    });

    let cache = ForwardCache {
        ids: ex.ids.clone(),
        type_ids: ex.type_ids.clone(),
        mask: ex.attention_mask.clone(),
        embeddings_ln,
        layers,
        hidden,
        mlm,
        nsp,
    };
    Ok((losses, cache))
}
