//! Positional encoding, and why attention needs it.
//!
//! Attention without positions treats its input as a set: permuting the tokens
//! permutes the outputs and changes nothing else ([`plain_attention`]). The
//! original Transformer adds a fixed sinusoid to every embedding:
//!
//! ```text
//! PE(pos, 2i)   = sin(pos / 10000^(2i/d))
//! PE(pos, 2i+1) = cos(pos / 10000^(2i/d))
//! ```
//!
//! bounded, with wavelengths from 2π to 10000·2π, defined for any length; BERT
//! learns a table instead, and newer models (Llama, PaLM) rotate queries and keys
//! (RoPE).

use ndarray::Array2;

use crate::model::masks::{allowed, masked_attention};
use crate::model::numerics::rng::SplitMix64;

/// The sinusoidal encoding, `(len × d)`.
pub fn sinusoid(len: usize, d: usize) -> Array2<f32> {
    Array2::from_shape_fn((len, d), |(pos, j)| {
        let i2 = (j - j % 2) as f64; // 2i for both members of a pair
        let angle = pos as f64 / 10000f64.powf(i2 / d as f64);
        (if j % 2 == 0 { angle.sin() } else { angle.cos() }) as f32
    })
}

/// `rows[0] · rows[k]` for every `k`: how alike position 0 and position k are.
pub fn dot_with_first(rows: &Array2<f32>) -> Vec<f32> {
    let first = rows.row(0);
    rows.rows().into_iter().map(|r| r.dot(&first)).collect()
}

/// Attention with no weights and no mask: `S = X·Xᵀ/√d`, softmax by row,
/// `Y = softmax(S)·X`. Returns `(weights, outputs)`, `(n × n)` and `(n × d)`.
pub fn plain_attention(x: &Array2<f32>) -> (Array2<f32>, Array2<f32>) {
    masked_attention(x, &allowed(x.nrows(), false, &[]))
}

/// A fixed random `d`-vector per word (seeded by the word's bytes), so the same
/// word gets the same vector in every sentence.
pub fn word_vector(word: &str, d: usize) -> Vec<f32> {
    let seed = word.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let mut rng = SplitMix64::new(seed);
    (0..d).map(|_| rng.normal() as f32).collect()
}

/// Each word's output in two orderings of the same words, with and without the
/// sinusoid added: `(word, change without positions, change with positions)`,
/// the change being the largest absolute difference of that word's output
/// between the two sentences. `None` unless `b` is a permutation of `a`.
pub fn permutation_test(a: &[String], b: &[String], d: usize) -> Option<Vec<(String, f32, f32)>> {
    let mut sa = a.to_vec();
    let mut sb = b.to_vec();
    sa.sort();
    sb.sort();
    if sa != sb || a.is_empty() {
        return None;
    }
    let embed = |words: &[String], positions: bool| {
        let pe = sinusoid(words.len(), d);
        let mut x = Array2::from_shape_fn((words.len(), d), |(_, _)| 0.0f32);
        for (i, w) in words.iter().enumerate() {
            for (j, v) in word_vector(w, d).into_iter().enumerate() {
                x[[i, j]] = v + if positions { pe[[i, j]] } else { 0.0 };
            }
        }
        plain_attention(&x).1
    };
    let (ya, yb) = (embed(a, false), embed(b, false));
    let (pa, pb) = (embed(a, true), embed(b, true));
    // Pair each word of `a` with an unused occurrence of it in `b`.
    let mut used = vec![false; b.len()];
    let mut out = Vec::new();
    for (i, w) in a.iter().enumerate() {
        let j = (0..b.len()).find(|&j| !used[j] && &b[j] == w)?;
        used[j] = true;
        let diff = |p: &Array2<f32>, q: &Array2<f32>| {
            p.row(i)
                .iter()
                .zip(q.row(j).iter())
                .map(|(x, y)| (x - y).abs())
                .fold(0.0f32, f32::max)
        };
        out.push((w.clone(), diff(&ya, &yb), diff(&pa, &pb)));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_courses_d3_table() {
        let pe = sinusoid(5, 3);
        let want = [
            [0.0, 1.0, 0.0],
            [0.84, 0.54, 0.0],
            [0.91, -0.42, 0.0],
            [0.14, -0.99, 0.01],
            [-0.76, -0.65, 0.01],
        ];
        for (row, w) in pe.rows().into_iter().zip(want) {
            for (&v, e) in row.iter().zip(w) {
                assert!((v - e).abs() < 0.005, "{v} vs {e}");
            }
        }
    }

    #[test]
    fn values_are_bounded_and_near_positions_are_most_alike() {
        let pe = sinusoid(100, 64);
        assert!(pe.iter().all(|v| v.abs() <= 1.0));
        let dots = dot_with_first(&pe);
        assert!((dots[0] - 32.0).abs() < 1e-4, "sin² + cos² over 32 pairs");
        assert!(dots[1] > dots[10] && dots[10] > dots[40]);
    }

    #[test]
    fn without_positions_a_permutation_changes_nothing_but_the_order() {
        let words = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let rows = permutation_test(
            &words("the cat ate the mouse"),
            &words("the mouse ate the cat"),
            8,
        )
        .expect("a permutation");
        for (w, plain, with_pe) in &rows {
            assert!(*plain < 1e-5, "{w}: {plain}");
            if w != "ate" {
                assert!(*with_pe > 1e-3, "{w}: {with_pe}");
            }
        }
        let (w, _) = plain_attention(&sinusoid(4, 6));
        for row in w.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-6);
        }
        assert!(permutation_test(&words("a b"), &words("a c"), 4).is_none());
    }
}
