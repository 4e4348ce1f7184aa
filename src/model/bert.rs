//! The BERT encoder forward pass on the CPU (ndarray), recording a [`Trace`].
//!
//! This is the reference the GPU backend must match to 1e-4. It follows
//! Hugging Face's `modeling_bert.py` sub-layer by sub-layer; each weight
//! struct of [`crate::model::weights`] gets its `forward` here. Matrix products
//! go through [`crate::model::matmul`] (the `gemm` crate's packed SIMD kernels);
//! only O(tokens × width) element-wise work is written out.

pub use super::fast_exp::fast_exp;
use std::collections::BTreeSet;

use ndarray::{Array2, Array3, ArrayView2, Axis, s};
use thiserror::Error;

use super::config::{Activation, BertConfig};
use super::matmul::{mat_mul, mat_mul_into};
use super::tokenize::Encoding;
use super::trace::{EmbeddingTrace, LayerSteps, LayerTrace, MlmTrace, Prediction, Trace};
use super::weights::{
    BertWeights, Embeddings, Layer, LayerNorm, Linear, MlmHead, ResidualOutput, SelfAttention,
};

/// Errors for inputs the model cannot run on.
#[derive(Debug, Error, PartialEq)]
pub enum ForwardError {
    #[error("the input has no tokens")]
    Empty,
    #[error("the input is {len} tokens long; this model accepts at most {max}")]
    TooLong { len: usize, max: usize },
    #[error(
        "token id {id} is outside the model's vocabulary of {vocab} (tokeniser and model do not match)"
    )]
    IdOutOfRange { id: u32, vocab: usize },
    #[error("segment id {id} is outside the model's {types} segment types")]
    TypeIdOutOfRange { id: u32, types: usize },
    #[error("{what} has {found} entries for {tokens} tokens")]
    LengthMismatch {
        what: &'static str,
        found: usize,
        tokens: usize,
    },
    #[error("the attention mask hides every token")]
    AllMasked,
    #[error("ablation names {0}, which this model does not have")]
    BadAblation(String),
}

/// Parts of the network to switch off, for "what if" lessons.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ablation {
    /// `(layer, head)` pairs whose context output is replaced by zeros.
    pub heads: BTreeSet<(usize, usize)>,
    /// Layers replaced by the identity (output = input).
    pub skip_layers: BTreeSet<usize>,
}

impl Ablation {
    /// The heads of `layer` whose output is zeroed, in increasing order.
    pub fn heads_in(&self, layer: usize) -> Vec<usize> {
        self.heads
            .iter()
            .filter(|(l, _)| *l == layer)
            .map(|(_, h)| *h)
            .collect()
    }
}

/// Knobs of one forward pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardOptions {
    /// `false` marks padding; `None` means every token is real.
    pub attention_mask: Option<Vec<bool>>,
    pub ablation: Ablation,
    /// MLM predictions kept per position (when the model has a head).
    pub top_k: usize,
}

impl Default for ForwardOptions {
    fn default() -> Self {
        Self {
            attention_mask: None,
            ablation: Ablation::default(),
            top_k: 5,
        }
    }
}

/// Runs the encoder (and MLM head, if any) on one encoded input.
pub fn forward(
    weights: &BertWeights,
    input: &Encoding,
    opts: &ForwardOptions,
) -> Result<Trace, ForwardError> {
    let config = &weights.config;
    let n = input.ids.len();
    check_input(config, input, opts)?;
    let mask = opts.attention_mask.clone().unwrap_or_else(|| vec![true; n]);

    let embeddings = weights
        .embeddings
        .forward(config, &input.ids, &input.type_ids);
    let mut x = embeddings.normed.clone();
    let mut layers = Vec::with_capacity(weights.layers.len());
    for (index, layer) in weights.layers.iter().enumerate() {
        if opts.ablation.skip_layers.contains(&index) {
            layers.push(LayerTrace {
                steps: None,
                output: x.clone(),
            });
            continue;
        }
        let ablated = opts.ablation.heads_in(index);
        let (steps, output) = layer.forward(config, &x, &mask, &ablated);
        x = output;
        layers.push(LayerTrace {
            steps: Some(steps),
            output: x.clone(),
        });
    }
    let mlm = weights
        .mlm
        .as_ref()
        .map(|head| head.forward(config, &weights.embeddings.word, &x, opts.top_k));
    Ok(Trace {
        tokens: input.tokens.clone(),
        ids: input.ids.clone(),
        type_ids: input.type_ids.clone(),
        attention_mask: mask,
        embeddings,
        layers,
        mlm,
    })
}

/// Rejects inputs the model cannot run on; both backends call it first.
pub fn check_input(
    config: &BertConfig,
    input: &Encoding,
    opts: &ForwardOptions,
) -> Result<(), ForwardError> {
    let n = input.ids.len();
    if n == 0 {
        return Err(ForwardError::Empty);
    }
    if n > config.max_position_embeddings {
        return Err(ForwardError::TooLong {
            len: n,
            max: config.max_position_embeddings,
        });
    }
    for (what, found) in [
        ("type_ids", input.type_ids.len()),
        ("tokens", input.tokens.len()),
        (
            "attention_mask",
            opts.attention_mask.as_ref().map_or(n, Vec::len),
        ),
    ] {
        if found != n {
            return Err(ForwardError::LengthMismatch {
                what,
                found,
                tokens: n,
            });
        }
    }
    if let Some(&id) = input
        .ids
        .iter()
        .find(|&&id| id as usize >= config.vocab_size)
    {
        return Err(ForwardError::IdOutOfRange {
            id,
            vocab: config.vocab_size,
        });
    }
    if let Some(&id) = input
        .type_ids
        .iter()
        .find(|&&id| id as usize >= config.type_vocab_size)
    {
        return Err(ForwardError::TypeIdOutOfRange {
            id,
            types: config.type_vocab_size,
        });
    }
    if opts
        .attention_mask
        .as_ref()
        .is_some_and(|m| !m.iter().any(|&b| b))
    {
        return Err(ForwardError::AllMasked);
    }
    let ab = &opts.ablation;
    if let Some(l) = ab
        .skip_layers
        .iter()
        .find(|&&l| l >= config.num_hidden_layers)
    {
        return Err(ForwardError::BadAblation(format!("layer {l}")));
    }
    if let Some((l, h)) = ab
        .heads
        .iter()
        .find(|(l, h)| *l >= config.num_hidden_layers || *h >= config.num_attention_heads)
    {
        return Err(ForwardError::BadAblation(format!("layer {l} head {h}")));
    }
    Ok(())
}

impl Embeddings {
    /// Looks up the three tables and normalises their sum.
    /// Reference: `BertEmbeddings` in Hugging Face's `modeling_bert.py`.
    pub fn forward(&self, config: &BertConfig, ids: &[u32], type_ids: &[u32]) -> EmbeddingTrace {
        let n = ids.len();
        let rows = |table: &Array2<f32>, idx: &[u32]| {
            let idx: Vec<usize> = idx.iter().map(|&i| i as usize).collect();
            table.select(Axis(0), &idx) // (tokens × hidden)
        };
        let token = rows(&self.word, ids);
        let position = self.position.slice(s![..n, ..]).to_owned(); // (tokens × hidden)
        let segment = rows(&self.token_type, type_ids);
        let sum = &token + &position + &segment;
        let normed = self.layer_norm.forward(&sum.view(), config.layer_norm_eps);
        EmbeddingTrace {
            token,
            position,
            segment,
            sum,
            normed,
        }
    }
}

impl Linear {
    /// `x·Wᵀ + b` for `x` of shape `(tokens × in)` → `(tokens × out)`.
    pub fn forward(&self, x: &ArrayView2<f32>) -> Array2<f32> {
        let mut y = mat_mul(x, &self.weight.t()); // (tokens × out)
        y += &self.bias;
        y
    }
}

impl LayerNorm {
    /// Normalises each row to mean 0, variance 1 (biased variance, as PyTorch),
    /// then scales and shifts. Sums are taken in f64 to stay close to PyTorch.
    pub fn forward(&self, x: &ArrayView2<f32>, eps: f64) -> Array2<f32> {
        let mut out = x.to_owned();
        for mut row in out.rows_mut() {
            let width = row.len() as f64;
            let mean = row.iter().map(|&v| v as f64).sum::<f64>() / width;
            let var = row.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / width;
            let inv = 1.0 / (var + eps).sqrt();
            for ((v, g), b) in row.iter_mut().zip(&self.gamma).zip(&self.beta) {
                *v = ((*v as f64 - mean) * inv) as f32 * g + b;
            }
        }
        out
    }
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

impl MlmHead {
    /// Transform (dense + activation + LayerNorm), then logits against the
    /// (usually tied) word embeddings; keeps the `top_k` best per position.
    /// Reference: `BertOnlyMLMHead`.
    pub fn forward(
        &self,
        config: &BertConfig,
        word_embeddings: &Array2<f32>,
        x: &Array2<f32>,
        top_k: usize,
    ) -> MlmTrace {
        let mut t = self.transform.forward(&x.view());
        activate(&mut t, config.hidden_act);
        let t = self.layer_norm.forward(&t.view(), config.layer_norm_eps);
        let decoder = self.decoder.as_ref().unwrap_or(word_embeddings);
        let mut logits = decoder_logits(&t, decoder); // (tokens × vocab)
        logits += &self.bias;
        let top_k = logits
            .rows()
            .into_iter()
            .map(|row| match row.as_slice() {
                Some(r) => top_k_predictions(r, top_k),
                None => top_k_predictions(&row.to_vec(), top_k),
            })
            .collect();
        MlmTrace { top_k }
    }
}

/// `t · Dᵀ` for the MLM decoder `D` `(vocab × hidden)`: streamed once by the skinny
/// kernel when both are contiguous, else through general GEMM.
fn decoder_logits(t: &Array2<f32>, decoder: &Array2<f32>) -> Array2<f32> {
    let (m, k) = t.dim();
    let n = decoder.nrows();
    if let (Some(a), Some(b)) = (t.as_slice(), decoder.as_slice()) {
        let mut out = vec![0.0f32; m * n];
        if super::skinny_matmul::a_bt(a, m, k, b, n, &mut out)
            && let Ok(logits) = Array2::from_shape_vec((m, n), out)
        {
            return logits;
        }
    }
    mat_mul(&t.view(), &decoder.t())
}

/// The `k` largest logits with their softmax probabilities, best first; equal logits
/// rank by lower id, so the GPU's `mlm_topk.wgsl` gives the same list.
///
/// One pass keeps the best `k` in a short sorted list (most logits fail the first
/// comparison); the exponentials of the normaliser run 8 wide and are summed in f64.
/// Over a 30,522-word vocabulary this is what the MLM head spends besides its matrix
/// product, for every position.
pub fn top_k_predictions(logits: &[f32], k: usize) -> Vec<Prediction> {
    let k = k.min(logits.len());
    if k == 0 {
        return Vec::new();
    }
    let max = lane_max(logits);
    let mut exps = logits.to_vec();
    super::simd::map_in_place(&mut exps, |l| fast_exp(l - max));
    // Four f64 partial sums: independent additions, so the loop is not one long chain.
    let mut sums = [0.0f64; 4];
    let chunks = exps.chunks_exact(4);
    let tail: f64 = chunks.remainder().iter().map(|&e| e as f64).sum();
    for c in chunks {
        for (s, &e) in sums.iter_mut().zip(c) {
            *s += e as f64;
        }
    }
    let log_sum = (sums.iter().sum::<f64>() + tail).ln();
    // (logit, id), best first; ids arrive in increasing order, so a later equal logit
    // ranks after the ones already kept. Blocks of 8 whose best cannot enter the list
    // are skipped whole.
    let mut best: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
    for (block, chunk) in logits.chunks(8).enumerate() {
        if best.len() == k && lane_max(chunk) <= best[k - 1].0 {
            continue;
        }
        for (i, &logit) in chunk.iter().enumerate() {
            if best.len() == k && logit <= best[k - 1].0 {
                continue;
            }
            let at = best.partition_point(|&(kept, _)| kept >= logit);
            best.insert(at, (logit, block * 8 + i));
            best.truncate(k);
        }
    }
    best.into_iter()
        .map(|(logit, id)| Prediction {
            id: id as u32,
            logit,
            prob: (((logit - max) as f64) - log_sum).exp() as f32,
        })
        .collect()
}

/// The largest value, with eight independent running maxima so the loop vectorises.
fn lane_max(values: &[f32]) -> f32 {
    let mut lanes = [f32::NEG_INFINITY; 8];
    let chunks = values.chunks_exact(8);
    let tail = chunks
        .remainder()
        .iter()
        .copied()
        .fold(f32::NEG_INFINITY, f32::max);
    for c in chunks {
        for (m, &v) in lanes.iter_mut().zip(c) {
            *m = m.max(v);
        }
    }
    lanes.into_iter().fold(tail, f32::max)
}

/// Softmax over the unmasked keys of one query row; masked keys get exactly 0.
/// The same function the GPU's softmax kernel is tested against.
fn masked_softmax(row: &mut [f32], mask: &[bool]) {
    let cols = row.len();
    crate::model::softmax::softmax_rows_masked(row, cols, Some(mask));
}

fn activate(x: &mut Array2<f32>, act: Activation) {
    match act {
        Activation::Gelu => map_in_place(x, gelu),
        Activation::GeluNew => map_in_place(x, gelu_tanh),
        Activation::Relu => map_in_place(x, |v| v.max(0.0)),
    }
}

/// Generic (not a fn pointer) so the function inlines into a plain slice loop
/// that the compiler vectorises, AVX2-wide where the CPU has it.
fn map_in_place(x: &mut Array2<f32>, f: impl Fn(f32) -> f32 + Copy) {
    match x.as_slice_mut() {
        Some(values) => super::simd::map_in_place(values, f),
        None => x.mapv_inplace(f),
    }
}

/// Exact GELU `x·Φ(x) = ½·x·erfc(−x/√2)`, as PyTorch's default `gelu`.
#[inline]
pub fn gelu(x: f32) -> f32 {
    0.5 * x * erfc(-x * std::f32::consts::FRAC_1_SQRT_2)
}

/// GELU's tanh approximation (`gelu_new`).
#[inline]
pub fn gelu_tanh(x: f32) -> f32 {
    const C: f32 = 0.797_884_6; // √(2/π)
    0.5 * x * (1.0 + (C * (x + 0.044_715 * x * x * x)).tanh())
}

/// Complementary error function, relative error about 2·10⁻⁷: a Chebyshev
/// fit of `erfc(z)·exp(z²)` in `t = 1/(1 + z/2)` (Press et al., *Numerical
/// Recipes*, §6.2). std's `erf` is not stable yet; this one also vectorises.
#[inline]
pub fn erfc(x: f32) -> f32 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_2
        + t * (1.000_023_7
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_204
                                + t * (1.488_515_9 + t * (-0.822_152_2 + t * 0.170_872_77))))))));
    let r = t * fast_exp(poly);
    if x >= 0.0 { r } else { 2.0 - r }
}
