//! Training: worker threads over the corpus, linear learning-rate decay, and
//! events for the UI (progress, loss, snapshots of the vectors).
//!
//! Two ways in:
//! - [`train`] runs on the calling thread and returns the vectors (CLI, tests);
//! - [`Trainer::start`] runs [`train`] on a worker thread and sends
//!   [`TrainingEvent`]s over a channel (the lesson pane), with
//!   [`Trainer::pause`], [`Trainer::resume`] and [`Trainer::cancel`].
//!
//! ## Hogwild
//! With `threads > 1`, every worker updates the same two matrices without
//! locks (Recht et al. 2011, as word2vec.c, gensim and fastText do): two
//! threads rarely touch the same row at once, and when they do, one update is
//! partly lost, which SGD shrugs off. In Rust's memory model those unsynchronised
//! float writes are a data race; we accept it as every word2vec does, keep it
//! confined to this module, and give `threads = 1` runs that are race-free and
//! bit-for-bit reproducible for a given seed. Snapshots read the matrices
//! while workers write, so a snapshot may mix a row's old and new values.
//!
//! That race is the only thing we accept. What remains when two threads meet on
//! a row: each reads floats, computes, and writes floats back, so one thread's
//! read-modify-write can overwrite the other's (a lost or half-applied update)
//! or read a row that is half updated. Each single `f32` load or store is one
//! aligned 4-byte access, which x86-64 (and every target we build for)
//! performs whole, so no float is ever torn into bits of two values (an
//! 8-float SIMD access may be split, but only where it crosses a cache line,
//! which never cuts an aligned float). Nothing else
//! depends on the values: indices, loop bounds and memory safety come from the
//! worker's own data, so a stale or mixed row only changes the numbers.
//!
//! No `&mut` aliasing: the matrices are never seen through a slice while
//! workers run. Each worker gets copies of one [`Rows`] per matrix (a raw
//! pointer with the borrow's lifetime), takes row pointers from it, and the
//! kernels read and write through those pointers; the progress snapshots copy
//! rows through the pointer too. So no `&mut [f32]` exists twice and no
//! `&[f32]` covers memory another thread writes, and the compiler is never told
//! (through `noalias`) that a shared float cannot change under it.

mod config;
mod snapshot_nearest;
mod worker;

pub use config::{ModelKind, TrainError, TrainerConfig};
use worker::{Job, SharedMatrices, WorkerStats, alpha_at, run_worker, thread_cpu_ns};

use super::data::{TrainingData, striped_order};
use super::math::Rows;
use super::negative_table::NegativeTable;
use super::pca::{Pca2d, pca_2d};
use super::vectors::Embeddings;
use crate::model::numerics::rng::SplitMix64;
use crate::model::text::corpus::Corpus;
use serde::Serialize;
use std::ops::{Deref, Range};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use web_time::Instant;

/// Pause / resume / cancel flags shared with the workers.
#[derive(Debug, Default)]
pub struct Control {
    paused: AtomicBool,
    cancelled: AtomicBool,
    /// (start of the current pause, total paused time so far): words/s ignore pauses.
    clock: Mutex<(Option<Instant>, Duration)>,
}

impl Control {
    pub fn pause(&self) {
        if let Ok(mut c) = self.clock.lock()
            && c.0.is_none()
        {
            c.0 = Some(Instant::now());
        }
        self.paused.store(true, Ordering::SeqCst);
    }

    pub fn resume(&self) {
        if let Ok(mut c) = self.clock.lock()
            && let Some(t) = c.0.take()
        {
            c.1 += t.elapsed();
        }
        self.paused.store(false, Ordering::SeqCst);
    }

    /// Workers stop at the next sentence; [`train`] returns [`TrainError::Cancelled`].
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    fn paused_time(&self) -> Duration {
        match self.clock.lock() {
            Ok(c) => c.1 + c.0.map(|t| t.elapsed()).unwrap_or_default(),
            Err(_) => Duration::ZERO,
        }
    }
}

/// What the trainer reports while it runs.
#[derive(Debug, Clone)]
pub enum TrainingEvent {
    /// The corpus is tokenised and the vocabulary built; training starts.
    Started {
        vocab_size: usize,
        /// Corpus words with a vector (per epoch).
        words: u64,
        /// All corpus words, including those below `min_count`.
        raw_words: u64,
    },
    Progress {
        /// 0..1 over all epochs.
        fraction: f32,
        /// 1-based epoch the slowest worker is in.
        epoch: usize,
        /// Corpus words per second (before subsampling), pauses excluded.
        words_per_sec: f64,
        /// Words actually trained on per second (after subsampling), as gensim reports.
        effective_words_per_sec: f64,
        /// Mean loss per training example since the previous Progress event.
        loss: f32,
        /// Current learning rate.
        alpha: f32,
    },
    Snapshot(Arc<Snapshot>),
    /// Sent by [`Trainer`] only; [`train`] returns the result instead.
    Finished(Arc<TrainResult>),
    /// Sent by [`Trainer`] only.
    Cancelled,
    /// Sent by [`Trainer`] only.
    Error(String),
}

/// The vectors of the most frequent words at one moment, with their 2-D PCA.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Training progress 0..1 when taken.
    pub fraction: f32,
    /// The top-N words, most frequent first (shared between snapshots).
    pub words: Arc<[String]>,
    pub dim: usize,
    /// Row-major `(words.len(), dim)`.
    pub vectors: Vec<f32>,
    /// Projection for the scatter; axes sign-aligned with the previous snapshot
    /// so points do not jump to the mirror image between frames.
    pub pca: Pca2d,
}

/// Numbers for the lesson and the benchmark.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainStats {
    pub vocab_size: usize,
    pub raw_words: u64,
    /// Words with a vector, one epoch.
    pub words: u64,
    /// Words trained on after subsampling, all epochs.
    pub effective_words: u64,
    pub epochs: usize,
    pub threads: usize,
    /// Tokenising and building the vocabulary.
    pub prepare_seconds: f64,
    /// Training proper, pauses excluded.
    pub train_seconds: f64,
    pub words_per_sec: f64,
    pub effective_words_per_sec: f64,
    /// Mean loss per training example over the last epoch.
    pub final_loss: f32,
    /// CPU time of all workers (Linux only): on a busy machine
    /// `effective_words / train_cpu_seconds` is the fairer speed.
    pub train_cpu_seconds: Option<f64>,
}

/// Trained vectors and how the run went.
#[derive(Debug, Clone)]
pub struct TrainResult {
    /// Shared, so the UI can query the result without copying every vector.
    pub vectors: Arc<Embeddings>,
    pub stats: TrainStats,
}

/// A training run on a background thread, reporting over a channel.
///
/// ```no_run
/// use llm_lens::model::text::corpus::Corpus;
/// use llm_lens::model::word2vec::{Trainer, TrainerConfig, TrainingEvent};
/// let trainer = Trainer::start(Corpus::builtin(), TrainerConfig::default());
/// for event in trainer.events().iter() {
///     match event {
///         TrainingEvent::Progress { fraction, loss, .. } => println!("{fraction:.2} {loss:.3}"),
///         TrainingEvent::Finished(r) => println!("{:?}", r.vectors.nearest("oil", 5)),
///         _ => {}
///     }
/// }
/// ```
#[derive(Debug)]
pub struct Trainer {
    control: Arc<Control>,
    events: Receiver<TrainingEvent>,
    handle: Option<JoinHandle<()>>,
}

impl Trainer {
    /// Starts training `corpus` (`Corpus::builtin()`, or an `Arc<Corpus>`) on a
    /// new thread. Exactly one of `Finished`, `Cancelled` or `Error` ends the
    /// event stream. To change hyper-parameters, cancel and start another.
    pub fn start<C>(corpus: C, config: TrainerConfig) -> Trainer
    where
        C: Deref<Target = Corpus> + Send + 'static,
    {
        let control = Arc::new(Control::default());
        let (tx, rx) = channel();
        let ctl = Arc::clone(&control);
        let handle = std::thread::Builder::new()
            .name("word2vec-train".into())
            .spawn(move || run_to_channel(&corpus, &config, &ctl, tx));
        let handle = match handle {
            Ok(h) => Some(h),
            Err(e) => {
                // No thread: report it on a channel nobody else will write to.
                let (tx, rx2) = channel();
                let _ = tx.send(TrainingEvent::Error(format!(
                    "cannot start training thread: {e}"
                )));
                return Trainer {
                    control,
                    events: rx2,
                    handle: None,
                };
            }
        };
        Trainer {
            control,
            events: rx,
            handle,
        }
    }

    /// The event stream: poll it with `try_iter()` once per frame.
    pub fn events(&self) -> &Receiver<TrainingEvent> {
        &self.events
    }

    pub fn pause(&self) {
        self.control.pause();
    }

    pub fn resume(&self) {
        self.control.resume();
    }

    pub fn cancel(&self) {
        self.control.cancel();
    }

    pub fn is_paused(&self) -> bool {
        self.control.is_paused()
    }

    /// True once the training thread has ended (its final event is queued).
    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_finished())
    }
}

impl Drop for Trainer {
    /// Dropping a running trainer cancels it (without waiting).
    fn drop(&mut self) {
        self.control.cancel();
        self.control.resume();
    }
}

fn run_to_channel(
    corpus: &Corpus,
    config: &TrainerConfig,
    control: &Control,
    tx: Sender<TrainingEvent>,
) {
    let mut sink = |e: TrainingEvent| {
        if tx.send(e).is_err() {
            control.cancel(); // nobody is listening any more
        }
    };
    let last = match train(corpus, config, control, &mut sink) {
        Ok(r) => TrainingEvent::Finished(Arc::new(r)),
        Err(TrainError::Cancelled) => TrainingEvent::Cancelled,
        Err(e) => TrainingEvent::Error(e.to_string()),
    };
    let _ = tx.send(last);
}

/// Words per unit of work handed to a thread (gensim's job size): small enough
/// that threads finish together, large enough that taking one costs nothing.
const CHUNK_WORDS: usize = 10_000;

/// Most memory the two weight tables may take (input and output vectors, f32).
pub const MAX_TABLES_BYTES: u64 = 4 << 30;

/// Refuses, before allocating, a vocabulary and dimension whose two tables would
/// exceed [`MAX_TABLES_BYTES`] (500 k words × 10 000 dimensions asked for 40 GB).
pub fn check_memory(vocab: usize, dim: usize) -> Result<(), TrainError> {
    let bytes = (vocab as u64)
        .saturating_mul(dim as u64)
        .saturating_mul(4 * 2);
    if bytes > MAX_TABLES_BYTES {
        return Err(TrainError::InvalidConfig(format!(
            "{vocab} words × {dim} dimensions × 4 bytes × 2 tables = {}, more than the budget of {}: raise min_count or lower dim",
            crate::model::text::bounded::bytes(bytes),
            crate::model::text::bounded::bytes(MAX_TABLES_BYTES)
        )));
    }
    Ok(())
}

/// Trains word2vec on `corpus`, calling `sink` with `Started`, `Progress` and
/// `Snapshot` events from the calling thread. Workers run in a scoped thread
/// pool; the calling thread watches them.
pub fn train(
    corpus: &Corpus,
    config: &TrainerConfig,
    control: &Control,
    sink: &mut dyn FnMut(TrainingEvent),
) -> Result<TrainResult, TrainError> {
    config.validate()?;
    let t0 = Instant::now();
    let data = TrainingData::build(corpus, config.min_count);
    let vocab = &data.vocab;
    let table = NegativeTable::unigram(vocab.counts()).ok_or(TrainError::EmptyVocabulary {
        min_count: config.min_count,
    })?;
    let keep = vocab.keep_probabilities(config.sample);
    let (v, dim) = (vocab.len(), config.dim);
    check_memory(v, dim)?;
    // Every word a worker trains on has passed `keep[w]` (so w < v) and every
    // negative comes from the table (so it is below `table.len()`): with these
    // two lengths equal to the matrices' rows, no row index can be out of range
    // (the contract of `Rows`, whose accessor does not check in release builds).
    assert!(
        keep.len() == v && table.len() == v,
        "vocabulary, keep table and negative table disagree"
    );
    let prepare_seconds = t0.elapsed().as_secs_f64();
    if control.is_cancelled() {
        return Err(TrainError::Cancelled);
    }
    sink(TrainingEvent::Started {
        vocab_size: v,
        words: vocab.total(),
        raw_words: data.raw_words,
    });

    // word2vec.c's initialisation: inputs uniform in ±0.5/dim, outputs zero.
    let mut init = SplitMix64::new(config.seed);
    let mut syn0: Vec<f32> = (0..v * dim)
        .map(|_| (init.next_f32() - 0.5) / dim as f32)
        .collect();
    let mut syn1neg = vec![0.0f32; v * dim];
    // From here until the workers are joined, the matrices are reached only
    // through these `Rows` (see "Hogwild" in the module docs).
    let shared = SharedMatrices {
        syn0: Rows::new(&mut syn0, dim),
        syn1neg: Rows::new(&mut syn1neg, dim),
    };

    // A small corpus (the learner's own text) still gets several chunks per thread.
    let chunk_words = CHUNK_WORDS.min(data.ids.len() / (config.threads * 8));
    let chunks = data.chunks(chunk_words);
    let threads = config.threads.clamp(1, chunks.len().max(1));
    // In the order they are handed out.
    let chunks: Vec<Range<usize>> = striped_order(chunks.len(), threads)
        .into_iter()
        .map(|i| chunks[i].clone())
        .collect();
    let next_chunk = AtomicUsize::new(0);
    let stats: Vec<WorkerStats> = (0..threads).map(|_| WorkerStats::default()).collect();
    let words_done = AtomicU64::new(0);
    let total_words = vocab.total() * config.epochs as u64;
    let top_n = config.snapshot_top_n.min(v);
    let top_words: Arc<[String]> = vocab.words()[..top_n].into();
    let paused_before = control.paused_time();
    let train_start = Instant::now();
    let active = || {
        train_start
            .elapsed()
            .saturating_sub(control.paused_time().saturating_sub(paused_before))
    };
    let mut prev_pca: Option<Pca2d> = None;
    let mut snapshot = |fraction: f32, sink: &mut dyn FnMut(TrainingEvent)| {
        if top_n < 2 {
            return;
        }
        // SAFETY: `top_n <= v` rows; the matrix is reached only through `Rows`
        // while workers run, and the copy races with them by design (module docs).
        let vectors = unsafe { shared.syn0.copy_rows(top_n) };
        let mut pca = pca_2d(&vectors, top_n, dim, prev_pca.as_ref());
        // Keep the map still between snapshots: turn it onto the previous one.
        if let Some(prev) = &prev_pca {
            super::pca::align_to(prev, &mut pca);
        }
        prev_pca = Some(pca.clone());
        sink(TrainingEvent::Snapshot(Arc::new(Snapshot {
            fraction,
            words: Arc::clone(&top_words),
            dim,
            vectors,
            pca,
        })));
    };
    snapshot(0.0, sink);

    let coordinator = std::thread::current();
    let worker_result: Result<(), String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let job = Job {
                    config,
                    data: &data,
                    chunks: &chunks,
                    next_chunk: &next_chunk,
                    table: &table,
                    keep: &keep,
                    shared,
                    stats: &stats[t],
                    words_done: &words_done,
                    total_words,
                    control,
                };
                let coordinator = coordinator.clone();
                scope.spawn(move || {
                    let stats = job.stats;
                    let rng = SplitMix64::for_stream(config.seed, t as u64 + 1);
                    let cpu0 = thread_cpu_ns();
                    run_worker(&job, rng);
                    if let (Some(a), Some(b)) = (cpu0, thread_cpu_ns()) {
                        stats
                            .cpu_ns
                            .store(b.saturating_sub(a).max(1), Ordering::Relaxed);
                    }
                    stats.done.store(true, Ordering::SeqCst);
                    coordinator.unpark();
                })
            })
            .collect();

        // Watch the workers: progress and snapshots at their intervals.
        let progress_every = Duration::from_millis(config.progress_every_ms.max(1));
        let snapshot_every = Duration::from_millis(config.snapshot_every_ms.max(1));
        let mut next_progress = Instant::now() + progress_every;
        let mut next_snapshot = Instant::now() + snapshot_every;
        let (mut last_loss, mut last_examples) = (0.0f64, 0u64);
        loop {
            let all_done = stats.iter().all(|s| s.done.load(Ordering::SeqCst));
            let now = Instant::now();
            if all_done || now >= next_progress {
                let words: u64 = stats.iter().map(|s| s.words.load(Ordering::Relaxed)).sum();
                let effective: u64 = stats
                    .iter()
                    .map(|s| s.effective.load(Ordering::Relaxed))
                    .sum();
                let loss: f64 = stats
                    .iter()
                    .map(|s| f64::from_bits(s.loss_bits.load(Ordering::Relaxed)))
                    .sum();
                let examples: u64 = stats
                    .iter()
                    .map(|s| s.examples.load(Ordering::Relaxed))
                    .sum();
                let secs = active().as_secs_f64().max(1e-9);
                let fraction = (words as f64 / total_words.max(1) as f64).min(1.0);
                if examples > last_examples {
                    sink(TrainingEvent::Progress {
                        fraction: fraction as f32,
                        epoch: stats
                            .iter()
                            .map(|s| s.epoch.load(Ordering::Relaxed))
                            .min()
                            .unwrap_or(0)
                            .min(config.epochs - 1)
                            + 1,
                        words_per_sec: words as f64 / secs,
                        effective_words_per_sec: effective as f64 / secs,
                        loss: ((loss - last_loss) / (examples - last_examples) as f64) as f32,
                        alpha: alpha_at(config, fraction),
                    });
                    (last_loss, last_examples) = (loss, examples);
                }
                next_progress = now + progress_every;
                if config.snapshot_top_n > 0 && (now >= next_snapshot || all_done) {
                    snapshot(fraction as f32, sink);
                    next_snapshot = now + snapshot_every;
                }
            }
            if all_done {
                break;
            }
            std::thread::park_timeout(
                next_progress
                    .min(next_snapshot)
                    .saturating_duration_since(Instant::now()),
            );
        }
        let mut result = Ok(());
        for h in handles {
            if let Err(p) = h.join() {
                let msg = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                result = Err(msg);
            }
        }
        result
    });
    worker_result.map_err(TrainError::WorkerPanicked)?;
    if control.is_cancelled() {
        return Err(TrainError::Cancelled);
    }

    let train_seconds = active().as_secs_f64().max(1e-9);
    let effective: u64 = stats
        .iter()
        .map(|s| s.effective.load(Ordering::Relaxed))
        .sum();
    let last_loss: f64 = stats
        .iter()
        .map(|s| {
            f64::from_bits(s.loss_bits.load(Ordering::Relaxed))
                - f64::from_bits(s.last_epoch_loss_bits.load(Ordering::Relaxed))
        })
        .sum();
    let last_examples: u64 = stats
        .iter()
        .map(|s| s.examples.load(Ordering::Relaxed) - s.last_epoch_examples.load(Ordering::Relaxed))
        .sum();
    let stats = TrainStats {
        vocab_size: v,
        raw_words: data.raw_words,
        words: vocab.total(),
        effective_words: effective,
        epochs: config.epochs,
        threads,
        prepare_seconds,
        train_seconds,
        words_per_sec: total_words as f64 / train_seconds,
        effective_words_per_sec: effective as f64 / train_seconds,
        final_loss: (last_loss / last_examples.max(1) as f64) as f32,
        train_cpu_seconds: stats
            .iter()
            .map(|s| match s.cpu_ns.load(Ordering::Relaxed) {
                0 => None,
                ns => Some(ns as f64 * 1e-9),
            })
            .sum(),
    };
    drop(syn1neg);
    let vectors = Embeddings::new(data.vocab.words().to_vec(), dim, syn0)
        .map_err(|e| TrainError::Internal(e.to_string()))?;
    Ok(TrainResult {
        vectors: Arc::new(vectors),
        stats,
    })
}
