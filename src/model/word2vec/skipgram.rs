//! Skip-gram with negative sampling: from a context word, predict the centre
//! word, against `k` random "negative" words.
//!
//! For input vector `v` (row of `syn0`), the true word's output vector `u_o`
//! and negatives `u_1..u_k` (rows of `syn1neg`) the loss is
//!
//! ```text
//! L = −ln σ(u_o·v) − Σ_i ln σ(−u_i·v)
//! ```
//!
//! and each step moves `v` and the `u`s one SGD step of size `alpha` down its
//! gradient. With scores `f = u·v` and labels `y` (1 for the true word, 0 for
//! negatives), `∂L/∂f = σ(f) − y`, so with `g = alpha·(y − σ(f))`:
//! `u += g·v` and `v += Σ g·u` (the latter summed with the old `u`s). That is
//! word2vec.c's update, which is exactly one gradient step when the targets are
//! distinct. The input is the *context* word and the target the centre word,
//! as in word2vec.c and gensim (the pairs are the same, only the roles swap).

use super::math::{Kernels, Portable, Rows, SigmoidTable, prefetch};
use super::negative_table::NegativeTable;
use crate::model::numerics::rng::SplitMix64;

/// The shared inner step: score one target against input `l1`, accumulate the
/// input's gradient into `neu1e`, update the target's row. Returns its loss.
///
/// # Safety
/// `l1` must be valid for reads and `out_row` for reads and writes of `dim`
/// floats, `neu1e` for reads and writes of `dim` floats and not overlapping
/// either; shared matrix rows are accessed only through pointers (see [`Rows`]).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) unsafe fn update_target<K: Kernels>(
    k: K,
    dim: usize,
    l1: *const f32,
    neu1e: *mut f32,
    out_row: *mut f32,
    label: f32,
    alpha: f32,
    sig: &SigmoidTable,
) -> f32 {
    // SAFETY: the caller's promise, `dim` floats each.
    let f = unsafe { k.dot(l1, out_row, dim) };
    let g = (label - sig.sigmoid(f)) * alpha;
    unsafe {
        k.axpy(g, out_row, neu1e, dim);
        k.axpy(g, l1, out_row, dim);
    }
    // −ln σ(f) for the true word, −ln σ(−f) = −ln(1 − σ(f)) for a negative.
    if label > 0.5 {
        sig.neg_log_sigmoid(f)
    } else {
        sig.neg_log_sigmoid(-f)
    }
}

/// One skip-gram update: input row `context` of `syn0`, true target `centre`,
/// and the given negatives (a negative equal to `centre` is skipped, as in
/// word2vec.c). `neu1e` is scratch of length `dim`. Returns the loss before
/// the update.
///
/// ```
/// use llm_lens::model::word2vec::skipgram;
/// let dim = 2;
/// let mut syn0 = vec![0.1, 0.2, 0.3, 0.4];
/// let mut syn1 = vec![0.5, -0.5, 0.2, 0.1];
/// let mut scratch = vec![0.0; dim];
/// let loss = skipgram::step(&mut syn0, &mut syn1, dim, 0, 1, &[0], 0.1, &mut scratch);
/// assert!(loss > 0.0);
/// ```
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub fn step(
    syn0: &mut [f32],
    syn1neg: &mut [f32],
    dim: usize,
    context: u32,
    centre: u32,
    negatives: &[u32],
    alpha: f32,
    neu1e: &mut [f32],
) -> f32 {
    let sig = SigmoidTable::get();
    let (syn0, syn1neg) = (Rows::new(syn0, dim), Rows::new(syn1neg, dim));
    syn0.assert_rows(&[context]);
    syn1neg.assert_rows(&[centre]);
    syn1neg.assert_rows(negatives);
    let neu1e = &mut neu1e[..dim];
    // SAFETY: every index was checked above; both matrices are borrowed
    // exclusively for this call and reached only through their `Rows`; `neu1e`
    // is a separate buffer of `dim` floats.
    #[cfg(target_arch = "x86_64")]
    if let Some(k) = super::math::Avx2Fma::detect() {
        return unsafe {
            step_with(
                k, syn0, syn1neg, context, centre, negatives, alpha, neu1e, sig,
            )
        };
    }
    unsafe {
        step_with(
            Portable, syn0, syn1neg, context, centre, negatives, alpha, neu1e, sig,
        )
    }
}

/// [`step`] on rows of shared matrices (the trainer's loop).
///
/// # Safety
/// The contract of [`Rows`] for `syn0` and `syn1neg` (same `dim`); `neu1e`
/// holds at least `dim` floats.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) unsafe fn step_with<K: Kernels>(
    k: K,
    syn0: Rows<'_>,
    syn1neg: Rows<'_>,
    context: u32,
    centre: u32,
    negatives: &[u32],
    alpha: f32,
    neu1e: &mut [f32],
    sig: &SigmoidTable,
) -> f32 {
    let dim = syn0.dim();
    debug_assert_eq!(dim, syn1neg.dim());
    let neu1e = &mut neu1e[..dim];
    neu1e.fill(0.0);
    let e = neu1e.as_mut_ptr();
    let l1 = syn0.row(context);
    // SAFETY: every row pointer covers `dim` floats of its matrix (`Rows::row`),
    // `e` is this worker's own scratch, and `l1` and the targets lie in
    // different matrices.
    unsafe {
        let mut loss = update_target(k, dim, l1, e, syn1neg.row(centre), 1.0, alpha, sig);
        for &n in negatives {
            if n != centre {
                loss += update_target(k, dim, l1, e, syn1neg.row(n), 0.0, alpha, sig);
            }
        }
        k.axpy(1.0, e, l1, dim);
        loss
    }
}

/// Mutable state of one worker: its random stream and scratch buffers.
#[derive(Debug)]
pub(crate) struct Scratch {
    pub rng: SplitMix64,
    pub neu1: Vec<f32>,
    pub neu1e: Vec<f32>,
    pub negatives: Vec<u32>,
    /// Negatives for every example of the current sentence, `negative` each.
    pub all_negatives: Vec<u32>,
    /// Skip-gram: (input, target) pairs of the current sentence.
    pub pairs: Vec<(u32, u32)>,
    /// CBOW: the context words of every example, back to back...
    pub context: Vec<u32>,
    /// ...and per example (end of its context in `context`, centre word).
    pub spans: Vec<(u32, u32)>,
}

impl Scratch {
    pub fn new(rng: SplitMix64, dim: usize, negative: usize) -> Scratch {
        Scratch {
            rng,
            neu1: vec![0.0; dim],
            neu1e: vec![0.0; dim],
            negatives: vec![0; negative],
            all_negatives: Vec::new(),
            pairs: Vec::new(),
            context: Vec::new(),
            spans: Vec::new(),
        }
    }
}

/// The read-only part of a training step.
#[derive(Clone, Copy)]
pub(crate) struct Params<'a> {
    pub dim: usize,
    pub window: usize,
    pub table: &'a NegativeTable,
    pub sig: &'a SigmoidTable,
}

/// Trains on one (already subsampled) sentence. Returns (loss sum, pairs).
///
/// Dynamic window as in word2vec.c: for each centre a radius `1..=window` is
/// drawn uniformly, so near neighbours are seen more often than far ones.
/// All pairs and negatives are drawn first so the rows of the next pair can be
/// prefetched while the current one is computed.
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
    s.pairs.clear();
    for pos in 0..n {
        let radius = p.window - s.rng.below_u32(p.window as u32) as usize;
        let lo = pos.saturating_sub(radius);
        let hi = (pos + radius).min(n - 1);
        for c in lo..=hi {
            if c != pos {
                s.pairs.push((sentence[c], sentence[pos]));
            }
        }
    }
    let k = s.negatives.len();
    draw_negatives(s, p, s.pairs.len() * k);
    let dim = p.dim;
    debug_assert_eq!(dim, syn0.dim());
    let mut loss = 0.0f64;
    for &ahead in s.all_negatives.iter().take(AHEAD * k) {
        prefetch(syn1neg.row(ahead), dim);
    }
    for (i, &(input, target)) in s.pairs.iter().enumerate() {
        // The inputs are words of this sentence (already in cache) and the
        // target changes only once per centre: the negatives are what miss.
        if let Some(&(_, next_t)) = s.pairs.get(i + 1)
            && next_t != target
        {
            prefetch(syn1neg.row(next_t), dim);
        }
        if let Some(ahead) = s.all_negatives.get((i + AHEAD) * k..(i + AHEAD + 1) * k) {
            for &ng in ahead {
                prefetch(syn1neg.row(ng), dim);
            }
        }
        // SAFETY: forwarded to the caller; `neu1e` holds `dim` floats.
        loss += unsafe {
            step_with(
                kern,
                syn0,
                syn1neg,
                input,
                target,
                &s.all_negatives[i * k..(i + 1) * k],
                alpha,
                &mut s.neu1e,
                p.sig,
            )
        } as f64;
    }
    (loss, s.pairs.len() as u64)
}

/// How many examples ahead the negatives' rows are prefetched: far enough for
/// a memory load (~100 ns) to land while ~2 examples are computed.
pub(crate) const AHEAD: usize = 2;

/// Fills `s.all_negatives` with `count` draws from the unigram^0.75 table.
#[inline(always)]
pub(crate) fn draw_negatives(s: &mut Scratch, p: Params<'_>, count: usize) {
    s.all_negatives.clear();
    for _ in 0..count {
        let w = p.table.sample(&mut s.rng);
        s.all_negatives.push(w);
    }
}
