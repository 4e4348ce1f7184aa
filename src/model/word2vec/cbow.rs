//! CBOW (continuous bag of words) with negative sampling: from the mean of the
//! context vectors, predict the centre word.
//!
//! With `h = (1/C) Σ_c v_c` the loss is the skip-gram loss with `h` as input:
//! `L = −ln σ(u_o·h) − Σ_i ln σ(−u_i·h)`. The output rows get the exact SGD
//! step. Every context vector then receives the *whole* `−alpha·∂L/∂h`, not
//! the `1/C` share the chain rule gives: that is what word2vec.c and gensim
//! (`cbow_mean=1`) do, an effectively larger input learning rate that we keep so
//! results compare with theirs. The gradient check in `tests/w2v_gradients.rs`
//! tests exactly this.

use super::math::{Kernels, Portable, Rows, SigmoidTable, prefetch};
use super::skipgram::{AHEAD, Params, Scratch, draw_negatives, update_target};

/// One CBOW update: input = mean of the `context` rows of `syn0`, true target
/// `centre`, given negatives (a negative equal to `centre` is skipped).
/// `neu1` and `neu1e` are scratch of length `dim`. Returns the loss before the
/// update; does nothing and returns 0 for an empty context.
///
/// ```
/// use llm_lens::model::word2vec::cbow;
/// let dim = 2;
/// let mut syn0 = vec![0.1, 0.2, 0.3, 0.4, -0.2, 0.1];
/// let mut syn1 = vec![0.5, -0.5, 0.2, 0.1, 0.0, 0.3];
/// let (mut h, mut e) = (vec![0.0; dim], vec![0.0; dim]);
/// let loss = cbow::step(&mut syn0, &mut syn1, dim, &[0, 2], 1, &[2], 0.1, &mut h, &mut e);
/// assert!(loss > 0.0);
/// ```
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub fn step(
    syn0: &mut [f32],
    syn1neg: &mut [f32],
    dim: usize,
    context: &[u32],
    centre: u32,
    negatives: &[u32],
    alpha: f32,
    neu1: &mut [f32],
    neu1e: &mut [f32],
) -> f32 {
    let sig = SigmoidTable::get();
    let (syn0, syn1neg) = (Rows::new(syn0, dim), Rows::new(syn1neg, dim));
    syn0.assert_rows(context);
    syn1neg.assert_rows(&[centre]);
    syn1neg.assert_rows(negatives);
    // SAFETY: every index was checked above; both matrices are borrowed
    // exclusively for this call and reached only through their `Rows`; `neu1`
    // and `neu1e` are separate buffers.
    #[cfg(target_arch = "x86_64")]
    if let Some(k) = super::math::Avx2Fma::detect() {
        return unsafe {
            step_with(
                k, syn0, syn1neg, context, centre, negatives, alpha, neu1, neu1e, sig,
            )
        };
    }
    unsafe {
        step_with(
            Portable, syn0, syn1neg, context, centre, negatives, alpha, neu1, neu1e, sig,
        )
    }
}

/// [`step`] on rows of shared matrices (the trainer's loop).
///
/// # Safety
/// The contract of [`Rows`] for `syn0` and `syn1neg` (same `dim`); `neu1` and
/// `neu1e` hold at least `dim` floats.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) unsafe fn step_with<K: Kernels>(
    k: K,
    syn0: Rows<'_>,
    syn1neg: Rows<'_>,
    context: &[u32],
    centre: u32,
    negatives: &[u32],
    alpha: f32,
    neu1: &mut [f32],
    neu1e: &mut [f32],
    sig: &SigmoidTable,
) -> f32 {
    if context.is_empty() {
        return 0.0;
    }
    let dim = syn0.dim();
    debug_assert_eq!(dim, syn1neg.dim());
    let (h, neu1e) = (&mut neu1[..dim], &mut neu1e[..dim]);
    h.fill(0.0);
    for &c in context {
        // SAFETY: the row covers `dim` floats (`Rows::row`); `h` is our scratch.
        unsafe { k.axpy(1.0, syn0.row(c), h.as_mut_ptr(), dim) };
    }
    let inv = 1.0 / context.len() as f32;
    h.iter_mut().for_each(|x| *x *= inv);
    neu1e.fill(0.0);
    let (h, e) = (h.as_ptr(), neu1e.as_mut_ptr());
    // SAFETY: `h` and `e` are this worker's own scratch, the targets are rows
    // of `syn1neg` covering `dim` floats.
    unsafe {
        let mut loss = update_target(k, dim, h, e, syn1neg.row(centre), 1.0, alpha, sig);
        for &n in negatives {
            if n != centre {
                loss += update_target(k, dim, h, e, syn1neg.row(n), 0.0, alpha, sig);
            }
        }
        for &c in context {
            k.axpy(1.0, e, syn0.row(c), dim);
        }
        loss
    }
}

/// Trains on one (already subsampled) sentence. Returns (loss sum, examples).
/// Like skip-gram, all examples and negatives are drawn first so the next
/// example's rows can be prefetched.
///
/// # Safety
/// The contract of [`Rows`] for `syn0` and `syn1neg`, whose `dim` is `p.dim`.
#[inline(always)]
pub(crate) unsafe fn train_sentence<K: Kernels>(
    kern: K,
    sentence: &[u32],
    syn0: Rows<'_>,
    syn1neg: Rows<'_>,
    p: Params<'_>,
    s: &mut Scratch,
    alpha: f32,
) -> (f64, u64) {
    let n = sentence.len();
    s.context.clear();
    s.spans.clear();
    for pos in 0..n {
        let radius = p.window - s.rng.below_u32(p.window as u32) as usize;
        let lo = pos.saturating_sub(radius);
        let hi = (pos + radius).min(n - 1);
        let before = s.context.len();
        s.context
            .extend((lo..=hi).filter(|&c| c != pos).map(|c| sentence[c]));
        if s.context.len() > before {
            s.spans.push((s.context.len() as u32, sentence[pos]));
        }
    }
    let k = s.negatives.len();
    draw_negatives(s, p, s.spans.len() * k);
    let dim = p.dim;
    debug_assert_eq!(dim, syn0.dim());
    let mut loss = 0.0f64;
    let mut start = 0usize;
    for &ahead in s.all_negatives.iter().take(AHEAD * k) {
        prefetch(syn1neg.row(ahead), dim);
    }
    for (i, &(end, centre)) in s.spans.iter().enumerate() {
        if let Some(&(_, next_centre)) = s.spans.get(i + 1) {
            prefetch(syn1neg.row(next_centre), dim);
        }
        if let Some(ahead) = s.all_negatives.get((i + AHEAD) * k..(i + AHEAD + 1) * k) {
            for &ng in ahead {
                prefetch(syn1neg.row(ng), dim);
            }
        }
        let end = end as usize;
        // SAFETY: forwarded to the caller; the scratch buffers hold `dim` floats.
        loss += unsafe {
            step_with(
                kern,
                syn0,
                syn1neg,
                &s.context[start..end],
                centre,
                &s.all_negatives[i * k..(i + 1) * k],
                alpha,
                &mut s.neu1,
                &mut s.neu1e,
                p.sig,
            )
        } as f64;
        start = end;
    }
    (loss, s.spans.len() as u64)
}
