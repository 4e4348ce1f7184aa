//! Training a BPE replay: [`train_replay`] in one go (tests, the desktop's worker
//! thread), and [`replay_job`], the same merges a few at a time as [`Job::steps`], so the
//! browser draws between them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::replay::{Replay, TOP_PAIRS};
use super::training::TrainSource;
use crate::job::{Job, Step};
use crate::model::text::corpus::Corpus;
use crate::model::tokenize::TokenizeError;
use crate::model::tokenize::bpe_train::{BpeConfig, BpeCounter, BpeTrainer, COUNT_BYTES, TieBreak};
use crate::model::tokenize::byte_level::bytes_to_visible;
use crate::model::tokenize::steps::run_steps;

/// Trains with `config` on `text`, recording [`TOP_PAIRS`] pairs before each merge.
pub fn train_replay(
    text: &str,
    corpus_name: &str,
    config: BpeConfig,
    tie_break: TieBreak,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(f32),
) -> Result<Replay, TokenizeError> {
    let mut run = ReplayRun::new(text, corpus_name, config, tie_break)?;
    run_steps(
        run.planned,
        cancel,
        &mut |done, planned| progress(done as f32 / planned.max(1) as f32),
        || run.merge(),
    )?;
    Ok(run.finish())
}

/// A replay's training between merges, so it can also run a few merges at a time
/// between frames (the browser) with the same result as [`train_replay`].
pub struct ReplayRun {
    start: web_time::Instant,
    byte_level: bool,
    trainer: BpeTrainer,
    top: Vec<Vec<(String, String, u64)>>,
    /// Merges the run will make at most.
    planned: usize,
    corpus_name: String,
    tie_break: TieBreak,
}

impl ReplayRun {
    /// Counts the words and pairs of `text` (the one pass over it).
    pub fn new(
        text: &str,
        corpus_name: &str,
        config: BpeConfig,
        tie_break: TieBreak,
    ) -> Result<ReplayRun, TokenizeError> {
        let start = web_time::Instant::now();
        let trainer = BpeTrainer::new(text, config)?;
        Ok(ReplayRun::counted(trainer, corpus_name, tie_break, start))
    }

    /// A run from a trainer fresh from its count, which began at `start`.
    fn counted(
        trainer: BpeTrainer,
        corpus_name: &str,
        tie_break: TieBreak,
        start: web_time::Instant,
    ) -> ReplayRun {
        let byte_level = trainer.byte_level();
        let trainer = trainer.with_tie_break(tie_break);
        let planned = trainer.merges_left().max(1);
        ReplayRun {
            start,
            byte_level,
            trainer,
            top: Vec::new(),
            planned,
            corpus_name: corpus_name.to_owned(),
            tie_break,
        }
    }

    /// Records the top pairs and makes one merge; false once none is left.
    pub fn merge(&mut self) -> bool {
        let (vocab, byte_level) = (self.trainer.vocab(), self.byte_level);
        let show = |id: u32| {
            let bytes = vocab.get(id as usize).map_or(&[][..], Vec::as_slice);
            if byte_level {
                bytes_to_visible(bytes)
            } else {
                String::from_utf8_lossy(bytes).into_owned()
            }
        };
        let pairs: Vec<(String, String, u64)> = self
            .trainer
            .top_pairs(TOP_PAIRS)
            .into_iter()
            .map(|((a, b), c)| (show(a), show(b), c))
            .collect();
        let merged = self.trainer.step().is_some();
        if merged {
            self.top.push(pairs);
        }
        merged
    }

    /// Share of the planned merges made, 0..1.
    pub fn fraction(&self) -> f32 {
        self.top.len() as f32 / self.planned as f32
    }

    pub fn finish(self) -> Replay {
        Replay {
            model: self.trainer.finish(),
            top: self.top,
            corpus_name: self.corpus_name,
            seconds: self.start.elapsed().as_secs_f64(),
            tie_break: self.tie_break,
        }
    }
}

/// Merges per step of a run: a few milliseconds, so a frame's slice holds several.
const MERGES_PER_STEP: usize = 4;

/// Where a run in steps stands.
enum Stage {
    /// The first step gathers the text.
    Start(TrainSource, BpeConfig, TieBreak),
    /// The words counted a chunk a step (the text, its name, when the count began).
    Counting(Box<Counting>),
    Merging(Box<ReplayRun>),
    Ended,
}

/// A replay's word count under way.
struct Counting {
    text: String,
    name: &'static str,
    tie_break: TieBreak,
    counter: BpeCounter,
    start: web_time::Instant,
}

/// A job that trains a replay of `source` in steps, sending the result (or the error)
/// as its one message; `progress` follows the merges and `cancel` stops it between steps.
pub fn replay_job(
    ctx: Option<&egui::Context>,
    source: TrainSource,
    config: BpeConfig,
    tie_break: TieBreak,
    cancel: &Arc<AtomicBool>,
    progress: &Arc<Mutex<f32>>,
) -> Job<Result<Replay, TokenizeError>> {
    let (c, p) = (cancel.clone(), progress.clone());
    let mut stage = Stage::Start(source, config, tie_break);
    // In steps of a few merges, so the browser draws between them.
    Job::steps("bpe-replay", ctx, move |r| {
        if c.load(Ordering::Relaxed) {
            r.send(Err(TokenizeError::Cancelled));
            return Step::Done;
        }
        match std::mem::replace(&mut stage, Stage::Ended) {
            Stage::Start(source, config, tie_break) => {
                let (text, name) = match source {
                    TrainSource::Builtin => {
                        let mut text = String::new();
                        for d in Corpus::builtin().documents() {
                            text.push_str(&d.text);
                            text.push('\n');
                        }
                        (text, "the State of the Union corpus")
                    }
                    TrainSource::Own(t) => (t, "your own text"),
                };
                stage = Stage::Counting(Box::new(Counting {
                    text,
                    name,
                    tie_break,
                    counter: BpeCounter::new(config),
                    start: web_time::Instant::now(),
                }));
            }
            Stage::Counting(mut c) => match c.counter.count(&c.text, COUNT_BYTES) {
                Ok(true) => stage = Stage::Counting(c),
                Ok(false) => {
                    let Counting {
                        name,
                        tie_break,
                        counter,
                        start,
                        ..
                    } = *c;
                    let run = ReplayRun::counted(counter.finish(), name, tie_break, start);
                    stage = Stage::Merging(Box::new(run));
                }
                Err(e) => {
                    r.send(Err(e));
                    return Step::Done;
                }
            },
            Stage::Merging(mut run) => {
                for _ in 0..MERGES_PER_STEP {
                    if !run.merge() {
                        *p.lock().unwrap_or_else(|e| e.into_inner()) = 1.0;
                        r.send(Ok(run.finish()));
                        return Step::Done;
                    }
                }
                *p.lock().unwrap_or_else(|e| e.into_inner()) = run.fraction();
                stage = Stage::Merging(run);
            }
            Stage::Ended => return Step::Done,
        }
        Step::More
    })
}
