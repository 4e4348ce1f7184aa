//! Multi-head attention on small numbers. The `d_model` numbers of each word are
//! read by `h` heads of `d_k = d_model / h` numbers each: every head has its own
//! W_Q, W_K, W_V and its own `(n × n)` weights, so one head can follow one relation
//! while another follows a different one. The heads' outputs are concatenated back
//! to `(n × d_model)` and mixed by one more matrix, W_O.
//!
//! [`MultiHead::reference_output`] computes the same layer the other way round
//! (the heads' weight matrices side by side as one wide product, W_O applied head by
//! head), so the lesson can show that the two agree.

use ndarray::{Array2, ArrayView1, ArrayView2, Axis, s};

use crate::model::masks::attention_weights;
use crate::model::numerics::matmul::mat_mul;
use crate::model::numerics::rng::SplitMix64;
use crate::model::positional::word_vector;
use crate::model::qkv::{SmallHead, seeded};

/// Widest `d_model` accepted (every number must fit on screen).
pub const MAX_D_MODEL: usize = 16;

/// One head of the layer: the same computation as the Q, K, V step's head.
pub type Head = SmallHead;

/// A multi-head attention layer over a handful of words, every intermediate kept.
#[derive(Debug, Clone)]
pub struct MultiHead {
    /// Each word's fixed random vector, `(n × d_model)`.
    pub x: Array2<f32>,
    pub heads: Vec<Head>,
    /// The heads' outputs side by side, `(n × d_model)`.
    pub concat: Array2<f32>,
    /// Seeded output projection, `(d_model × d_model)`.
    pub w_o: Array2<f32>,
    /// `concat · W_O`, `(n × d_model)`.
    pub output: Array2<f32>,
}

/// The largest head count `≤ heads` that divides `d_model` (at least 1).
pub fn fitting_heads(d_model: usize, heads: usize) -> usize {
    (1..=heads.clamp(1, d_model.max(1)))
        .rev()
        .find(|h| d_model.is_multiple_of(*h))
        .unwrap_or(1)
}

impl MultiHead {
    /// Runs the layer on `words` (each a fixed random vector of `d_model` numbers,
    /// [`word_vector`]) with `heads` heads; `d_model` is clamped to
    /// 1..=[`MAX_D_MODEL`] and `heads` to a divisor of it. Weights come from `seed`.
    pub fn new(words: &[String], d_model: usize, heads: usize, seed: u64) -> Self {
        let d_model = d_model.clamp(1, MAX_D_MODEL);
        let h = fitting_heads(d_model, heads);
        let d_k = d_model / h;
        let n = words.len();
        let x = Array2::from_shape_fn((n, d_model), |(i, j)| word_vector(&words[i], d_model)[j]);
        let mut rng = SplitMix64::new(seed);
        let heads: Vec<Head> = (0..h)
            .map(|_| {
                let w_q = seeded(d_model, d_k, &mut rng);
                let w_k = seeded(d_model, d_k, &mut rng);
                let w_v = seeded(d_model, d_k, &mut rng);
                SmallHead::from_weights(words, x.clone(), w_q, w_k, w_v)
            })
            .collect();
        let mut concat = Array2::zeros((n, d_model)); // (n × h·d_k)
        for (i, head) in heads.iter().enumerate() {
            concat
                .slice_mut(s![.., i * d_k..(i + 1) * d_k])
                .assign(&head.output);
        }
        let w_o = seeded(d_model, d_model, &mut rng);
        let output = mat_mul(&concat.view(), &w_o.view()); // (n × d_model)
        Self {
            x,
            heads,
            concat,
            w_o,
            output,
        }
    }

    pub fn d_k(&self) -> usize {
        self.heads.first().map_or(0, |h| h.w_q.ncols())
    }

    /// The same output computed the way a model stores the layer: the heads'
    /// W_Q, W_K, W_V side by side as `(d_model × d_model)` matrices, one product
    /// each, every head reading its own `d_k` columns; and W_O applied head by head,
    /// `Σ_h head_h · W_O[rows of h]`, with no concatenation. `(n × d_model)`.
    pub fn reference_output(&self) -> Array2<f32> {
        let d_k = self.d_k();
        let wide = |pick: fn(&Head) -> &Array2<f32>| {
            let views: Vec<_> = self.heads.iter().map(|h| pick(h).view()).collect();
            ndarray::concatenate(Axis(1), &views).unwrap_or_default() // (d_model × d_model)
        };
        let (w_q, w_k, w_v) = (wide(|h| &h.w_q), wide(|h| &h.w_k), wide(|h| &h.w_v));
        let q = mat_mul(&self.x.view(), &w_q.view()); // (n × d_model)
        let k = mat_mul(&self.x.view(), &w_k.view()); // (n × d_model)
        let v = mat_mul(&self.x.view(), &w_v.view()); // (n × d_model)
        let mut out = Array2::zeros(self.output.raw_dim()); // (n × d_model)
        for i in 0..self.heads.len() {
            let cols = s![.., i * d_k..(i + 1) * d_k];
            let w = attention_weights(
                &q.slice(cols).to_owned(),
                &k.slice(cols).to_owned(),
                1.0 / (d_k.max(1) as f32).sqrt(),
                None,
            ); // (n × n)
            let head = mat_mul(&w.view(), &v.slice(cols)); // (n × d_k)
            let rows = self.w_o.slice(s![i * d_k..(i + 1) * d_k, ..]); // (d_k × d_model)
            out += &mat_mul(&head.view(), &rows);
        }
        out
    }

    /// Largest distance of any head's row sum from 1.
    pub fn row_sum_error(&self) -> f32 {
        self.heads
            .iter()
            .flat_map(|h| h.weights.rows().into_iter().map(|r| (r.sum() - 1.0).abs()))
            .fold(0.0, f32::max)
    }
}

/// Where a head puts its weight, averaged over its query rows: on special tokens
/// (`[CLS]`, `[SEP]`), on the query itself, on the token just before and just after.
/// Summaries that let the learner compare a real model's heads at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Habits {
    pub specials: f32,
    pub itself: f32,
    pub previous: f32,
    pub next: f32,
}

/// [`Habits`] of one head's `(n × n)` weights; `special[j]` marks the special tokens.
pub fn habits(w: ArrayView2<f32>, special: &[bool]) -> Habits {
    let n = w.nrows().min(w.ncols());
    if n == 0 {
        return Habits::default();
    }
    let mean = |vals: Vec<f32>| {
        let len = vals.len().max(1) as f32;
        vals.iter().sum::<f32>() / len
    };
    Habits {
        specials: mean(
            (0..n)
                .map(|i| {
                    (0..n)
                        .filter(|&j| special.get(j).copied().unwrap_or(false))
                        .map(|j| w[[i, j]])
                        .sum()
                })
                .collect(),
        ),
        itself: mean((0..n).map(|i| w[[i, i]]).collect()),
        previous: mean((1..n).map(|i| w[[i, i - 1]]).collect()),
        next: mean((0..n - 1).map(|i| w[[i, i + 1]]).collect()),
    }
}

/// The key a row of weights favours most: `(index, weight)`, `None` when empty.
pub fn top_key(row: ArrayView1<f32>) -> Option<(usize, f32)> {
    row.iter()
        .copied()
        .enumerate()
        .fold(None, |best, (j, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((j, v)),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(String::from).collect()
    }

    #[test]
    fn concatenation_and_projection_equal_the_one_product_reference() {
        let w = words("a man withdrew money from the bank then sat on the river bank .");
        for heads in [1, 2, 4, 8] {
            let m = MultiHead::new(&w, 8, heads, 3);
            assert_eq!(m.heads.len(), heads);
            assert_eq!(m.d_k() * heads, 8);
            assert_eq!(m.concat.dim(), (w.len(), 8));
            assert_eq!(m.output.dim(), (w.len(), 8));
            let diff = (&m.output - &m.reference_output())
                .iter()
                .fold(0.0f32, |a, d| a.max(d.abs()));
            assert!(diff < 1e-5, "{heads} heads: {diff}");
            assert!(m.row_sum_error() < 1e-6, "{}", m.row_sum_error());
            for head in &m.heads {
                for row in head.weights.rows() {
                    assert!((row.sum() - 1.0).abs() < 1e-6);
                }
            }
        }
        // Different heads read the sentence differently.
        let m = MultiHead::new(&w, 8, 2, 3);
        let gap = (&m.heads[0].weights - &m.heads[1].weights)
            .iter()
            .fold(0.0f32, |a, d| a.max(d.abs()));
        assert!(gap > 1e-3);
    }

    #[test]
    fn odd_sizes_and_empty_input_do_not_panic() {
        assert_eq!(fitting_heads(8, 3), 2);
        assert_eq!(fitting_heads(8, 0), 1);
        assert_eq!(fitting_heads(6, 4), 3);
        let m = MultiHead::new(&[], 8, 4, 1);
        assert_eq!(m.output.dim(), (0, 8));
        assert_eq!(m.reference_output().dim(), (0, 8));
        let m = MultiHead::new(&words("東京 Ünï"), 100, 5, 1);
        assert_eq!(m.heads.len(), 4);
        assert_eq!(m.output.dim(), (2, MAX_D_MODEL));
    }

    #[test]
    fn habits_and_top_key_read_the_weights() {
        // Every row on the token before it (the first row on itself).
        let w = Array2::from_shape_fn((4, 4), |(i, j)| {
            if j + 1 == i || (i == 0 && j == 0) {
                1.0
            } else {
                0.0
            }
        });
        let hb = habits(w.view(), &[true, false, false, false]);
        assert!((hb.previous - 1.0).abs() < 1e-6);
        assert!((hb.itself - 0.25).abs() < 1e-6);
        assert!((hb.specials - 0.5).abs() < 1e-6);
        assert_eq!(hb.next, 0.0);
        assert_eq!(top_key(w.row(2)), Some((1, 1.0)));
        assert_eq!(habits(Array2::zeros((0, 0)).view(), &[]), Habits::default());
        let empty: [f32; 0] = [];
        assert_eq!(top_key(ArrayView1::from(&empty)), None);
    }
}
