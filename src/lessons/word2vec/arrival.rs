//! Steps 5 and 6 are never blank: the first time either opens with no vectors, the
//! lesson starts a training run itself (a few seconds in a release build, with its
//! progress bar). A run started that way pauses while the learner is elsewhere, so it
//! never takes the cores from another lesson, and goes on when they come back; a run the
//! learner started is left alone.

use std::sync::Arc;

use super::training::{BuiltinCorpus, Status, TrainingView};
use crate::lessons::on_arrival::OnArrival;
use crate::model::text::corpus::Corpus;

/// The arrival policy and the run it started.
pub struct Arrival {
    /// Start a run on arrival (tests that want an idle lesson turn it off).
    pub enabled: bool,
    /// The corpus a run started on arrival reads: `None` is the built-in corpus; tests
    /// give a small one.
    pub corpus: Option<Arc<Corpus>>,
    /// Started once per lesson (not again after it ends); when the step was last drawn.
    on_arrival: OnArrival,
    /// The number (`TrainingView::runs_started`) of the run started on arrival.
    run: Option<u64>,
    /// The run started on arrival was paused because the learner left.
    paused_by_leaving: bool,
}

impl Default for Arrival {
    fn default() -> Self {
        Arrival {
            enabled: true,
            corpus: None,
            on_arrival: OnArrival::default(),
            run: None,
            paused_by_leaving: false,
        }
    }
}

impl Arrival {
    /// True while the run in progress is the one started on arrival.
    pub fn owns_run(&self, training: &TrainingView) -> bool {
        training.running() && self.run == Some(training.runs_started())
    }

    /// Called when step 5 or 6 is drawn. `has_vectors`: the learner loaded a file, so
    /// the step has something to show without training.
    pub fn arrive(&mut self, ctx: &egui::Context, training: &mut TrainingView, has_vectors: bool) {
        let nothing_yet = training.result.is_none() && training.snapshot.is_none();
        let idle = self.enabled && nothing_yet && !training.running() && !has_vectors;
        if !self.on_arrival.shown(ctx, idle) {
            // A run it paused goes on when the learner comes back.
            if self.paused_by_leaving {
                self.paused_by_leaving = false;
                if self.owns_run(training) && training.status == Status::Paused {
                    training.resume();
                }
            }
            return;
        }
        let config = training.config.clone();
        match &self.corpus {
            Some(c) => training.start(Arc::clone(c), config),
            None => training.start(BuiltinCorpus, config),
        }
        self.run = Some(training.runs_started());
    }

    /// Called every frame: pauses the run started on arrival once neither training step
    /// is on screen (the lesson's other steps included).
    pub fn background(&mut self, ctx: &egui::Context, training: &mut TrainingView) {
        if self.on_arrival.away(ctx)
            && !self.paused_by_leaving
            && self.owns_run(training)
            && training.status != Status::Paused
        {
            training.pause();
            self.paused_by_leaving = true;
        }
    }

    /// The line shown above a run the lesson started by itself.
    pub fn note(&self, training: &TrainingView) -> Option<&'static str> {
        self.owns_run(training).then_some(
            "Training started by itself when you opened this step (a few seconds; up to a minute in a browser), so the map and the neighbours fill in as it learns. It pauses while you are on another step and goes on when you come back.",
        )
    }
}
