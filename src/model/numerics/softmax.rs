//! Row-wise softmax with a padding mask: the CPU twin of `gpu/kernels/softmax.wgsl`.
//!
//! Softmax turns a row of scores into weights that are positive and sum to 1:
//! `softmax([1, 2, 3]) = [0.090, 0.245, 0.665]`. Subtracting the row maximum first
//! keeps `exp` from overflowing (`exp(1000)` is infinite in f32, `exp(0)` is not).

use super::fast_exp::fast_exp;

/// Softmax of every row of a `(rows × cols)` row-major matrix, in place.
///
/// `mask[c] == false` marks column `c` as padding: it gets weight 0 and does not take
/// part in the normalisation. A row whose columns are all masked becomes all zeros
/// rather than NaN.
pub fn softmax_rows_masked(values: &mut [f32], cols: usize, mask: Option<&[bool]>) {
    if cols == 0 {
        return;
    }
    // Padding columns: a mask shorter than the row masks the rest.
    let keep: Vec<bool> = (0..cols)
        .map(|c| mask.is_none_or(|m| m.get(c).copied().unwrap_or(false)))
        .collect();
    let masked = keep.iter().any(|k| !k);
    for row in values.chunks_mut(cols) {
        let max = row
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .fold(f32::NEG_INFINITY, |m, (v, _)| m.max(*v));
        if max == f32::NEG_INFINITY {
            row.fill(0.0);
            continue;
        }
        // Branch-free so the loop vectorises (AVX2-wide where the CPU has it); masked
        // columns are zeroed afterwards.
        super::simd::map_in_place(row, |v| fast_exp(v - max));
        if masked {
            for (v, k) in row.iter_mut().zip(&keep) {
                if !k {
                    *v = 0.0;
                }
            }
        }
        let inv = 1.0 / row.iter().sum::<f32>();
        row.iter_mut().for_each(|v| *v *= inv);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hand_computation() {
        let mut v = vec![1.0, 2.0, 3.0];
        softmax_rows_masked(&mut v, 3, None);
        let e: Vec<f32> = [1.0f32, 2.0, 3.0].iter().map(|x| x.exp()).collect();
        let s: f32 = e.iter().sum();
        for (a, b) in v.iter().zip(e.iter()) {
            assert!((a - b / s).abs() < 1e-6);
        }
    }

    #[test]
    fn large_scores_do_not_overflow_and_mask_zeroes() {
        let mut v = vec![1000.0, 999.0, 5000.0, 0.0, 0.0, 0.0];
        softmax_rows_masked(&mut v, 3, Some(&[true, true, false]));
        assert!(v[2] == 0.0 && (v[0] + v[1] - 1.0).abs() < 1e-6 && v[0] > v[1]);
        assert!((v[3] - 0.5).abs() < 1e-6 && v[5] == 0.0);
        let mut all_masked = vec![1.0, 2.0];
        softmax_rows_masked(&mut all_masked, 2, Some(&[false, false]));
        assert_eq!(all_masked, vec![0.0, 0.0]);
    }
}
