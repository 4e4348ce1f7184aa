//! Attention masks: a causal mask (a decoder's token sees only itself and the
//! tokens before it) and a padding mask (no token looks at `[PAD]`). A masked
//! score is set to −∞ before the softmax, so its weight is exactly 0.

use ndarray::Array2;

use crate::model::numerics::matmul::mat_mul;
use crate::model::numerics::softmax::softmax_rows_masked;

/// Which keys query `i` may see: all unmasked keys, and with `causal` only
/// those at or before `i`. `(n × n)`, row = query.
pub fn allowed(n: usize, causal: bool, keys: &[bool]) -> Array2<bool> {
    Array2::from_shape_fn((n, n), |(i, j)| {
        keys.get(j).copied().unwrap_or(true) && (!causal || j <= i)
    })
}

/// `softmax(scale · QKᵀ)` by row, `(n × n)`, with the cells `allowed` marks false
/// (when given) at −∞, i.e. weight 0. Uses the same row softmax as the model and
/// the GPU kernel; a row with no allowed key comes out all zeros.
pub fn attention_weights(
    q: &Array2<f32>,
    k: &Array2<f32>,
    scale: f32,
    allowed: Option<&Array2<bool>>,
) -> Array2<f32> {
    let mut w = mat_mul(&q.view(), &k.t()) * scale; // (n × n)
    let n = w.ncols();
    for (i, mut row) in w.rows_mut().into_iter().enumerate() {
        let mask = allowed.map(|a| a.row(i).to_vec());
        if let Some(r) = row.as_slice_mut() {
            softmax_rows_masked(r, n, mask.as_deref());
        }
    }
    w
}

/// `softmax(XXᵀ/√d)` with disallowed cells at −∞, and `Y = W·X`: `(n × n)` weights
/// and `(n × d)` outputs.
pub fn masked_attention(x: &Array2<f32>, allowed: &Array2<bool>) -> (Array2<f32>, Array2<f32>) {
    let scale = 1.0 / (x.ncols().max(1) as f32).sqrt();
    let w = attention_weights(x, x, scale, Some(allowed));
    let y = mat_mul(&w.view(), &x.view()); // (n × d)
    (w, y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::positional::word_vector;

    fn x(words: &[&str]) -> Array2<f32> {
        Array2::from_shape_fn((words.len(), 8), |(i, j)| word_vector(words[i], 8)[j])
    }

    #[test]
    fn causal_zeroes_the_upper_triangle_and_padding_changes_nothing_when_masked() {
        let words = ["the", "cat", "sat", "[PAD]", "[PAD]"];
        let keys = [true, true, true, false, false];
        let (w, y) = masked_attention(&x(&words), &allowed(5, true, &keys));
        for i in 0..5 {
            for j in i + 1..5 {
                assert_eq!(w[[i, j]], 0.0);
            }
        }
        for row in w.rows().into_iter().take(3) {
            assert!((row.sum() - 1.0).abs() < 1e-6);
        }
        // The first token sees only itself.
        assert!(
            (&y.row(0) - &x(&words).row(0))
                .iter()
                .all(|d| d.abs() < 1e-6)
        );
        // Masked padding: the real words' outputs equal those without padding.
        let (_, alone) = masked_attention(&x(&words[..3]), &allowed(3, false, &[true; 3]));
        let (_, padded) = masked_attention(&x(&words), &allowed(5, false, &keys));
        let (_, unmasked) = masked_attention(&x(&words), &allowed(5, false, &[true; 5]));
        let diff = |a: &Array2<f32>| {
            (0..3)
                .flat_map(|i| (0..8).map(move |j| (i, j)))
                .map(|(i, j)| (a[[i, j]] - alone[[i, j]]).abs())
                .fold(0.0f32, f32::max)
        };
        assert!(diff(&padded) < 1e-6);
        assert!(diff(&unmasked) > 1e-3);
    }
}
