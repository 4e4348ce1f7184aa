//! [`Stepwise`]: a training run in short steps on the caller's thread, for the browser,
//! where no thread can start and nothing may block: each [`Stepwise::step`] trains a
//! bounded number of words (a few milliseconds) and returns, so the page can draw
//! between steps. It is one worker of [`super::train`] cut into pieces (the same
//! set-up, per-word updates and reports), so with the same seed it gives the same
//! vectors as a one-thread run, bit for bit.

use super::setup::{Monitor, Setup};
use super::worker::{Cursor, Stop, WorkerStats, run_worker};
use super::{Control, TrainError, TrainResult, TrainerConfig, TrainingEvent};
use crate::model::numerics::rng::SplitMix64;
use crate::model::text::corpus::Corpus;
use crate::model::word2vec::data::{COUNT_BYTES, DataCounter};
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize};
use web_time::Instant;

/// A corpus owned or borrowed for the length of a run.
type CorpusSource = Box<dyn Deref<Target = Corpus> + Send>;

/// A run under way.
struct Training {
    setup: Setup,
    monitor: Monitor,
    /// One worker's counters, read by the reports.
    stats: [WorkerStats; 1],
    cursor: Cursor,
    next_chunk: AtomicUsize,
    words_done: AtomicU64,
}

enum Phase {
    /// The corpus's words counted a chunk a step (since the instant of the first); the
    /// step that counts the last chunk also builds the vocabulary, tables and vectors.
    Counting(CorpusSource, Box<DataCounter>, Option<Instant>),
    Training(Box<Training>),
    Ended,
}

/// What a step left.
#[derive(Debug)]
pub enum StepResult {
    /// More to train: call [`Stepwise::step`] again.
    More,
    /// The run is over; later steps return [`StepResult::Ended`].
    Done(Result<TrainResult, TrainError>),
    /// The run ended at an earlier step.
    Ended,
}

/// A word2vec run that advances only when stepped.
///
/// ```
/// use llm_lens::model::text::corpus::Corpus;
/// use llm_lens::model::word2vec::trainer::{StepResult, Stepwise};
/// use llm_lens::model::word2vec::{Control, TrainerConfig};
/// use std::sync::Arc;
/// let corpus = Arc::new(Corpus::from_text("demo", &"a b c d a b\n".repeat(50))?);
/// let config = TrainerConfig { dim: 8, min_count: 1, epochs: 1, ..TrainerConfig::default() };
/// let mut run = Stepwise::new(corpus, config, Arc::new(Control::default()));
/// let result = loop {
///     match run.step(100, &mut |_event| {}) {
///         StepResult::More => {}
///         StepResult::Done(r) => break r,
///         StepResult::Ended => unreachable!(),
///     }
/// };
/// assert_eq!(result.unwrap().vectors.len(), 4);
/// # Ok::<(), llm_lens::model::text::corpus::CorpusError>(())
/// ```
pub struct Stepwise {
    config: TrainerConfig,
    /// Cancel, and the clock that leaves pauses out of words/s. A pause is the caller
    /// not stepping; [`Control::pause`] only stops the clock.
    control: Arc<Control>,
    phase: Phase,
}

impl Stepwise {
    /// A run of `corpus` with `config` (its `threads` is ignored: one worker).
    pub fn new<C>(corpus: C, config: TrainerConfig, control: Arc<Control>) -> Stepwise
    where
        C: Deref<Target = Corpus> + Send + 'static,
    {
        Stepwise {
            config,
            control,
            phase: Phase::Counting(Box::new(corpus), Box::default(), None),
        }
    }

    /// Trains about `words` corpus words (whole sentences; the first steps count the
    /// corpus's words, [`COUNT_BYTES`] bytes a step, instead), sending `Started`, `Progress` and `Snapshot` to `sink` as
    /// [`super::train`] does.
    pub fn step(&mut self, words: u64, sink: &mut dyn FnMut(TrainingEvent)) -> StepResult {
        if self.control.is_cancelled() && !matches!(self.phase, Phase::Ended) {
            self.phase = Phase::Ended;
            return StepResult::Done(Err(TrainError::Cancelled));
        }
        match std::mem::replace(&mut self.phase, Phase::Ended) {
            Phase::Counting(corpus, mut counter, t0) => {
                if let Err(e) = self.config.validate() {
                    return StepResult::Done(Err(e));
                }
                let t0 = t0.unwrap_or_else(Instant::now);
                if counter.count(&corpus, COUNT_BYTES) {
                    self.phase = Phase::Counting(corpus, counter, Some(t0));
                    return StepResult::More;
                }
                let data = counter.finish(self.config.min_count);
                match Setup::from_data(data, t0, &self.config, 1, &self.control, sink) {
                    Ok(mut setup) => {
                        let monitor = Monitor::start(&self.config, &mut setup, &self.control, sink);
                        self.phase = Phase::Training(Box::new(Training {
                            setup,
                            monitor,
                            stats: [WorkerStats::default()],
                            // The stream of a one-thread run's only worker.
                            cursor: Cursor::new(
                                &self.config,
                                SplitMix64::for_stream(self.config.seed, 1),
                            ),
                            next_chunk: AtomicUsize::new(0),
                            words_done: AtomicU64::new(0),
                        }));
                        StepResult::More
                    }
                    Err(e) => StepResult::Done(Err(e)),
                }
            }
            Phase::Training(mut run) => {
                if !self.train(&mut run, words, sink) {
                    self.phase = Phase::Training(run);
                    return StepResult::More;
                }
                let Training {
                    setup,
                    monitor,
                    stats,
                    ..
                } = *run;
                StepResult::Done(monitor.finish(&self.config, setup, &stats, &self.control))
            }
            Phase::Ended => StepResult::Ended,
        }
    }

    /// One slice of training; true once the last word is trained.
    fn train(&self, run: &mut Training, words: u64, sink: &mut dyn FnMut(TrainingEvent)) -> bool {
        let config = &self.config;
        // Never paused here: a paused run is one nobody steps.
        let unpaused = Control::default();
        let job = run.setup.job(
            config,
            &run.next_chunk,
            &run.stats[0],
            &run.words_done,
            &unpaused,
        );
        let shared = job.shared;
        let stop = run_worker(&job, &mut run.cursor, words.max(1));
        let done = stop == Stop::Finished;
        let monitor = &mut run.monitor;
        monitor.report(config, &run.stats, shared.syn0, done, &self.control, sink);
        done
    }

    /// Whether the run has ended (finished, failed or cancelled).
    pub fn ended(&self) -> bool {
        matches!(self.phase, Phase::Ended)
    }
}
