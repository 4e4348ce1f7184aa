//! Row-wise softmax with a padding mask: the CPU twin of `gpu/shaders/softmax.wgsl`.
//!
//! Softmax turns a row of scores into weights that are positive and sum to 1:
//! `softmax([1, 2, 3]) = [0.090, 0.245, 0.665]`. Subtracting the row maximum first
//! keeps `exp` from overflowing (`exp(1000)` is infinite in f32, `exp(0)` is not).

/// Softmax of every row of a `(rows × cols)` row-major matrix, in place.
///
/// `mask[c] == false` marks column `c` as padding: it gets weight 0 and does not take
/// part in the normalisation. A row whose columns are all masked becomes all zeros
/// rather than NaN.
pub fn softmax_rows_masked(values: &mut [f32], cols: usize, mask: Option<&[bool]>) {
    if cols == 0 {
        return;
    }
    for row in values.chunks_mut(cols) {
        let keep = |c: usize| mask.is_none_or(|m| m.get(c).copied().unwrap_or(false));
        let max = row
            .iter()
            .enumerate()
            .filter(|(c, _)| keep(*c))
            .map(|(_, v)| *v)
            .fold(f32::NEG_INFINITY, f32::max);
        if max == f32::NEG_INFINITY {
            row.fill(0.0);
            continue;
        }
        let mut sum = 0.0f32;
        for (c, v) in row.iter_mut().enumerate() {
            *v = if keep(c) { (*v - max).exp() } else { 0.0 };
            sum += *v;
        }
        for v in row.iter_mut() {
            *v /= sum;
        }
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
