//! Backward pass of multi-head self-attention with a padding mask. The forward is
//! the app's own [`SelfAttention::forward`], whose [`AttentionParts`] (Q, K, V per
//! head and the softmax weights) are exactly the cache the backward needs.

use ndarray::{Array2, Axis, s};

use super::ops::linear_backward;
use crate::model::bert::config::BertConfig;
use crate::model::bert::layer::{AttentionParts, SelfAttention};
use crate::model::numerics::matmul::mat_mul;

/// Adds the gradients of Q, K and V's weights into `grad` and returns `∂L/∂x`,
/// given `∂L/∂merged` (the heads' contexts side by side, before the output dense).
///
/// Per head, with `P = softmax(S)`, `S = Q·Kᵀ/√d`, `C = P·V`:
/// `dP = dC·Vᵀ`, `dV = Pᵀ·dC`, `dS = P ⊙ (dP − rowsum(dP ⊙ P))`,
/// `dQ = dS·K/√d`, `dK = dSᵀ·Q/√d`. Padding keys have `P = 0`, so `dS = 0` there:
/// the mask needs no special case in the backward.
pub fn attention_backward(
    att: &SelfAttention,
    config: &BertConfig,
    x: &Array2<f32>,
    parts: &AttentionParts,
    d_merged: &Array2<f32>,
    grad: &mut SelfAttention,
) -> Array2<f32> {
    let n = x.nrows();
    let d = config.head_dim();
    let scale = 1.0 / (d as f32).sqrt();
    let hidden = config.hidden_size;
    let mut dq = Array2::<f32>::zeros((n, hidden)); // (tokens × hidden)
    let mut dk = Array2::<f32>::zeros((n, hidden));
    let mut dv = Array2::<f32>::zeros((n, hidden));
    for h in 0..config.num_attention_heads {
        let cols = s![.., h * d..(h + 1) * d];
        let dc = d_merged.slice(cols); // (tokens × head_dim)
        let p = parts.weights.index_axis(Axis(0), h); // (tokens × tokens)
        let q = parts.q.index_axis(Axis(0), h); // (tokens × head_dim)
        let k = parts.k.index_axis(Axis(0), h);
        let v = parts.v.index_axis(Axis(0), h);
        let dp = mat_mul(&dc, &v.t()); // (tokens × tokens)
        dv.slice_mut(cols).assign(&mat_mul(&p.t(), &dc));
        let mut ds = dp; // becomes ∂L/∂S, (tokens × tokens)
        for (mut ds_row, p_row) in ds.rows_mut().into_iter().zip(p.rows()) {
            let dot: f32 = ds_row.iter().zip(p_row.iter()).map(|(a, b)| a * b).sum();
            ds_row.zip_mut_with(&p_row, |g, &pr| *g = pr * (*g - dot));
        }
        dq.slice_mut(cols)
            .assign(&(mat_mul(&ds.view(), &k) * scale));
        dk.slice_mut(cols).assign(&(mat_mul(&ds.t(), &q) * scale));
    }
    let xv = x.view();
    let mut dx = linear_backward(&att.query, &xv, &dq.view(), &mut grad.query);
    dx += &linear_backward(&att.key, &xv, &dk.view(), &mut grad.key);
    dx += &linear_backward(&att.value, &xv, &dv.view(), &mut grad.value);
    dx
}
