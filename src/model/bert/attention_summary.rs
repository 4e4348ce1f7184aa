//! Summaries of attention across heads and layers, and of hidden states across
//! tokens, computed from a [`Trace`] for the playground's views.
//!
//! **Attention rollout** (Abnar & Zuidema, 2020): attention alone ignores the residual
//! connection, so each layer's head-averaged weights are mixed with the identity,
//! `Â = ½·mean_heads(A) + ½·I` (rows renormalised), and the layers are multiplied:
//! `R = Â_L · … · Â_1`. Row `i` of `R` estimates how much each input token flows into
//! token `i`'s final hidden state. A skipped (ablated) layer contributes `I`.

use ndarray::{Array2, ArrayView2, ArrayView3, Axis};

use super::trace::Trace;

/// Mean of the heads' weights, `(heads × tokens × tokens)` → `(tokens × tokens)`.
pub fn mean_over_heads(weights: ArrayView3<f32>) -> Array2<f32> {
    weights
        .mean_axis(Axis(0))
        .unwrap_or_else(|| Array2::zeros((weights.dim().1, weights.dim().2)))
}

/// Rollout after each layer: entry `l` is `Â_l · … · Â_0`, `(tokens × tokens)`.
pub fn rollout(trace: &Trace) -> Vec<Array2<f32>> {
    let n = trace.len();
    let mut acc = Array2::<f32>::eye(n);
    let mut out = Vec::with_capacity(trace.layers.len());
    for layer in 0..trace.layers.len() {
        if let Some(w) = trace.attention(layer) {
            // (tokens × tokens): ½·mean + ½·I, rows summing to 1.
            let mut a = mean_over_heads(w) * 0.5 + Array2::<f32>::eye(n) * 0.5;
            for mut row in a.rows_mut() {
                let s: f32 = row.sum();
                if s > 0.0 {
                    row /= s;
                }
            }
            acc = a.dot(&acc);
        }
        out.push(acc.clone());
    }
    out
}

/// Cosine similarity of every pair of rows, `(tokens × hidden)` → `(tokens × tokens)`.
pub fn cosine_matrix(h: ArrayView2<f32>) -> Array2<f32> {
    let norms: Vec<f32> = h.rows().into_iter().map(|r| r.dot(&r).sqrt()).collect();
    let dots = h.dot(&h.t());
    Array2::from_shape_fn(dots.dim(), |(i, j)| {
        let d = norms[i] * norms[j];
        if d > 0.0 { dots[(i, j)] / d } else { 0.0 }
    })
}

/// Euclidean norm of each row, `(tokens × hidden)` → `tokens`.
pub fn row_norms(h: ArrayView2<f32>) -> Vec<f32> {
    h.rows().into_iter().map(|r| r.dot(&r).sqrt()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array3, array};

    #[test]
    fn mean_and_cosine_on_known_values() {
        let w = Array3::from_shape_vec((2, 2, 2), vec![1.0, 0.0, 0.5, 0.5, 0.0, 1.0, 0.5, 0.5])
            .expect("shape");
        assert_eq!(mean_over_heads(w.view()), array![[0.5, 0.5], [0.5, 0.5]]);
        let h = array![[1.0f32, 0.0], [0.0, 2.0], [3.0, 0.0]];
        let c = cosine_matrix(h.view());
        assert!((c[(0, 2)] - 1.0).abs() < 1e-6);
        assert!(c[(0, 1)].abs() < 1e-6);
        assert_eq!(row_norms(h.view()), vec![1.0, 2.0, 3.0]);
    }
}
