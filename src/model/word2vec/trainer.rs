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
//! confined to this file, and give `threads = 1` runs that are race-free and
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

use super::cbow;
use super::data::{TrainingData, striped_order};
#[cfg(target_arch = "x86_64")]
use super::math::Avx2Fma;
use super::math::{Kernels, Portable, Rows, SigmoidTable};
use super::negative_table::NegativeTable;
use super::pca::{Pca2d, pca_2d};
use super::skipgram::{self, Params, Scratch};
use super::vectors::Embeddings;
use crate::model::numerics::rng::SplitMix64;
use crate::model::text::corpus::Corpus;
use serde::{Deserialize, Serialize};
use std::ops::{Deref, Range};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Which of the two word2vec architectures to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ModelKind {
    /// Predict the centre word from each context word: slower, better for rare words.
    #[default]
    SkipGram,
    /// Predict the centre word from the mean of its context: ~3× faster.
    Cbow,
}

/// Hyper-parameters. The defaults are word2vec.c's and gensim's, so results
/// compare with theirs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainerConfig {
    pub model: ModelKind,
    /// Length of each word vector.
    pub dim: usize,
    /// Largest context radius; each centre draws its radius from `1..=window`.
    pub window: usize,
    /// Negative samples per positive target.
    pub negative: usize,
    /// Words seen fewer times get no vector.
    pub min_count: u64,
    /// Subsampling threshold (0 disables); see [`super::vocab::keep_probability`].
    pub sample: f64,
    /// Learning rate at the start, decaying linearly to `min_alpha` at the end.
    pub alpha: f32,
    pub min_alpha: f32,
    /// Passes over the corpus.
    pub epochs: usize,
    /// Worker threads. With 1 the run is deterministic for a given seed.
    pub threads: usize,
    pub seed: u64,
    /// Number of most frequent words in each [`Snapshot`] (0: no snapshots).
    pub snapshot_top_n: usize,
    /// Time between snapshots.
    pub snapshot_every_ms: u64,
    /// Time between [`TrainingEvent::Progress`] events.
    pub progress_every_ms: u64,
}

impl Default for TrainerConfig {
    fn default() -> TrainerConfig {
        TrainerConfig {
            model: ModelKind::SkipGram,
            dim: 100,
            window: 5,
            negative: 5,
            min_count: 5,
            sample: 1e-3,
            alpha: 0.025,
            min_alpha: 0.0001,
            epochs: 5,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            seed: 1,
            snapshot_top_n: 2000,
            snapshot_every_ms: 500,
            progress_every_ms: 100,
        }
    }
}

impl TrainerConfig {
    /// Checks the values a user can type.
    pub fn validate(&self) -> Result<(), TrainError> {
        let bad = |m: &str| Err(TrainError::InvalidConfig(m.to_string()));
        if !(1..=10_000).contains(&self.dim) {
            return bad("dim must be between 1 and 10000");
        }
        if !(1..=1000).contains(&self.window) {
            return bad("window must be between 1 and 1000");
        }
        if !(1..=100).contains(&self.negative) {
            return bad("negative must be between 1 and 100");
        }
        if !(1..=1000).contains(&self.epochs) {
            return bad("epochs must be between 1 and 1000");
        }
        if !(1..=256).contains(&self.threads) {
            return bad("threads must be between 1 and 256");
        }
        let alpha_ok = self.alpha > 0.0 && self.alpha <= 1.0;
        if !alpha_ok || !(0.0..=self.alpha).contains(&self.min_alpha) {
            return bad("alpha must be in (0, 1] and min_alpha in [0, alpha]");
        }
        if !(0.0..=1.0).contains(&self.sample) {
            return bad("sample must be in [0, 1]");
        }
        Ok(())
    }
}

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

/// Why training stopped without a result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainError {
    #[error("invalid setting: {0}")]
    InvalidConfig(String),
    #[error(
        "no word occurs at least {min_count} times in the corpus: lower min_count or use a larger corpus"
    )]
    EmptyVocabulary { min_count: u64 },
    #[error("training was cancelled")]
    Cancelled,
    #[error("a training thread panicked: {0}")]
    WorkerPanicked(String),
    #[error("internal error: {0}")]
    Internal(String),
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

/// Counters one worker publishes for the coordinator (every ~10k words).
#[derive(Debug, Default)]
struct WorkerStats {
    words: AtomicU64,
    effective: AtomicU64,
    loss_bits: AtomicU64,
    examples: AtomicU64,
    epoch: AtomicUsize,
    last_epoch_loss_bits: AtomicU64,
    last_epoch_examples: AtomicU64,
    /// CPU time the worker spent (Linux), so words/s can be judged per CPU
    /// second on a machine shared with other work.
    cpu_ns: AtomicU64,
    done: AtomicBool,
}

/// The two matrices shared by all workers (see "Hogwild" above).
#[derive(Clone, Copy)]
struct SharedMatrices<'a> {
    syn0: Rows<'a>,
    syn1neg: Rows<'a>,
}

// SAFETY: the `Rows` borrow two Vecs owned by `train` for `'a`, and the workers
// run in a `thread::scope` inside it. While they run, every access to the
// matrices goes through these `Rows` (raw pointers, never slices); the
// concurrent accesses are the deliberate Hogwild race of the module docs.
unsafe impl Send for SharedMatrices<'_> {}
unsafe impl Sync for SharedMatrices<'_> {}

/// How often workers publish counters and recompute the learning rate.
const REPORT_WORDS: u64 = 10_000;

/// Words per unit of work handed to a thread (gensim's job size): small enough
/// that threads finish together, large enough that taking one costs nothing.
const CHUNK_WORDS: usize = 10_000;

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
    // through these `Rows` (see "Hogwild" above).
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
        let pca = pca_2d(&vectors, top_n, dim, prev_pca.as_ref());
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

/// Linear decay from `alpha` to `min_alpha` over the whole run.
fn alpha_at(config: &TrainerConfig, fraction: f64) -> f32 {
    let a = config.alpha as f64 - (config.alpha - config.min_alpha) as f64 * fraction;
    a.max(config.min_alpha as f64) as f32
}

/// Everything a worker reads.
struct Job<'a> {
    config: &'a TrainerConfig,
    data: &'a TrainingData,
    /// Units of work (paragraph ranges), in the order they are handed out.
    chunks: &'a [Range<usize>],
    /// Shared counter over `epochs × chunks`: the next unit any worker takes.
    next_chunk: &'a AtomicUsize,
    table: &'a NegativeTable,
    keep: &'a [f32],
    shared: SharedMatrices<'a>,
    stats: &'a WorkerStats,
    words_done: &'a AtomicU64,
    total_words: u64,
    control: &'a Control,
}

fn run_worker(job: &Job<'_>, rng: SplitMix64) {
    #[cfg(target_arch = "x86_64")]
    if let Some(k) = Avx2Fma::detect() {
        // SAFETY: `detect` confirmed the CPU has the features `run_worker_avx2` uses.
        unsafe { run_worker_avx2(k, job, rng) };
        return;
    }
    run_worker_impl(Portable, job, rng);
}

/// The same loop compiled for AVX2 + FMA (8 floats per instruction instead of
/// SSE's 4): chosen at run time so the binary still runs on older x86-64 CPUs.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn run_worker_avx2(k: Avx2Fma, job: &Job<'_>, rng: SplitMix64) {
    run_worker_impl(k, job, rng);
}

#[inline(always)]
fn run_worker_impl<K: Kernels>(k: K, job: &Job<'_>, rng: SplitMix64) {
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
    let mut s = Scratch::new(rng, dim, config.negative);
    let mut kept: Vec<u32> = Vec::new();
    let mut alpha = config.alpha;
    let (mut words, mut effective, mut loss, mut examples) = (0u64, 0u64, 0.0f64, 0u64);
    let mut pending = 0u64;
    let n = job.chunks.len();
    let mut current_epoch = None;
    loop {
        // Take the next unit: whichever worker is free first gets it, so all
        // finish within one chunk of each other.
        let c = job.next_chunk.fetch_add(1, Ordering::Relaxed);
        if n == 0 || c >= n * config.epochs {
            break;
        }
        let epoch = c / n;
        if current_epoch != Some(epoch) {
            current_epoch = Some(epoch);
            stats.epoch.store(epoch, Ordering::Relaxed);
            if epoch + 1 == config.epochs {
                stats
                    .last_epoch_loss_bits
                    .store(loss.to_bits(), Ordering::Relaxed);
                stats.last_epoch_examples.store(examples, Ordering::Relaxed);
            }
        }
        for sent in job.chunks[c % n].clone() {
            if job.control.is_paused() {
                while job.control.is_paused() && !job.control.is_cancelled() {
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
            if job.control.is_cancelled() {
                return;
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
                        skipgram::train_sentence(k, &kept, syn0, syn1neg, params, &mut s, alpha)
                    }
                    ModelKind::Cbow => {
                        cbow::train_sentence(k, &kept, syn0, syn1neg, params, &mut s, alpha)
                    }
                }
            };
            loss += l;
            examples += e;
            words += sentence.len() as u64;
            effective += kept.len() as u64;
            pending += sentence.len() as u64;
            if pending >= REPORT_WORDS {
                let done = job.words_done.fetch_add(pending, Ordering::Relaxed) + pending;
                pending = 0;
                alpha = alpha_at(config, done as f64 / job.total_words.max(1) as f64);
                publish(stats, words, effective, loss, examples);
            }
        }
    }
    job.words_done.fetch_add(pending, Ordering::Relaxed);
    publish(stats, words, effective, loss, examples);
}

fn publish(stats: &WorkerStats, words: u64, effective: u64, loss: f64, examples: u64) {
    stats.words.store(words, Ordering::Relaxed);
    stats.effective.store(effective, Ordering::Relaxed);
    stats.loss_bits.store(loss.to_bits(), Ordering::Relaxed);
    stats.examples.store(examples, Ordering::Relaxed);
}

/// CPU time of the calling thread in ns, from `/proc/thread-self/schedstat`
/// (Linux; `None` elsewhere).
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_ascii_whitespace().next()?.parse().ok()
}
