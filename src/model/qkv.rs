//! One attention head worked through on small numbers, and the same head read out of
//! the built-in model. The lesson's Q, K, V step and its softmax-and-weighted-sum
//! step both draw from [`SmallHead`], so every number they show is one computation.

use ndarray::{Array2, ArrayView2, Axis, s};

use crate::model::bert::weights::BertWeights;
use crate::model::masks::attention_weights;
use crate::model::numerics::matmul::mat_mul;
use crate::model::numerics::rng::SplitMix64;
use crate::model::positional::word_vector;

/// Widest `d_model` the small head accepts (every number must fit on screen).
pub const MAX_D_MODEL: usize = 16;

/// A head of self-attention over a handful of words, every intermediate kept.
#[derive(Debug, Clone)]
pub struct SmallHead {
    pub words: Vec<String>,
    /// Each word's fixed vector, `(n × d_model)`.
    pub x: Array2<f32>,
    /// Seeded weights, `(d_model × d_k)` each.
    pub w_q: Array2<f32>,
    pub w_k: Array2<f32>,
    pub w_v: Array2<f32>,
    /// `X·W`, `(n × d_k)` each.
    pub q: Array2<f32>,
    pub k: Array2<f32>,
    pub v: Array2<f32>,
    /// `QKᵀ/√d_k`, `(n × n)`, row = query.
    pub scores: Array2<f32>,
    /// Row softmax of `scores`, `(n × n)`; each row sums to 1.
    pub weights: Array2<f32>,
    /// `weights · V`, `(n × d_k)`.
    pub output: Array2<f32>,
}

/// A `(rows × cols)` matrix of N(0, 1/rows) entries: the usual initialisation, so
/// products keep a variance near 1. The lesson's random weight matrices all come from it.
pub fn seeded(rows: usize, cols: usize, rng: &mut SplitMix64) -> Array2<f32> {
    let std = 1.0 / (rows.max(1) as f64).sqrt();
    Array2::from_shape_simple_fn((rows, cols), || (rng.normal() * std) as f32)
}

impl SmallHead {
    /// Runs the head on `words` with `d_model`-wide word vectors and `d_k`-wide
    /// queries, keys and values (both clamped to 1..=[`MAX_D_MODEL`], `d_k ≤ d_model`).
    pub fn new(words: &[String], d_model: usize, d_k: usize, seed: u64) -> Self {
        let d_model = d_model.clamp(1, MAX_D_MODEL);
        let d_k = d_k.clamp(1, d_model);
        let n = words.len();
        let x = Array2::from_shape_fn((n, d_model), |(i, j)| word_vector(&words[i], d_model)[j]);
        let mut rng = SplitMix64::new(seed);
        let w_q = seeded(d_model, d_k, &mut rng);
        let w_k = seeded(d_model, d_k, &mut rng);
        let w_v = seeded(d_model, d_k, &mut rng);
        Self::from_weights(words, x, w_q, w_k, w_v)
    }

    /// The head's products for inputs `x` `(n × d_model)` and weights `(d_model × d_k)`:
    /// what one head of a multi-head layer computes too.
    pub fn from_weights(
        words: &[String],
        x: Array2<f32>,
        w_q: Array2<f32>,
        w_k: Array2<f32>,
        w_v: Array2<f32>,
    ) -> Self {
        let q = mat_mul(&x.view(), &w_q.view()); // (n × d_k)
        let k = mat_mul(&x.view(), &w_k.view()); // (n × d_k)
        let v = mat_mul(&x.view(), &w_v.view()); // (n × d_k)
        let scale = 1.0 / (q.ncols().max(1) as f32).sqrt();
        let scores = mat_mul(&q.view(), &k.t()) * scale; // (n × n)
        let weights = attention_weights(&q, &k, scale, None); // (n × n)
        let output = mat_mul(&weights.view(), &v.view()); // (n × d_k)
        Self {
            words: words.to_vec(),
            x,
            w_q,
            w_k,
            w_v,
            q,
            k,
            v,
            scores,
            weights,
            output,
        }
    }

    pub fn d_k(&self) -> usize {
        self.q.ncols()
    }

    /// Query `i`'s output built one value row at a time: entry `t` is
    /// `Σ_{j ≤ t} weights[i, j] · V[j]`, so the last entry is `output[i]`.
    pub fn running_sum(&self, i: usize) -> Vec<Vec<f32>> {
        let mut acc = vec![0.0f32; self.d_k()];
        let mut out = Vec::with_capacity(self.v.nrows());
        for (j, v) in self.v.rows().into_iter().enumerate() {
            let w = self.weights[[i, j]];
            for (a, x) in acc.iter_mut().zip(v.iter()) {
                *a += w * x;
            }
            out.push(acc.clone());
        }
        out
    }
}

/// Head `head` of layer `layer` of a BERT computed from its input `x` (the layer's
/// input hidden states, `(n × hidden)`): the slices of `X·W_Qᵀ + b` etc. that
/// belong to the head, `(n × head_dim)` each. The model computes the same three
/// products for all heads at once; this shows they are plain matrix products.
pub fn model_head_qkv(
    weights: &BertWeights,
    layer: usize,
    head: usize,
    x: &ArrayView2<f32>,
) -> Option<[Array2<f32>; 3]> {
    let l = weights.layers.get(layer)?;
    let heads = weights.config.num_attention_heads.max(1);
    let d = weights.config.hidden_size / heads;
    if head >= heads || x.ncols() != weights.config.hidden_size {
        return None;
    }
    let cols = s![head * d..(head + 1) * d];
    let project = |lin: &crate::model::bert::linear::Linear| {
        let w = lin.weight.slice(s![head * d..(head + 1) * d, ..]); // (d × hidden)
        let mut y = mat_mul(x, &w.t()); // (n × d)
        y += &lin.bias.slice(cols).insert_axis(Axis(0));
        y
    };
    let a = &l.attention;
    Some([project(&a.query), project(&a.key), project(&a.value)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn every_matrix_is_the_product_it_claims_and_rows_sum_to_one() {
        let h = SmallHead::new(&words("i withdrew money from the bank"), 8, 4, 3);
        assert_eq!(h.q.dim(), (6, 4));
        assert_eq!(h.q, mat_mul(&h.x.view(), &h.w_q.view()));
        let scores = mat_mul(&h.q.view(), &h.k.t()) / 2.0;
        assert!((&scores - &h.scores).iter().all(|d| d.abs() < 1e-6));
        for row in h.weights.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-6);
        }
        // The row softmax of the scores, written out.
        let r = h.scores.row(5);
        let max = r.fold(f32::MIN, |m, &v| m.max(v));
        let z: f32 = r.iter().map(|v| (v - max).exp()).sum();
        for j in 0..6 {
            let p = (r[j] - max).exp() / z;
            assert!((p - h.weights[[5, j]]).abs() < 1e-6);
        }
        let sums = h.running_sum(5);
        let last = sums.last().expect("six terms");
        for (a, b) in last.iter().zip(h.output.row(5).iter()) {
            assert!((a - b).abs() < 1e-6);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_head_and_widths_are_clamped() {
        let w = words("a b c");
        let a = SmallHead::new(&w, 8, 4, 9);
        assert_eq!(a.w_v, SmallHead::new(&w, 8, 4, 9).w_v);
        assert_ne!(a.w_v, SmallHead::new(&w, 8, 4, 10).w_v);
        let wide = SmallHead::new(&w, 99, 99, 1);
        assert_eq!(wide.x.ncols(), MAX_D_MODEL);
        assert_eq!(wide.d_k(), MAX_D_MODEL);
        let empty = SmallHead::new(&[], 8, 4, 1);
        assert_eq!(empty.weights.dim(), (0, 0));
    }

    #[test]
    fn a_head_of_the_built_in_model_equals_its_trace() {
        let bert = crate::model::bert::pretrained::PretrainedBert::builtin().expect("model");
        let input = bert.fit(bert.model.encode("the state of the union is strong", None));
        let trace = bert.run(&input, 1).expect("forward");
        let weights = &bert.model.weights;
        for layer in [0, weights.layers.len() - 1] {
            let x = if layer == 0 {
                trace.embeddings.normed.clone()
            } else {
                trace.layers[layer - 1].output.clone()
            };
            let steps = trace.layers[layer].steps.as_ref().expect("not ablated");
            for head in 0..weights.config.num_attention_heads {
                let [q, k, v] = model_head_qkv(weights, layer, head, &x.view()).expect("head");
                for (ours, theirs) in [(&q, &steps.q), (&k, &steps.k), (&v, &steps.v)] {
                    let theirs = theirs.index_axis(Axis(0), head);
                    let diff = (ours - &theirs).iter().fold(0.0f32, |m, d| m.max(d.abs()));
                    assert!(diff < 1e-4, "layer {layer} head {head}: {diff}");
                }
            }
        }
        assert!(model_head_qkv(weights, 99, 0, &trace.embeddings.normed.view()).is_none());
    }
}
