//! Skip-gram with a full softmax: the model before negative sampling.
//!
//! `P(o | c) = exp(u_o·v_c) / Σ_w exp(u_w·v_c)`: every step scores and updates
//! *all* V output vectors, so its cost grows with the vocabulary. Negative
//! sampling touches 1 + k of them. [`measure_step_cost`] times both on the
//! machine at hand; the lesson plots the two lines.

use super::math::{axpy, dot};
use super::skipgram;
use crate::model::numerics::rng::SplitMix64;
use serde::Serialize;
use std::time::Duration;
use web_time::Instant;

/// The softmax distribution over all `V` words for input row `input`.
/// `syn1` is `(V, dim)`.
pub fn probabilities(syn0: &[f32], syn1: &[f32], dim: usize, input: u32) -> Vec<f32> {
    let v = &syn0[input as usize * dim..(input as usize + 1) * dim];
    let mut p: Vec<f32> = syn1.chunks_exact(dim).map(|u| dot(v, u)).collect();
    softmax_in_place(&mut p);
    p
}

/// Numerically stable softmax: subtract the max before `exp`.
///
/// ```
/// let mut x = [1.0, 1.0, 1000.0];
/// llm_lens::model::word2vec::softmax::softmax_in_place(&mut x);
/// assert!((x[2] - 1.0).abs() < 1e-6);
/// ```
pub fn softmax_in_place(x: &mut [f32]) {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    x.iter_mut().for_each(|v| *v /= sum);
}

/// One full-softmax SGD step for the pair (input `context`, target `centre`):
/// `L = −ln P(centre | context)`; `∂L/∂f_w = P(w) − [w = centre]`.
/// `scores` is scratch of length V, `neu1e` of length `dim`. Returns the loss
/// before the update.
#[allow(clippy::too_many_arguments)]
pub fn step(
    syn0: &mut [f32],
    syn1: &mut [f32],
    dim: usize,
    context: u32,
    centre: u32,
    alpha: f32,
    scores: &mut [f32],
    neu1e: &mut [f32],
) -> f32 {
    let c0 = context as usize * dim;
    let l1 = &syn0[c0..c0 + dim];
    for (s, u) in scores.iter_mut().zip(syn1.chunks_exact(dim)) {
        *s = dot(l1, u);
    }
    softmax_in_place(scores);
    let loss = -scores[centre as usize].max(f32::MIN_POSITIVE).ln();
    neu1e[..dim].fill(0.0);
    for (w, (u, &p)) in syn1.chunks_exact_mut(dim).zip(scores.iter()).enumerate() {
        let y = if w == centre as usize { 1.0 } else { 0.0 };
        let g = alpha * (y - p);
        axpy(g, u, &mut neu1e[..dim]);
        axpy(g, l1, u);
    }
    axpy(1.0, &neu1e[..dim], &mut syn0[c0..c0 + dim]);
    loss
}

/// Time per training step of each method at one vocabulary size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepCost {
    pub vocab: usize,
    pub softmax_ns: f64,
    pub negative_sampling_ns: f64,
}

/// Times full-softmax and negative-sampling steps on random vectors for each
/// vocabulary size, spending about `budget` on each measurement.
pub fn measure_step_cost(
    vocab_sizes: &[usize],
    dim: usize,
    negative: usize,
    budget: Duration,
) -> Vec<StepCost> {
    let mut rng = SplitMix64::new(7);
    vocab_sizes
        .iter()
        .filter(|&&v| v >= 2 && dim > 0)
        .map(|&v| {
            let mut syn0: Vec<f32> = (0..v * dim).map(|_| rng.next_f32() - 0.5).collect();
            let mut syn1: Vec<f32> = (0..v * dim).map(|_| (rng.next_f32() - 0.5) * 0.1).collect();
            let mut scores = vec![0.0; v];
            let mut neu1e = vec![0.0; dim];
            let mut negs = vec![0u32; negative];
            let softmax_ns = time_per_call(budget, || {
                let (c, o) = (rng.below_u32(v as u32), rng.below_u32(v as u32));
                step(
                    &mut syn0,
                    &mut syn1,
                    dim,
                    c,
                    o,
                    1e-3,
                    &mut scores,
                    &mut neu1e,
                );
            });
            let negative_sampling_ns = time_per_call(budget, || {
                let (c, o) = (rng.below_u32(v as u32), rng.below_u32(v as u32));
                negs.iter_mut().for_each(|n| *n = rng.below_u32(v as u32));
                skipgram::step(&mut syn0, &mut syn1, dim, c, o, &negs, 1e-3, &mut neu1e);
            });
            StepCost {
                vocab: v,
                softmax_ns,
                negative_sampling_ns,
            }
        })
        .collect()
}

/// Runs `f` repeatedly for about `budget` (at least 3 calls), returns ns per call.
fn time_per_call(budget: Duration, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut calls = 0u64;
    while calls < 3 || start.elapsed() < budget {
        f();
        calls += 1;
    }
    start.elapsed().as_nanos() as f64 / calls as f64
}
