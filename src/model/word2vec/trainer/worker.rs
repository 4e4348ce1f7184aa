//! One training worker: it takes chunks of the corpus from a shared counter and
//! trains on them (skip-gram or CBOW, AVX2 + FMA when the CPU has it), updating the
//! shared matrices Hogwild-style (see the parent module) and publishing its counters
//! for the reports (the coordinator of [`super::train`], or [`super::Stepwise`]).

use super::super::cbow;
use super::super::data::TrainingData;
#[cfg(target_arch = "x86_64")]
use super::super::math::Avx2Fma;
use super::super::math::{Kernels, Portable, Rows, SigmoidTable};
use super::super::negative_table::NegativeTable;
use super::super::skipgram::{self, Params, Scratch};
use super::{Control, ModelKind, TrainerConfig};
use crate::model::numerics::rng::SplitMix64;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// How often workers publish counters and recompute the learning rate.
const REPORT_WORDS: u64 = 10_000;

/// Counters one worker publishes for the coordinator (every ~10k words).
#[derive(Debug, Default)]
pub(super) struct WorkerStats {
    pub(super) words: AtomicU64,
    pub(super) effective: AtomicU64,
    pub(super) loss_bits: AtomicU64,
    pub(super) examples: AtomicU64,
    pub(super) epoch: AtomicUsize,
    pub(super) last_epoch_loss_bits: AtomicU64,
    pub(super) last_epoch_examples: AtomicU64,
    /// CPU time the worker spent (Linux), so words/s can be judged per CPU
    /// second on a machine shared with other work.
    pub(super) cpu_ns: AtomicU64,
    pub(super) done: AtomicBool,
}

/// The two matrices shared by all workers (see "Hogwild" in the parent module).
#[derive(Clone, Copy)]
pub(super) struct SharedMatrices<'a> {
    pub(super) syn0: Rows<'a>,
    pub(super) syn1neg: Rows<'a>,
}

// SAFETY: the `Rows` borrow two Vecs owned by `train` for `'a`, and the workers
// run in a `thread::scope` inside it. While they run, every access to the
// matrices goes through these `Rows` (raw pointers, never slices); the
// concurrent accesses are the deliberate Hogwild race of the module docs.
unsafe impl Send for SharedMatrices<'_> {}
unsafe impl Sync for SharedMatrices<'_> {}

/// Linear decay from `alpha` to `min_alpha` over the whole run.
pub(super) fn alpha_at(config: &TrainerConfig, fraction: f64) -> f32 {
    let a = config.alpha as f64 - (config.alpha - config.min_alpha) as f64 * fraction;
    a.max(config.min_alpha as f64) as f32
}

/// Everything a worker reads (made by `Setup::job`; each Hogwild thread gets a copy
/// with its own `stats`).
#[derive(Clone, Copy)]
pub(super) struct Job<'a> {
    pub(super) config: &'a TrainerConfig,
    pub(super) data: &'a TrainingData,
    /// Units of work (paragraph ranges), in the order they are handed out.
    pub(super) chunks: &'a [Range<usize>],
    /// Shared counter over `epochs × chunks`: the next unit any worker takes.
    pub(super) next_chunk: &'a AtomicUsize,
    pub(super) table: &'a NegativeTable,
    pub(super) keep: &'a [f32],
    pub(super) shared: SharedMatrices<'a>,
    pub(super) stats: &'a WorkerStats,
    pub(super) words_done: &'a AtomicU64,
    pub(super) total_words: u64,
    pub(super) control: &'a Control,
}

/// Where one worker is in the run, kept between calls of [`run_worker`] so that a run
/// can also go on in slices (the browser's stepwise run) with the very same updates.
pub(super) struct Cursor {
    s: Scratch,
    kept: Vec<u32>,
    alpha: f32,
    words: u64,
    effective: u64,
    loss: f64,
    examples: u64,
    /// Words trained since `words_done` was last advanced.
    pending: u64,
    epoch: Option<usize>,
    /// The sentences of the chunk in hand not trained yet.
    sentences: Range<usize>,
}

impl Cursor {
    pub(super) fn new(config: &TrainerConfig, rng: SplitMix64) -> Cursor {
        Cursor {
            s: Scratch::new(rng, config.dim, config.negative),
            kept: Vec::new(),
            alpha: config.alpha,
            words: 0,
            effective: 0,
            loss: 0.0,
            examples: 0,
            pending: 0,
            epoch: None,
            sentences: 0..0,
        }
    }
}

/// What [`run_worker`] stopped at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// Every chunk of every epoch is trained.
    Finished,
    /// `budget` words were trained; call again to go on.
    Budget,
    Cancelled,
}

/// Trains from where `cur` stands until the run ends or about `budget` corpus words
/// (whole sentences) are trained: the Hogwild threads pass `u64::MAX`, the stepwise
/// run a few thousand.
pub(super) fn run_worker(job: &Job<'_>, cur: &mut Cursor, budget: u64) -> Stop {
    #[cfg(target_arch = "x86_64")]
    if let Some(k) = Avx2Fma::detect() {
        // SAFETY: `detect` confirmed the CPU has the features `run_worker_avx2` uses.
        return unsafe { run_worker_avx2(k, job, cur, budget) };
    }
    run_worker_impl(Portable, job, cur, budget)
}

/// The same loop compiled for AVX2 + FMA (8 floats per instruction instead of
/// SSE's 4): chosen at run time so the binary still runs on older x86-64 CPUs.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn run_worker_avx2(k: Avx2Fma, job: &Job<'_>, cur: &mut Cursor, budget: u64) -> Stop {
    run_worker_impl(k, job, cur, budget)
}

#[inline(always)]
fn run_worker_impl<K: Kernels>(k: K, job: &Job<'_>, cur: &mut Cursor, budget: u64) -> Stop {
    let config = job.config;
    let (dim, stats) = (config.dim, job.stats);
    // Copies of the same two `Rows` every worker holds (Hogwild, module docs).
    let SharedMatrices { syn0, syn1neg } = job.shared;
    let params = Params {
        dim,
        window: config.window,
        table: job.table,
        sig: SigmoidTable::get(),
    };
    let Cursor {
        s,
        kept,
        alpha,
        words,
        effective,
        loss,
        examples,
        pending,
        epoch: current_epoch,
        sentences,
    } = cur;
    let n = job.chunks.len();
    let mut spent = 0u64;
    loop {
        if sentences.start >= sentences.end {
            // Take the next unit: whichever worker is free first gets it, so all
            // finish within one chunk of each other.
            let c = job.next_chunk.fetch_add(1, Ordering::Relaxed);
            if n == 0 || c >= n * config.epochs {
                job.words_done.fetch_add(*pending, Ordering::Relaxed);
                *pending = 0;
                publish(stats, *words, *effective, *loss, *examples);
                return Stop::Finished;
            }
            let epoch = c / n;
            if *current_epoch != Some(epoch) {
                *current_epoch = Some(epoch);
                stats.epoch.store(epoch, Ordering::Relaxed);
                if epoch + 1 == config.epochs {
                    stats
                        .last_epoch_loss_bits
                        .store(loss.to_bits(), Ordering::Relaxed);
                    stats
                        .last_epoch_examples
                        .store(*examples, Ordering::Relaxed);
                }
            }
            *sentences = job.chunks[c % n].clone();
        }
        if spent >= budget {
            publish(stats, *words, *effective, *loss, *examples);
            return Stop::Budget;
        }
        let sent = sentences.start;
        sentences.start += 1;
        if job.control.is_paused() {
            while job.control.is_paused() && !job.control.is_cancelled() {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        if job.control.is_cancelled() {
            return Stop::Cancelled;
        }
        let sentence = job.data.sentence(sent);
        // Subsampling: drop frequent words at random, afresh every epoch.
        kept.clear();
        for &w in sentence {
            let k = job.keep[w as usize];
            if k >= 1.0 || s.rng.next_f32() < k {
                kept.push(w);
            }
        }
        // SAFETY: `syn0` and `syn1neg` have `v` rows of `dim = params.dim`
        // floats and are reached only through `Rows` while workers run; every
        // word of `kept` indexed `keep` (length `v`) and every negative comes
        // from the table of `v` words (checked in `train`).
        let (l, e) = unsafe {
            match config.model {
                ModelKind::SkipGram => {
                    skipgram::train_sentence(k, kept, syn0, syn1neg, params, s, *alpha)
                }
                ModelKind::Cbow => cbow::train_sentence(k, kept, syn0, syn1neg, params, s, *alpha),
            }
        };
        *loss += l;
        *examples += e;
        *words += sentence.len() as u64;
        *effective += kept.len() as u64;
        *pending += sentence.len() as u64;
        spent += sentence.len() as u64;
        if *pending >= REPORT_WORDS {
            let done = job.words_done.fetch_add(*pending, Ordering::Relaxed) + *pending;
            *pending = 0;
            *alpha = alpha_at(config, done as f64 / job.total_words.max(1) as f64);
            publish(stats, *words, *effective, *loss, *examples);
        }
    }
}

fn publish(stats: &WorkerStats, words: u64, effective: u64, loss: f64, examples: u64) {
    stats.words.store(words, Ordering::Relaxed);
    stats.effective.store(effective, Ordering::Relaxed);
    stats.loss_bits.store(loss.to_bits(), Ordering::Relaxed);
    stats.examples.store(examples, Ordering::Relaxed);
}

/// CPU time of the calling thread in ns, from `/proc/thread-self/schedstat`
/// (Linux; `None` elsewhere).
pub(super) fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_ascii_whitespace().next()?.parse().ok()
}
