//! Why attention divides its scores by √d_k. With query and key entries of
//! variance 1, a dot product of `d_k` terms has variance `d_k`: the raw scores
//! spread further apart as `d_k` grows, softmax puts almost all the weight on
//! one key, and its gradient vanishes. Dividing by √d_k brings the variance back
//! to 1 at every width. [`row_entropy`] measures how spread a row of weights is.

use ndarray::Array2;

use crate::model::masks::attention_weights;
use crate::model::numerics::rng::SplitMix64;

/// Queries and keys with independent N(0, 1) entries, `(n × d_k)` each.
pub fn random_qk(n: usize, d_k: usize, seed: u64) -> (Array2<f32>, Array2<f32>) {
    let mut rng = SplitMix64::new(seed);
    let mut draw = || Array2::from_shape_simple_fn((n, d_k), || rng.normal() as f32);
    (draw(), draw())
}

/// Softmax weights of `QKᵀ`, divided by √d_k when `scaled`, `(n × n)`.
pub fn weights(q: &Array2<f32>, k: &Array2<f32>, scaled: bool) -> Array2<f32> {
    let scale = if scaled {
        1.0 / (q.ncols().max(1) as f32).sqrt()
    } else {
        1.0
    };
    attention_weights(q, k, scale, None)
}

/// Mean entropy of the rows of `w`, in bits: log₂ n for uniform rows, 0 when
/// every row puts all its weight on one key.
pub fn row_entropy(w: &Array2<f32>) -> f64 {
    let rows = w.nrows().max(1) as f64;
    w.rows()
        .into_iter()
        .map(|r| {
            r.iter()
                .filter(|&&p| p > 0.0)
                .map(|&p| -f64::from(p) * f64::from(p).log2())
                .sum::<f64>()
        })
        .sum::<f64>()
        / rows
}

/// `(d_k, mean row entropy unscaled, scaled)`, in bits.
pub type EntropyRow = (usize, f64, f64);

/// An [`EntropyRow`] for `d_k = 2, 4, …, 512`, averaged over `trials` seeds.
pub fn entropy_by_width(n: usize, trials: u64) -> Vec<EntropyRow> {
    (1..=9)
        .map(|p| {
            let d_k = 1usize << p;
            let (mut raw, mut scaled) = (0.0, 0.0);
            for seed in 0..trials {
                let (q, k) = random_qk(n, d_k, seed);
                raw += row_entropy(&weights(&q, &k, false));
                scaled += row_entropy(&weights(&q, &k, true));
            }
            (d_k, raw / trials as f64, scaled / trials as f64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unscaled_rows_saturate_as_width_grows_and_scaled_ones_do_not() {
        let table = entropy_by_width(8, 20);
        let (first, last) = (table[0], table[table.len() - 1]);
        assert_eq!((first.0, last.0), (2, 512));
        assert!(last.1 < 0.25, "unscaled at 512: {} bits", last.1);
        assert!(
            first.1 > 1.0 && last.1 < first.1 / 5.0,
            "{first:?} {last:?}"
        );
        assert!(last.2 > 1.0, "scaled at 512: {} bits", last.2);
        // Scaled entropy stays in a narrow band at every width.
        let band = table.iter().map(|r| r.2);
        let (lo, hi) = band.fold((f64::MAX, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
        assert!(hi - lo < 0.5, "{lo}..{hi}");
        let w = weights(&random_qk(5, 16, 1).0, &random_qk(5, 16, 1).1, true);
        for row in w.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-6);
        }
        // Uniform rows have log₂ n bits.
        let uniform = Array2::from_elem((3, 4), 0.25f32);
        assert!((row_entropy(&uniform) - 2.0).abs() < 1e-9);
    }
}
