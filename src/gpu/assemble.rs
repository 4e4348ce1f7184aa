//! The [`Trace`] built from the tensors a GPU pass read back, in
//! [`readback::entries`](super::readback::entries) order; a tensor the request's
//! detail level does not keep comes back empty, as the CPU's
//! [`lean`](crate::model::bert::detail::lean) leaves it.

use ndarray::{Array2, Array3};

use super::GpuError;
use super::ops::{predictions_from_top_k, top_k_stride};
use super::readback::PER_LAYER;
use crate::model::bert::config::BertConfig;
use crate::model::bert::detail::{empty2, empty3};
use crate::model::bert::forward::ForwardOptions;
use crate::model::bert::trace::{EmbeddingTrace, LayerSteps, LayerTrace, MlmTrace, Trace};
use crate::model::tokenize::ModelInput;

/// `(tokens × heads·d)` → `(heads × tokens × d)`, as the CPU splits Q, K, V and the
/// context; empty stays empty.
fn split_heads(v: Vec<f32>, n: usize, heads: usize, d: usize) -> Result<Array3<f32>, GpuError> {
    if v.is_empty() {
        return Ok(empty3());
    }
    let a = Array3::from_shape_vec((n, heads, d), v).map_err(shape_error)?;
    Ok(a.permuted_axes([1, 0, 2]).as_standard_layout().into_owned())
}

fn shape_error(e: ndarray::ShapeError) -> GpuError {
    GpuError::Readback(format!("a tensor came back with the wrong size: {e}"))
}

/// Builds the trace from the read-back tensors (empty where not read back).
pub(crate) fn assemble(
    tensors: Vec<Vec<f32>>,
    config: &BertConfig,
    input: &ModelInput,
    mask: Vec<bool>,
    opts: &ForwardOptions,
    k: usize,
) -> Result<Trace, GpuError> {
    let n = input.ids.len();
    let h = config.hidden_size;
    let heads = config.num_attention_heads;
    let d = config.head_dim();
    let mut it = tensors.into_iter();
    let mut next = move || it.next().unwrap_or_default();
    // `(tokens × cols)`; empty stays empty.
    let matrix = |v: Vec<f32>, cols: usize| {
        if v.is_empty() {
            return Ok(empty2());
        }
        Array2::from_shape_vec((n, cols), v).map_err(shape_error)
    };
    // `(heads × tokens × tokens)`; empty stays empty.
    let square = |v: Vec<f32>| {
        if v.is_empty() {
            return Ok(empty3());
        }
        Array3::from_shape_vec((heads, n, n), v).map_err(shape_error)
    };

    let mut parts = next();
    let slab = n * h;
    let (token, position, segment, sum) = if parts.is_empty() {
        (empty2(), empty2(), empty2(), empty2())
    } else if parts.len() != 4 * slab {
        return Err(GpuError::Readback(
            "embedding parts have the wrong size".to_owned(),
        ));
    } else {
        let sum = matrix(parts.split_off(3 * slab), h)?;
        let segment = matrix(parts.split_off(2 * slab), h)?;
        let position = matrix(parts.split_off(slab), h)?;
        (matrix(parts, h)?, position, segment, sum)
    };
    let normed = matrix(next(), h)?;
    let mut previous = normed.clone();
    let mut layers = Vec::with_capacity(config.num_hidden_layers);
    for index in 0..config.num_hidden_layers {
        if opts.ablation.skip_layers.contains(&index) {
            for _ in 1..PER_LAYER {
                next();
            }
            // Read back only when the input was not; else the output is the input.
            let read = matrix(next(), h)?;
            let output = if read.is_empty() {
                previous.clone()
            } else {
                read
            };
            layers.push(LayerTrace {
                steps: None,
                output,
            });
            continue;
        }
        let q = split_heads(next(), n, heads, d)?;
        let kk = split_heads(next(), n, heads, d)?;
        let v = split_heads(next(), n, heads, d)?;
        let scores = square(next())?;
        let weights = square(next())?;
        let context = split_heads(next(), n, heads, d)?;
        let steps = LayerSteps {
            q,
            k: kk,
            v,
            scores,
            weights,
            context,
            ablated_heads: opts.ablation.heads_in(index),
            attention_output: matrix(next(), h)?,
            attention_norm: matrix(next(), h)?,
            ffn_intermediate: matrix(next(), config.intermediate_size)?,
            ffn_output: matrix(next(), h)?,
        };
        let output = matrix(next(), h)?;
        previous = output.clone();
        layers.push(LayerTrace {
            steps: Some(steps),
            output,
        });
    }
    // Empty when the model has no MLM head.
    let raw = next();
    let mlm = (!raw.is_empty()).then(|| MlmTrace {
        top_k: raw
            .chunks_exact(top_k_stride(k))
            .take(n)
            .map(|row| predictions_from_top_k(row, config.vocab_size))
            .collect(),
    });
    Ok(Trace {
        tokens: input.tokens.clone(),
        ids: input.ids.clone(),
        type_ids: input.type_ids.clone(),
        attention_mask: mask,
        embeddings: EmbeddingTrace {
            token,
            position,
            segment,
            sum,
            normed,
        },
        layers,
        mlm,
        detail: opts.detail,
    })
}
