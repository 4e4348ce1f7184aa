//! The small training toolbox the learning models share (the recall task, and the
//! BERT trainer to come): softmax with cross-entropy, gradient clipping and Adam.
//! Generic over `f32` and `f64`, so each model keeps the precision it needs.
//!
//! ```
//! use ndarray::array;
//! use llm_lens::model::numerics::nn::{Adam, softmax_cross_entropy};
//! let mut w = array![[0.0f64, 0.0]]; // (1 × 2): logits for one example
//! let mut adam = Adam::new(0.1);
//! for _ in 0..20 {
//!     let (_, d) = softmax_cross_entropy(w.clone(), &[1]);
//!     adam.tick();
//!     adam.update(0, &mut w, &d);
//! }
//! assert!(w[[0, 1]] > w[[0, 0]]); // the right answer's logit went up
//! ```

use std::iter::Sum;

use ndarray::{Array, Array2, Dimension, NdFloat};

/// The float types models train in: `f32` (BERT) or `f64` (the recurrent lessons,
/// whose gradient norms span hundreds of orders of magnitude).
pub trait Real: NdFloat + Sum {
    /// Probabilities are floored here before their logarithm, so a probability that
    /// underflowed to 0 gives a large finite loss rather than infinity.
    const PROB_FLOOR: Self;
    /// `x` rounded to this type (hyper-parameters are written as `f64`).
    fn of(x: f64) -> Self;
}

impl Real for f32 {
    const PROB_FLOOR: f32 = f32::MIN_POSITIVE;
    fn of(x: f64) -> f32 {
        x as f32
    }
}

impl Real for f64 {
    const PROB_FLOOR: f64 = 1e-300;
    fn of(x: f64) -> f64 {
        x
    }
}

/// Row-wise softmax in place; each row's maximum is subtracted first so `exp`
/// cannot overflow.
pub fn softmax_rows<A: Real>(z: &mut Array2<A>) {
    for mut row in z.outer_iter_mut() {
        let m = row.fold(A::neg_infinity(), |a, &b| a.max(b));
        row.mapv_inplace(|v| (v - m).exp());
        let s = row.sum();
        row /= s;
    }
}

/// Mean cross-entropy of `probs` `(batch × classes)` against the right class of
/// each row, and its gradient w.r.t. the *logits* the probabilities came from
/// through softmax, `(p − onehot) / batch`.
pub fn cross_entropy<A: Real>(probs: &Array2<A>, answers: &[usize]) -> (A, Array2<A>) {
    let batch = A::of(answers.len() as f64);
    let mut d = probs.clone();
    let mut loss = A::zero();
    for (b, &a) in answers.iter().enumerate() {
        loss -= probs[[b, a]].max(A::PROB_FLOOR).ln();
        d[[b, a]] -= A::one();
    }
    (loss / batch, d / batch)
}

/// Softmax of `logits` `(batch × classes)`, then [`cross_entropy`]: the loss and
/// its gradient w.r.t. the logits.
pub fn softmax_cross_entropy<A: Real>(mut logits: Array2<A>, answers: &[usize]) -> (A, Array2<A>) {
    softmax_rows(&mut logits);
    cross_entropy(&logits, answers)
}

/// The sum of the squares of all the values of `g`.
fn squared_sum<A: Real, D: Dimension>(g: &Array<A, D>) -> A {
    g.iter().map(|&x| x * x).sum::<A>()
}

/// Rescales `g` in place so its norm is at most `max`; returns the norm before clipping.
pub fn clip_in_place<A: Real, D: Dimension>(g: &mut Array<A, D>, max: Option<A>) -> A {
    let norm = squared_sum(g).sqrt();
    if let Some(m) = max
        && norm > m
    {
        *g *= m / norm;
    }
    norm
}

/// Scales all gradients together so their joint norm is at most `max`. A step whose
/// norm is not finite is zeroed: skipped, rather than poisoning the weights.
pub fn clip_global<A: Real, D: Dimension>(grads: &mut [Array<A, D>], max: A) {
    let norm = grads.iter().map(squared_sum).sum::<A>().sqrt();
    if norm > max && norm.is_finite() {
        for g in grads.iter_mut() {
            *g *= max / norm;
        }
    } else if !norm.is_finite() {
        for g in grads.iter_mut() {
            g.fill(A::zero());
        }
    }
}

/// Adam (Kingma & Ba, 2015), by default with β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸.
///
/// Parameters are numbered by the caller (`slot`), each with its own pair of
/// moments, so one optimiser serves tensors of any shape. Call [`Adam::tick`] once
/// per step, before that step's updates.
#[derive(Debug, Clone)]
pub struct Adam<A> {
    pub lr: A,
    pub beta1: A,
    pub beta2: A,
    pub eps: A,
    t: i32,
    m: Vec<Vec<A>>,
    v: Vec<Vec<A>>,
}

impl<A: Real> Adam<A> {
    pub fn new(lr: A) -> Self {
        Self {
            lr,
            beta1: A::of(0.9),
            beta2: A::of(0.999),
            eps: A::of(1e-8),
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
        }
    }

    /// Starts a new step (the bias corrections depend on the step count).
    pub fn tick(&mut self) {
        self.t += 1;
    }

    /// One Adam step on parameter `slot`: `p -= lr · m̂ / (√v̂ + ε)`.
    pub fn update<D: Dimension>(&mut self, slot: usize, p: &mut Array<A, D>, g: &Array<A, D>) {
        let (b1, b2) = (self.beta1, self.beta2);
        while self.m.len() <= slot {
            self.m.push(Vec::new());
            self.v.push(Vec::new());
        }
        let n = p.len();
        if self.m[slot].len() != n {
            self.m[slot] = vec![A::zero(); n];
            self.v[slot] = vec![A::zero(); n];
        }
        let c1 = A::one() - b1.powi(self.t);
        let c2 = A::one() - b2.powi(self.t);
        let (m, v) = (&mut self.m[slot], &mut self.v[slot]);
        for (((w, &gr), mi), vi) in p
            .iter_mut()
            .zip(g.iter())
            .zip(m.iter_mut())
            .zip(v.iter_mut())
        {
            *mi = b1 * *mi + (A::one() - b1) * gr;
            *vi = b2 * *vi + (A::one() - b2) * gr * gr;
            *w -= self.lr * (*mi / c1) / ((*vi / c2).sqrt() + self.eps);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn softmax_cross_entropy_gradient_is_p_minus_onehot() {
        let (loss, d) = softmax_cross_entropy(array![[0.0f64, 0.0]], &[0]);
        assert!((loss - std::f64::consts::LN_2).abs() < 1e-15);
        assert_eq!(d, array![[-0.5, 0.5]]);
    }

    #[test]
    fn clipping_keeps_direction_and_zeroes_blown_up_steps() {
        let mut g = vec![array![3.0f32, 0.0], array![0.0, 4.0]];
        clip_global(&mut g, 1.0);
        assert!((g[0][0] - 0.6).abs() < 1e-6 && (g[1][1] - 0.8).abs() < 1e-6);
        let mut bad = vec![array![f32::INFINITY, 1.0]];
        clip_global(&mut bad, 1.0);
        assert_eq!(bad[0], array![0.0, 0.0]);
        let mut one = array![3.0f64, 4.0];
        assert_eq!(clip_in_place(&mut one, Some(1.0)), 5.0);
        assert!((one[1] - 0.8).abs() < 1e-15);
    }

    #[test]
    fn adam_first_step_moves_each_weight_by_lr() {
        // After one step m̂ = g and v̂ = g², so every weight moves by lr·sign(g).
        let mut adam = Adam::new(0.1f32);
        let mut p = array![1.0f32, 1.0];
        adam.tick();
        adam.update(0, &mut p, &array![2.0, -0.5]);
        assert!((p[0] - 0.9).abs() < 1e-6 && (p[1] - 1.1).abs() < 1e-6);
    }
}
