//! What the two ways of running share (Hogwild threads in [`super::train`], slices in
//! [`super::Stepwise`]): the set-up before the first word, the reports while training
//! (progress, snapshots) and the result's numbers at the end. Shared so that both send
//! the same events and a stepwise run can match a one-thread run exactly.

use super::worker::{Job, SharedMatrices, WorkerStats, alpha_at};
use super::{
    Control, Snapshot, TrainError, TrainResult, TrainStats, TrainerConfig, TrainingEvent,
    check_memory,
};
use crate::model::numerics::rng::SplitMix64;
use crate::model::text::corpus::Corpus;
use crate::model::word2vec::data::{TrainingData, striped_order};
use crate::model::word2vec::math::Rows;
use crate::model::word2vec::negative_table::NegativeTable;
use crate::model::word2vec::pca::{self, Pca2d, pca_2d};
use crate::model::word2vec::vectors::Embeddings;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use web_time::Instant;

/// Words per unit of work handed to a thread (gensim's job size): small enough
/// that threads finish together, large enough that taking one costs nothing.
const CHUNK_WORDS: usize = 10_000;

/// Everything a run needs before its first word.
pub(super) struct Setup {
    pub(super) data: TrainingData,
    pub(super) table: NegativeTable,
    /// Subsampling: the chance each word is kept, per vocabulary index.
    pub(super) keep: Vec<f32>,
    /// Input vectors, row-major `(v, dim)`.
    pub(super) syn0: Vec<f32>,
    /// Output vectors, row-major `(v, dim)`.
    pub(super) syn1neg: Vec<f32>,
    /// Units of work (paragraph ranges), in the order they are handed out.
    pub(super) chunks: Vec<Range<usize>>,
    /// Workers that get work (no more than there are chunks).
    pub(super) threads: usize,
    /// Corpus words over all epochs: what progress is a fraction of.
    pub(super) total_words: u64,
    pub(super) prepare_seconds: f64,
}

impl Setup {
    /// What a worker reads, with its own `stats`; both ways of running hand out work
    /// this way. From here until the workers stop, the matrices are reached only
    /// through the `Rows` in it (see "Hogwild" in the parent module).
    pub(super) fn job<'a>(
        &'a mut self,
        config: &'a TrainerConfig,
        next_chunk: &'a AtomicUsize,
        stats: &'a WorkerStats,
        words_done: &'a AtomicU64,
        control: &'a Control,
    ) -> Job<'a> {
        Job {
            config,
            data: &self.data,
            chunks: &self.chunks,
            next_chunk,
            table: &self.table,
            keep: &self.keep,
            shared: SharedMatrices {
                syn0: Rows::new(&mut self.syn0, config.dim),
                syn1neg: Rows::new(&mut self.syn1neg, config.dim),
            },
            stats,
            words_done,
            total_words: self.total_words,
            control,
        }
    }

    /// Tokenises `corpus`, builds the vocabulary and tables, initialises the vectors,
    /// cuts the corpus into chunks for `threads` workers, and sends `Started`.
    pub(super) fn new(
        corpus: &Corpus,
        config: &TrainerConfig,
        threads: usize,
        control: &Control,
        sink: &mut dyn FnMut(TrainingEvent),
    ) -> Result<Setup, TrainError> {
        config.validate()?;
        let t0 = Instant::now();
        let data = TrainingData::build(corpus, config.min_count);
        Setup::from_data(data, t0, config, threads, control, sink)
    }

    /// The rest of [`Setup::new`] once the corpus is counted (`data`, begun at `t0`).
    pub(super) fn from_data(
        data: TrainingData,
        t0: Instant,
        config: &TrainerConfig,
        threads: usize,
        control: &Control,
        sink: &mut dyn FnMut(TrainingEvent),
    ) -> Result<Setup, TrainError> {
        config.validate()?;
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
        let syn0: Vec<f32> = (0..v * dim)
            .map(|_| (init.next_f32() - 0.5) / dim as f32)
            .collect();
        let syn1neg = vec![0.0f32; v * dim];

        // A small corpus (the learner's own text) still gets several chunks per thread.
        let chunk_words = CHUNK_WORDS.min(data.ids.len() / (threads.max(1) * 8));
        let chunks = data.chunks(chunk_words);
        let threads = threads.clamp(1, chunks.len().max(1));
        let chunks: Vec<Range<usize>> = striped_order(chunks.len(), threads)
            .into_iter()
            .map(|i| chunks[i].clone())
            .collect();
        let total_words = vocab.total() * config.epochs as u64;
        Ok(Setup {
            data,
            table,
            keep,
            syn0,
            syn1neg,
            chunks,
            threads,
            total_words,
            prepare_seconds,
        })
    }
}

/// Sends progress and snapshots at their intervals and sums up the run at the end.
pub(super) struct Monitor {
    progress_every: Duration,
    snapshot_every: Duration,
    next_progress: Instant,
    next_snapshot: Instant,
    /// Loss sum and examples at the previous progress report.
    last_loss: f64,
    last_examples: u64,
    /// The most frequent words, shared by every snapshot.
    top_words: Arc<[String]>,
    dim: usize,
    prev_pca: Option<Pca2d>,
    total_words: u64,
    train_start: Instant,
    paused_before: Duration,
}

impl Monitor {
    /// Starts the clock and sends the first snapshot (the random vectors).
    pub(super) fn start(
        config: &TrainerConfig,
        setup: &mut Setup,
        control: &Control,
        sink: &mut dyn FnMut(TrainingEvent),
    ) -> Monitor {
        let progress_every = Duration::from_millis(config.progress_every_ms.max(1));
        let snapshot_every = Duration::from_millis(config.snapshot_every_ms.max(1));
        let vocab = &setup.data.vocab;
        let top_n = config.snapshot_top_n.min(vocab.len());
        let now = Instant::now();
        let mut monitor = Monitor {
            progress_every,
            snapshot_every,
            next_progress: now + progress_every,
            next_snapshot: now + snapshot_every,
            last_loss: 0.0,
            last_examples: 0,
            top_words: vocab.words()[..top_n].into(),
            dim: config.dim,
            prev_pca: None,
            total_words: setup.total_words,
            train_start: now,
            paused_before: control.paused_time(),
        };
        let syn0 = Rows::new(&mut setup.syn0, config.dim);
        monitor.snapshot(syn0, 0.0, sink);
        monitor
    }

    /// Training time so far, pauses excluded.
    pub(super) fn active(&self, control: &Control) -> Duration {
        self.train_start
            .elapsed()
            .saturating_sub(control.paused_time().saturating_sub(self.paused_before))
    }

    fn snapshot(&mut self, syn0: Rows<'_>, fraction: f32, sink: &mut dyn FnMut(TrainingEvent)) {
        let top_n = self.top_words.len();
        if top_n < 2 {
            return;
        }
        // SAFETY: `top_n <= v` rows; the matrix is reached only through `Rows`
        // while workers run, and the copy races with them by design (module docs).
        let vectors = unsafe { syn0.copy_rows(top_n) };
        let mut pca = pca_2d(&vectors, top_n, self.dim, self.prev_pca.as_ref());
        // Keep the map still between snapshots: turn it onto the previous one.
        if let Some(prev) = &self.prev_pca {
            pca::align_to(prev, &mut pca);
        }
        self.prev_pca = Some(pca.clone());
        sink(TrainingEvent::Snapshot(Arc::new(Snapshot {
            fraction,
            words: Arc::clone(&self.top_words),
            dim: self.dim,
            vectors,
            pca,
        })));
    }

    /// Sends `Progress` (and a snapshot) if one is due, or at the end (`all_done`);
    /// returns when the next one is due.
    pub(super) fn report(
        &mut self,
        config: &TrainerConfig,
        stats: &[WorkerStats],
        syn0: Rows<'_>,
        all_done: bool,
        control: &Control,
        sink: &mut dyn FnMut(TrainingEvent),
    ) -> Instant {
        let now = Instant::now();
        if all_done || now >= self.next_progress {
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
            let secs = self.active(control).as_secs_f64().max(1e-9);
            let fraction = (words as f64 / self.total_words.max(1) as f64).min(1.0);
            if examples > self.last_examples {
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
                    loss: ((loss - self.last_loss) / (examples - self.last_examples) as f64) as f32,
                    alpha: alpha_at(config, fraction),
                });
                (self.last_loss, self.last_examples) = (loss, examples);
            }
            self.next_progress = now + self.progress_every;
            if config.snapshot_top_n > 0 && (now >= self.next_snapshot || all_done) {
                self.snapshot(syn0, fraction as f32, sink);
                self.next_snapshot = now + self.snapshot_every;
            }
        }
        self.next_progress.min(self.next_snapshot)
    }

    /// The trained vectors and the run's numbers.
    pub(super) fn finish(
        &self,
        config: &TrainerConfig,
        setup: Setup,
        stats: &[WorkerStats],
        control: &Control,
    ) -> Result<TrainResult, TrainError> {
        let train_seconds = self.active(control).as_secs_f64().max(1e-9);
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
            .map(|s| {
                s.examples.load(Ordering::Relaxed) - s.last_epoch_examples.load(Ordering::Relaxed)
            })
            .sum();
        let vocab = &setup.data.vocab;
        let stats = TrainStats {
            vocab_size: vocab.len(),
            raw_words: setup.data.raw_words,
            words: vocab.total(),
            effective_words: effective,
            epochs: config.epochs,
            threads: setup.threads,
            prepare_seconds: setup.prepare_seconds,
            train_seconds,
            words_per_sec: setup.total_words as f64 / train_seconds,
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
        let Setup {
            data,
            syn0,
            syn1neg,
            ..
        } = setup;
        drop(syn1neg);
        let vectors = Embeddings::new(data.vocab.words().to_vec(), config.dim, syn0)
            .map_err(|e| TrainError::Internal(e.to_string()))?;
        Ok(TrainResult {
            vectors: Arc::new(vectors),
            stats,
        })
    }
}
