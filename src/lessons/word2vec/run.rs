//! The training run behind step 5, whichever way it runs: with several threads, the
//! model's Hogwild [`Trainer`] (the desktop); with one (the browser, which has no
//! threads, or a one-core machine), a [`Stepwise`] run driven by [`Job::steps`], a few
//! thousand words a step, so the page draws between steps. Both send the same
//! [`TrainingEvent`]s, so the view does not know which it has.

use std::ops::Deref;
use std::sync::{Arc, Mutex};

use crate::job::{Job, Step};
use crate::model::text::corpus::Corpus;
use crate::model::word2vec::{
    Control, StepResult, Stepwise, TrainError, Trainer, TrainerConfig, TrainingEvent,
};

/// Corpus words per step of a stepwise run: about 10 ms in the browser, so a frame's
/// slice holds a few steps and none holds the page for long.
pub const STEP_WORDS: u64 = 4_000;

/// A run in progress.
pub enum TrainingRun {
    Threads(Trainer),
    Steps(Steps),
}

/// A stepwise run and the job stepping it. Pausing ends the job (the run waits in
/// `run`, untouched); the next poll after resuming starts another.
pub struct Steps {
    run: Arc<Mutex<Stepwise>>,
    control: Arc<Control>,
    job: Option<Job<TrainingEvent>>,
}

impl TrainingRun {
    /// Hogwild threads when `config` asks for more than one, steps otherwise.
    pub fn start<C>(corpus: C, config: TrainerConfig) -> TrainingRun
    where
        C: Deref<Target = Corpus> + Send + 'static,
    {
        if config.threads > 1 {
            return TrainingRun::Threads(Trainer::start(corpus, config));
        }
        let control = Arc::new(Control::default());
        let run = Stepwise::new(corpus, config, Arc::clone(&control));
        TrainingRun::Steps(Steps {
            run: Arc::new(Mutex::new(run)),
            control,
            job: None,
        })
    }

    pub fn pause(&mut self) {
        match self {
            TrainingRun::Threads(t) => t.pause(),
            TrainingRun::Steps(s) => {
                s.control.pause();
                if let Some(job) = &s.job {
                    job.cancel();
                }
            }
        }
    }

    pub fn resume(&mut self) {
        match self {
            TrainingRun::Threads(t) => t.resume(),
            TrainingRun::Steps(s) => s.control.resume(),
        }
    }

    /// Asks the run to stop; it ends with `Cancelled` (a paused run too).
    pub fn cancel(&mut self) {
        match self {
            TrainingRun::Threads(t) => {
                t.cancel();
                // A paused worker must wake up to see the cancel.
                t.resume();
            }
            TrainingRun::Steps(s) => {
                s.control.cancel();
                s.control.resume();
            }
        }
    }

    /// The events that have arrived, and whether the run's worker has ended without
    /// more to come (so a missing final event is an error, not a wait).
    pub fn events(&mut self, ctx: &egui::Context) -> (Vec<TrainingEvent>, bool) {
        match self {
            TrainingRun::Threads(t) => {
                // Asked first: a thread that had ended has queued all its events.
                let ended = t.is_finished();
                (t.events().try_iter().collect(), ended)
            }
            TrainingRun::Steps(s) => s.events(ctx),
        }
    }
}

impl Steps {
    fn events(&mut self, ctx: &egui::Context) -> (Vec<TrainingEvent>, bool) {
        if self.job.is_none() && !self.control.is_paused() {
            self.job = Some(step_job(ctx, Arc::clone(&self.run)));
        }
        let mut events = Vec::new();
        if let Some(job) = &self.job {
            loop {
                match job.try_next() {
                    Ok(Some(e)) => events.push(e),
                    Ok(None) => break,
                    Err(()) => {
                        // Ended: paused (the next poll after resuming starts another
                        // job) or the run is over.
                        self.job = None;
                        break;
                    }
                }
            }
        }
        let over = self.run.lock().map_or(true, |r| r.ended());
        (events, over && self.job.is_none())
    }
}

/// A job that steps `run` until it ends, or until it is cancelled (a pause).
fn step_job(ctx: &egui::Context, run: Arc<Mutex<Stepwise>>) -> Job<TrainingEvent> {
    Job::steps("word2vec-train", Some(ctx), move |r| {
        let Ok(mut run) = run.lock() else {
            r.send(TrainingEvent::Error(
                "the training run stopped unexpectedly".to_owned(),
            ));
            return Step::Done;
        };
        match run.step(STEP_WORDS, &mut |e| {
            r.send(e);
        }) {
            StepResult::More => Step::More,
            StepResult::Done(result) => {
                r.send(match result {
                    Ok(result) => TrainingEvent::Finished(Arc::new(result)),
                    Err(TrainError::Cancelled) => TrainingEvent::Cancelled,
                    Err(e) => TrainingEvent::Error(e.to_string()),
                });
                Step::Done
            }
            StepResult::Ended => Step::Done,
        }
    })
}
