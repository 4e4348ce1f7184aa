//! The gradient container: one tensor per parameter of a [`PretrainModel`], same
//! shapes, same field structure (it reuses the model's own part types), so each
//! backward pass writes its gradient into the mirror of the weight it read.
//!
//! [`named_params`] walks model and gradients side by side under Hugging Face's
//! tensor names in a stable order: the optimiser keeps its moments by position in
//! that list, and the finite-difference tests visit every parameter through it.

use ndarray::{Array1, Array2, ArrayViewD, ArrayViewMutD};

use super::model::{PretrainHeads, PretrainModel, TrainError, zero_layer_norm};
use crate::model::bert::config::BertConfig;
use crate::model::bert::embeddings::Embeddings;
use crate::model::bert::layer::{Layer, ResidualOutput, SelfAttention};
use crate::model::bert::linear::Linear;
use crate::model::bert::mlm::MlmHead;

/// The tensors of a model-shaped struct (a [`PretrainModel`] or [`Grads`]) under
/// their names. `$view`, `$iter`, `$opt` pick shared (`view`, `iter`, `as_ref`) or
/// exclusive (`view_mut`, `iter_mut`, `as_mut`) borrows, so one list serves both.
macro_rules! walk {
    ($s:expr, $view:ident, $iter:ident, $opt:ident) => {{
        let mut out = Vec::new();
        macro_rules! put {
            ($name:expr, $t:expr) => {
                out.push((String::from($name), $t.$view().into_dyn()))
            };
        }
        macro_rules! linear {
            ($p:expr, $l:expr) => {{
                put!(format!("{}.weight", $p), $l.weight);
                put!(format!("{}.bias", $p), $l.bias);
            }};
        }
        macro_rules! norm {
            ($p:expr, $l:expr) => {{
                put!(format!("{}.weight", $p), $l.gamma);
                put!(format!("{}.bias", $p), $l.beta);
            }};
        }
        put!("bert.embeddings.word_embeddings.weight", $s.embeddings.word);
        put!(
            "bert.embeddings.position_embeddings.weight",
            $s.embeddings.position
        );
        put!(
            "bert.embeddings.token_type_embeddings.weight",
            $s.embeddings.token_type
        );
        norm!("bert.embeddings.LayerNorm", $s.embeddings.layer_norm);
        for (n, layer) in $s.layers.$iter().enumerate() {
            let p = format!("bert.encoder.layer.{n}");
            linear!(format!("{p}.attention.self.query"), layer.attention.query);
            linear!(format!("{p}.attention.self.key"), layer.attention.key);
            linear!(format!("{p}.attention.self.value"), layer.attention.value);
            linear!(
                format!("{p}.attention.output.dense"),
                layer.attention_output.dense
            );
            norm!(
                format!("{p}.attention.output.LayerNorm"),
                layer.attention_output.layer_norm
            );
            linear!(format!("{p}.intermediate.dense"), layer.intermediate);
            linear!(format!("{p}.output.dense"), layer.output.dense);
            norm!(format!("{p}.output.LayerNorm"), layer.output.layer_norm);
        }
        linear!("bert.pooler.dense", $s.heads.pooler);
        linear!("cls.predictions.transform.dense", $s.mlm.transform);
        norm!("cls.predictions.transform.LayerNorm", $s.mlm.layer_norm);
        if let Some(d) = $s.mlm.decoder.$opt() {
            out.push((
                String::from("cls.predictions.decoder.weight"),
                d.$view().into_dyn(),
            ));
        }
        put!("cls.predictions.bias", $s.mlm.bias);
        linear!("cls.seq_relationship", $s.heads.seq_relationship);
        out
    }};
}

/// `∂L/∂θ` for every parameter θ of a [`PretrainModel`].
#[derive(Debug, Clone, PartialEq)]
pub struct Grads {
    pub embeddings: Embeddings,
    pub layers: Vec<Layer>,
    /// `decoder` is `Some` only when the model's decoder is untied; a tied
    /// decoder's gradient is added into `embeddings.word`.
    pub mlm: MlmHead,
    pub heads: PretrainHeads,
}

impl Grads {
    /// Zeros shaped like a model of `config` with a tied decoder.
    pub fn zeros(config: &BertConfig) -> Self {
        let h = config.hidden_size;
        let i = config.intermediate_size;
        let lin = |out, inp| Linear {
            weight: Array2::zeros((out, inp)),
            bias: Array1::zeros(out),
        };
        let layer = || Layer {
            attention: SelfAttention {
                query: lin(h, h),
                key: lin(h, h),
                value: lin(h, h),
            },
            attention_output: ResidualOutput {
                dense: lin(h, h),
                layer_norm: zero_layer_norm(h),
            },
            intermediate: lin(i, h),
            output: ResidualOutput {
                dense: lin(h, i),
                layer_norm: zero_layer_norm(h),
            },
        };
        Self {
            embeddings: Embeddings {
                word: Array2::zeros((config.vocab_size, h)),
                position: Array2::zeros((config.max_position_embeddings, h)),
                token_type: Array2::zeros((config.type_vocab_size, h)),
                layer_norm: zero_layer_norm(h),
            },
            layers: (0..config.num_hidden_layers).map(|_| layer()).collect(),
            mlm: MlmHead {
                transform: lin(h, h),
                layer_norm: zero_layer_norm(h),
                decoder: None,
                bias: Array1::zeros(config.vocab_size),
            },
            heads: PretrainHeads::zeros(h),
        }
    }

    /// Zeros shaped like `model` (an untied decoder gets its own gradient).
    pub fn zeros_like(model: &PretrainModel) -> Self {
        let mut grads = Self::zeros(&model.config);
        grads.mlm.decoder = model.mlm.decoder.as_ref().map(|d| Array2::zeros(d.dim()));
        // The sentence head may have more than NSP's two classes (fine-tuning).
        let head = &model.heads.seq_relationship;
        grads.heads.seq_relationship = Linear {
            weight: Array2::zeros(head.weight.dim()),
            bias: Array1::zeros(head.bias.len()),
        };
        grads
    }

    /// Sets every gradient to 0 (before the next batch).
    pub fn fill_zero(&mut self) {
        for (_, mut g) in tensors_mut(self) {
            g.fill(0.0);
        }
    }

    /// `self += other`, tensor by tensor (gradients of several workers or batches).
    pub fn add(&mut self, other: &Grads) -> Result<(), TrainError> {
        let theirs = tensors(other);
        let ours = tensors_mut(self);
        if ours.len() != theirs.len() {
            return Err(TrainError::Mismatch("the number of tensors".into()));
        }
        for ((name, mut a), (_, b)) in ours.into_iter().zip(theirs) {
            if a.shape() != b.shape() {
                return Err(TrainError::Mismatch(name));
            }
            a += &b;
        }
        Ok(())
    }

    /// Multiplies every gradient by `factor` (averaging, clipping).
    pub fn scale(&mut self, factor: f32) {
        for (_, mut g) in tensors_mut(self) {
            g *= factor;
        }
    }

    /// `√Σ g²` over all gradients together, summed in f64.
    pub fn global_norm(&self) -> f64 {
        tensors(self)
            .iter()
            .flat_map(|(_, g)| g.iter())
            .map(|&x| x as f64 * x as f64)
            .sum::<f64>()
            .sqrt()
    }

    /// Every gradient tensor under its parameter's name, in [`named_params`] order.
    pub fn named(&self) -> Vec<(String, ArrayViewD<'_, f32>)> {
        tensors(self)
    }
}

/// One parameter with its gradient, as [`named_params`] hands them out.
pub struct ParamGrad<'a> {
    /// The Hugging Face tensor name (`bert.encoder.layer.0.attention.self.query.weight`).
    pub name: String,
    pub param: ArrayViewMutD<'a, f32>,
    pub grad: ArrayViewD<'a, f32>,
}

/// Every parameter of `model` beside its gradient in `grads`, in a stable order
/// (embeddings, layers, pooler, MLM head, NSP head). Fails if `grads` was made for
/// a model of another shape.
pub fn named_params<'a>(
    model: &'a mut PretrainModel,
    grads: &'a Grads,
) -> Result<Vec<ParamGrad<'a>>, TrainError> {
    let params = walk!(model, view_mut, iter_mut, as_mut);
    let grads = tensors(grads);
    if params.len() != grads.len() {
        return Err(TrainError::Mismatch("the number of tensors".into()));
    }
    params
        .into_iter()
        .zip(grads)
        .map(|((name, param), (grad_name, grad))| {
            if name != grad_name || param.shape() != grad.shape() {
                return Err(TrainError::Mismatch(name));
            }
            Ok(ParamGrad { name, param, grad })
        })
        .collect()
}

fn tensors(g: &Grads) -> Vec<(String, ArrayViewD<'_, f32>)> {
    walk!(g, view, iter, as_ref)
}

fn tensors_mut(g: &mut Grads) -> Vec<(String, ArrayViewMutD<'_, f32>)> {
    walk!(g, view_mut, iter_mut, as_mut)
}

/// Every parameter of `model` under its Hugging Face name, in [`named_params`]
/// order (checkpoints and export write this list).
pub fn model_tensors(model: &PretrainModel) -> Vec<(String, ArrayViewD<'_, f32>)> {
    walk!(model, view, iter, as_ref)
}

/// [`model_tensors`] for writing (a checkpoint being restored).
pub fn model_tensors_mut(model: &mut PretrainModel) -> Vec<(String, ArrayViewMutD<'_, f32>)> {
    walk!(model, view_mut, iter_mut, as_mut)
}
