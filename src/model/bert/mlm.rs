//! The masked-language-model head (`cls.predictions.*`): transform, then logits
//! over the vocabulary, of which the best few per position are kept.

use ndarray::{Array1, Array2};

use super::activation::activate;
use super::config::BertConfig;
use super::linear::{LayerNorm, Linear};
use super::trace::{MlmTrace, Prediction};
use super::weights::{Reader, WeightsError};
use crate::model::numerics::fast_exp::fast_exp;
use crate::model::numerics::matmul::mat_mul;
use crate::model::numerics::{simd, skinny_matmul};

/// Masked-language-model head (`cls.predictions.*`).
#[derive(Debug, Clone, PartialEq)]
pub struct MlmHead {
    /// `transform.dense`, then the activation, then `transform.LayerNorm`.
    pub transform: Linear,
    pub layer_norm: LayerNorm,
    /// `decoder.weight` when stored; `None` means tied to the word embeddings.
    pub decoder: Option<Array2<f32>>,
    pub bias: Array1<f32>,
}

impl MlmHead {
    /// Reads `cls.predictions.*` (names without any model prefix) when the
    /// checkpoint has the head; `None` for an encoder-only checkpoint.
    pub(super) fn load(reader: &Reader, config: &BertConfig) -> Result<Option<Self>, WeightsError> {
        if !reader.has("cls.predictions.transform.dense.weight") {
            return Ok(None);
        }
        let h = config.hidden_size;
        let bias = if reader.has("cls.predictions.bias") {
            reader.vec("cls.predictions.bias", config.vocab_size)?
        } else {
            reader.vec("cls.predictions.decoder.bias", config.vocab_size)?
        };
        let decoder = if reader.has("cls.predictions.decoder.weight") {
            Some(reader.mat("cls.predictions.decoder.weight", config.vocab_size, h)?)
        } else {
            None
        };
        Ok(Some(MlmHead {
            transform: Linear::load(reader, "cls.predictions.transform.dense", h, h)?,
            layer_norm: LayerNorm::load(reader, "cls.predictions.transform.LayerNorm", h)?,
            decoder,
            bias,
        }))
    }

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
        if skinny_matmul::a_bt(a, m, k, b, n, &mut out)
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
    simd::map_in_place(&mut exps, |l| fast_exp(l - max));
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
