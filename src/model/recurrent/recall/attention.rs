//! The recall task's attention learner: one attention layer with a hand-written backward
//! pass, so the lesson can train it beside the RNN and the LSTM with the same optimiser.

use ndarray::{Array1, Array2, Array3, Axis};

use super::RecallConfig;
use crate::model::numerics::nn::softmax_rows;
use crate::model::numerics::rng::SplitMix64;

/// A single attention layer: the query token looks at every token (itself included).
/// Keys are a token part plus a learned position part; values carry the token only.
pub(super) struct AttentionLayer {
    pub(super) e_q: Array2<f64>, // (vocab × width): query vector per token
    pub(super) e_k: Array2<f64>, // (vocab × width): key vector per token
    pub(super) p_k: Array2<f64>, // (max_len × width): key vector per position
    pub(super) e_v: Array2<f64>, // (vocab × width): value vector per token
    pub(super) w_o: Array2<f64>, // (symbols × width)
    pub(super) b_o: Array1<f64>, // (symbols)
}

pub(super) struct AttentionCache {
    x: Array2<f64>,            // (batch·len × vocab) one-hot
    xq: Array2<f64>,           // (batch × vocab) one-hot of the query token
    k: Array3<f64>,            // (batch × len × width)
    v: Array3<f64>,            // (batch × len × width)
    q: Array2<f64>,            // (batch × width)
    pub(super) a: Array2<f64>, // (batch × len) attention weights
    c: Array2<f64>,            // (batch × width) context
}

impl AttentionLayer {
    pub(super) fn new(cfg: &RecallConfig, rng: &mut SplitMix64) -> Self {
        let (v, w, k) = (cfg.vocab_size(), cfg.hidden, cfg.symbols);
        let mut init =
            |r: usize, c: usize, std: f64| Array2::from_shape_fn((r, c), |_| rng.normal() * std);
        Self {
            e_q: init(v, w, 1.0),
            e_k: init(v, w, 1.0),
            p_k: Array2::zeros((cfg.max_len(), w)), // untrained positions stay neutral
            e_v: init(v, w, 1.0),
            w_o: init(k, w, 1.0 / (w as f64).sqrt()),
            b_o: Array1::zeros(k),
        }
    }

    pub(super) fn forward(&self, tokens: &Array2<usize>) -> (Array2<f64>, AttentionCache) {
        let (batch, len) = tokens.dim();
        let (vocab, width) = self.e_k.dim();
        let mut x = Array2::zeros((batch * len, vocab));
        let mut xq = Array2::zeros((batch, vocab));
        for ((b, t), &tok) in tokens.indexed_iter() {
            x[[b * len + t, tok]] = 1.0;
            if t + 1 == len {
                xq[[b, tok]] = 1.0;
            }
        }
        let to3 = |m: Array2<f64>| {
            m.into_shape_with_order((batch, len, width))
                .unwrap_or_else(|_| Array3::zeros((batch, len, width)))
        };
        let mut k = to3(x.dot(&self.e_k)); // (batch × len × width)
        let positions = self.p_k.slice(ndarray::s![..len.min(self.p_k.nrows()), ..]);
        k.slice_mut(ndarray::s![.., ..positions.nrows(), ..])
            .zip_mut_with(&positions, |a, &b| *a += b);
        let v = to3(x.dot(&self.e_v)); // (batch × len × width)
        let q = xq.dot(&self.e_q); // (batch × width)
        let scale = 1.0 / (width as f64).sqrt();
        let mut a = (&k * &q.view().insert_axis(Axis(1))).sum_axis(Axis(2)) * scale; // (batch × len)
        softmax_rows(&mut a);
        let c = (&v * &a.view().insert_axis(Axis(2))).sum_axis(Axis(1)); // (batch × width)
        let mut logits = c.dot(&self.w_o.t()) + &self.b_o; // (batch × symbols)
        softmax_rows(&mut logits);
        (
            logits,
            AttentionCache {
                x,
                xq,
                k,
                v,
                q,
                a,
                c,
            },
        )
    }

    /// Gradients in the parameters' order `[e_q, e_k, p_k, e_v, w_o, b_o]` (b_o as a 1-row matrix).
    pub(super) fn backward(
        &self,
        cache: &AttentionCache,
        d_logits: &Array2<f64>,
    ) -> [Array2<f64>; 6] {
        let (batch, len, width) = cache.k.dim();
        let scale = 1.0 / (width as f64).sqrt();
        let d_wo = d_logits.t().dot(&cache.c); // (symbols × width)
        let d_bo = d_logits.sum_axis(Axis(0)).insert_axis(Axis(0)); // (1 × symbols)
        let d_c = d_logits.dot(&self.w_o); // (batch × width)
        let d_v = &cache.a.view().insert_axis(Axis(2)) * &d_c.view().insert_axis(Axis(1)); // (batch × len × width)
        let d_a = (&cache.v * &d_c.view().insert_axis(Axis(1))).sum_axis(Axis(2)); // (batch × len)
        // Softmax backward: dS = A ⊙ (dA − Σ_j A_j dA_j).
        let inner = (&cache.a * &d_a).sum_axis(Axis(1)).insert_axis(Axis(1)); // (batch × 1)
        let d_s = &cache.a * &(&d_a - &inner) * scale; // (batch × len)
        let d_q = (&cache.k * &d_s.view().insert_axis(Axis(2))).sum_axis(Axis(1)); // (batch × width)
        let d_k = &d_s.view().insert_axis(Axis(2)) * &cache.q.view().insert_axis(Axis(1)); // (batch × len × width)
        let mut d_pk = Array2::zeros(self.p_k.raw_dim()); // (max_len × width)
        let used = len.min(d_pk.nrows());
        d_pk.slice_mut(ndarray::s![..used, ..])
            .assign(&d_k.sum_axis(Axis(0)).slice(ndarray::s![..used, ..]));
        let flat = |m: Array3<f64>| {
            m.into_shape_with_order((batch * len, width))
                .unwrap_or_else(|_| Array2::zeros((batch * len, width)))
        };
        [
            cache.xq.t().dot(&d_q),
            cache.x.t().dot(&flat(d_k)),
            d_pk,
            cache.x.t().dot(&flat(d_v)),
            d_wo,
            d_bo,
        ]
    }
}
