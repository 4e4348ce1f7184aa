//! One encoder layer (`encoder.layer.N.*`): multi-head self-attention, the output
//! projections with their residual LayerNorms and the feed-forward block, each
//! with its loading and its forward pass.

use ndarray::{Array2, Array3, Axis};

use super::activation::activate;
use super::config::BertConfig;
use super::linear::{LayerNorm, Linear};
use super::trace::LayerSteps;
use super::weights::{Reader, WeightsError};
use crate::model::numerics::matmul::mat_mul_into;
use crate::model::numerics::softmax::softmax_rows_masked;

/// Q, K, V projections of one layer (`attention.self.*`).
#[derive(Debug, Clone, PartialEq)]
pub struct SelfAttention {
    pub query: Linear,
    pub key: Linear,
    pub value: Linear,
}

/// Output projection + residual LayerNorm of a sub-block (`attention.output.*`, `output.*`).
#[derive(Debug, Clone, PartialEq)]
pub struct ResidualOutput {
    pub dense: Linear,
    pub layer_norm: LayerNorm,
}

/// One encoder layer (`encoder.layer.N.*`).
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub attention: SelfAttention,
    pub attention_output: ResidualOutput,
    /// `intermediate.dense`: hidden → intermediate, followed by the activation.
    pub intermediate: Linear,
    pub output: ResidualOutput,
}

/// What self-attention computed, before the output projection.
pub struct AttentionParts {
    /// `(heads × tokens × head_dim)`.
    pub q: Array3<f32>,
    pub k: Array3<f32>,
    pub v: Array3<f32>,
    /// `(heads × tokens × tokens)`.
    pub scores: Array3<f32>,
    pub weights: Array3<f32>,
    /// `(heads × tokens × head_dim)`.
    pub context: Array3<f32>,
    /// The heads' contexts side by side, `(tokens × hidden)`.
    pub merged: Array2<f32>,
}

impl SelfAttention {
    /// Reads `{prefix}.attention.self.{query,key,value}`, each `(hidden × hidden)`.
    fn load(reader: &Reader, prefix: &str, hidden: usize) -> Result<Self, WeightsError> {
        let h = hidden;
        Ok(SelfAttention {
            query: Linear::load(reader, &format!("{prefix}.attention.self.query"), h, h)?,
            key: Linear::load(reader, &format!("{prefix}.attention.self.key"), h, h)?,
            value: Linear::load(reader, &format!("{prefix}.attention.self.value"), h, h)?,
        })
    }

    /// Multi-head scaled dot-product attention. Reference: `BertSelfAttention`.
    ///
    /// All heads come out of one projection each for Q, K and V; the per-head
    /// products are `(tokens × head_dim)` matrix multiplications.
    pub fn forward(
        &self,
        config: &BertConfig,
        x: &Array2<f32>,
        mask: &[bool],
        ablated_heads: &[usize],
    ) -> AttentionParts {
        let n = x.nrows();
        let heads = config.num_attention_heads;
        let d = config.head_dim();
        let xv = x.view();
        let split = |t: Array2<f32>| -> Array3<f32> {
            // (tokens × hidden) → (tokens × heads × head_dim) → (heads × tokens × head_dim)
            let t = t
                .into_shape_with_order((n, heads, d))
                .expect("a (tokens × hidden) matrix splits into heads");
            t.permuted_axes([1, 0, 2]).as_standard_layout().into_owned()
        };
        let q = split(self.query.forward(&xv));
        let k = split(self.key.forward(&xv));
        let v = split(self.value.forward(&xv));

        let scale = 1.0 / (d as f32).sqrt();
        let mut scores = Array3::<f32>::zeros((heads, n, n)); // (heads × tokens × tokens)
        for h in 0..heads {
            let mut out = scores.index_axis_mut(Axis(0), h);
            mat_mul_into(
                scale,
                &q.index_axis(Axis(0), h),
                &k.index_axis(Axis(0), h).t(),
                &mut out,
            );
        }
        let mut weights = scores.clone();
        for mut row in weights.lanes_mut(Axis(2)) {
            let row = row
                .as_slice_mut()
                .expect("rows of a fresh array are contiguous");
            masked_softmax(row, mask);
        }
        let mut context = Array3::<f32>::zeros((heads, n, d)); // (heads × tokens × head_dim)
        for h in 0..heads {
            if ablated_heads.contains(&h) {
                continue; // an ablated head contributes zeros
            }
            let mut out = context.index_axis_mut(Axis(0), h);
            mat_mul_into(
                1.0,
                &weights.index_axis(Axis(0), h),
                &v.index_axis(Axis(0), h),
                &mut out,
            );
        }
        // (heads × tokens × head_dim) → (tokens × heads × head_dim) → (tokens × hidden)
        let merged = context
            .view()
            .permuted_axes([1, 0, 2])
            .as_standard_layout()
            .into_owned()
            .into_shape_with_order((n, heads * d))
            .expect("merging heads gives (tokens × hidden)");
        AttentionParts {
            q,
            k,
            v,
            scores,
            weights,
            context,
            merged,
        }
    }
}

impl ResidualOutput {
    /// Reads `{name}.dense` `(out × inp)` and `{name}.LayerNorm` `(out)`.
    fn load(reader: &Reader, name: &str, out: usize, inp: usize) -> Result<Self, WeightsError> {
        Ok(ResidualOutput {
            dense: Linear::load(reader, &format!("{name}.dense"), out, inp)?,
            layer_norm: LayerNorm::load(reader, &format!("{name}.LayerNorm"), out)?,
        })
    }

    /// `dense(x)` and `LayerNorm(residual + dense(x))`.
    /// Reference: `BertSelfOutput` and `BertOutput`.
    pub fn forward(
        &self,
        x: &Array2<f32>,
        residual: &Array2<f32>,
        eps: f64,
    ) -> (Array2<f32>, Array2<f32>) {
        let projected = self.dense.forward(&x.view());
        let normed = self
            .layer_norm
            .forward(&(&projected + residual).view(), eps);
        (projected, normed)
    }
}

impl Layer {
    /// Reads `encoder.layer.{index}.*`, shapes checked against `config`.
    pub(super) fn load(
        reader: &Reader,
        config: &BertConfig,
        index: usize,
    ) -> Result<Self, WeightsError> {
        let h = config.hidden_size;
        let i = config.intermediate_size;
        let p = format!("encoder.layer.{index}");
        Ok(Layer {
            attention: SelfAttention::load(reader, &p, h)?,
            attention_output: ResidualOutput::load(reader, &format!("{p}.attention.output"), h, h)?,
            intermediate: Linear::load(reader, &format!("{p}.intermediate.dense"), i, h)?,
            output: ResidualOutput::load(reader, &format!("{p}.output"), h, i)?,
        })
    }

    /// Self-attention, output projection + residual LayerNorm, then the FFN
    /// with its residual LayerNorm. Reference: `BertLayer`.
    pub fn forward(
        &self,
        config: &BertConfig,
        x: &Array2<f32>,
        mask: &[bool],
        ablated_heads: &[usize],
    ) -> (LayerSteps, Array2<f32>) {
        let eps = config.layer_norm_eps;
        let parts = self.attention.forward(config, x, mask, ablated_heads);
        let (attention_output, attention_norm) =
            self.attention_output.forward(&parts.merged, x, eps);
        // `BertIntermediate`: dense + activation, (tokens × intermediate).
        let mut ffn_intermediate = self.intermediate.forward(&attention_norm.view());
        activate(&mut ffn_intermediate, config.hidden_act);
        let (ffn_output, output) = self.output.forward(&ffn_intermediate, &attention_norm, eps);
        let steps = LayerSteps {
            q: parts.q,
            k: parts.k,
            v: parts.v,
            scores: parts.scores,
            weights: parts.weights,
            context: parts.context,
            ablated_heads: ablated_heads.to_vec(),
            attention_output,
            attention_norm,
            ffn_intermediate,
            ffn_output,
        };
        (steps, output)
    }
}

/// Softmax over the unmasked keys of one query row; masked keys get exactly 0.
/// The same function the GPU's softmax kernel is tested against.
fn masked_softmax(row: &mut [f32], mask: &[bool]) {
    let cols = row.len();
    softmax_rows_masked(row, cols, Some(mask));
}
