//! Training: worker threads over the corpus, linear learning-rate decay, and
//! events for the UI (progress, loss, snapshots of the vectors).
//!
//! Three ways in:
//! - [`train`] runs on the calling thread and returns the vectors (CLI, tests);
//! - [`Trainer::start`] runs [`train`] on a worker thread and sends
//!   [`TrainingEvent`]s over a channel (the lesson pane), with
//!   [`Trainer::pause`], [`Trainer::resume`] and [`Trainer::cancel`];
//! - [`Stepwise`] trains in short steps on the caller's thread, one worker, no
//!   threads at all (the browser, which has none).
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
mod hogwild;
mod setup;
mod snapshot_nearest;
mod stepwise;
mod worker;

pub use config::{ModelKind, TrainError, TrainerConfig};
pub use hogwild::train;
pub use stepwise::{StepResult, Stepwise};

use super::pca::Pca2d;
use super::vectors::Embeddings;
use crate::model::text::corpus::Corpus;
use serde::Serialize;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
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
