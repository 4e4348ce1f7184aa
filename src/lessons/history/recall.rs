//! Step 6: limited context, measured. "Remember the first letter after N distractors" is
//! trained live for an RNN, an LSTM and one attention layer on a worker thread
//! ([`crate::model::recurrent::recall`]); the view plots accuracy against N for each.

use egui::RichText;

use crate::job::{Job, Step};
use crate::lessons::on_arrival::OnArrival;

use crate::model::recurrent::recall::{
    RecallConfig, RecallCurve, RecallError, RecallModel, RecallProgress, RecallRun,
};
use crate::widgets::chart::{ChartSpec, ChartView, PALETTE, Series, SeriesKind};

/// Updates per step of the training job: a few milliseconds of work, so the browser
/// draws between steps.
const UPDATES_PER_STEP: usize = 2;

/// What the training thread reports.
enum Msg {
    Progress(RecallProgress),
    Curve(RecallCurve),
    Finished(Result<(), String>),
}

/// A training run in flight; dropping it asks the worker to stop.
struct Run {
    job: Job<Msg>,
    /// Models finished so far in this run (they train one after another).
    done: usize,
}

/// The step-6 lab: settings, the latest curve per model and the run in progress.
#[derive(Default)]
pub struct RecallLab {
    pub config: RecallConfig,
    curves: Vec<RecallCurve>,
    run: Option<Run>,
    /// 0–1 over the three models of the current (or last) run.
    progress: f32,
    status: String,
    chart: ChartView,
    /// The run is started on the step's first visit (never a blank step).
    arrival: OnArrival,
    /// The run in flight was started on arrival, not by the learner.
    auto_run: bool,
}

impl RecallLab {
    /// Fraction of the current or last run that is done, 0–1.
    pub fn progress(&self) -> f32 {
        self.progress
    }

    pub fn running(&self) -> bool {
        self.run.is_some()
    }

    /// The latest trained curve of each model (kept while a new run trains).
    pub fn curves(&self) -> &[RecallCurve] {
        &self.curves
    }

    /// Starts training all three models on a worker thread; a running one is cancelled.
    pub fn train(&mut self, ctx: &egui::Context) {
        self.run = None;
        let cfg = self.config.clone();
        // A few updates a step: in the browser the page draws between them.
        let mut next = 0;
        let mut run: Option<RecallRun> = None;
        let job = Job::steps("recall-training", Some(ctx), move |r| {
            let Some(current) = run.as_mut() else {
                let Some(&model) = RecallModel::ALL.get(next) else {
                    r.send(Msg::Finished(Ok(())));
                    return Step::Done;
                };
                next += 1;
                match RecallRun::new(&cfg, model) {
                    Ok(started) => run = Some(started),
                    Err(e) => {
                        r.send(Msg::Finished(Err(e.to_string())));
                        return Step::Done;
                    }
                }
                return Step::More;
            };
            // The UI may have gone; then there is nobody to tell.
            let mut report = |p: RecallProgress| {
                r.send(Msg::Progress(p));
            };
            if current.train(UPDATES_PER_STEP, &mut report) {
                return Step::More;
            }
            let Some(done) = run.take() else {
                return Step::Done;
            };
            match done.evaluate(r.cancel_flag()) {
                Ok(curve) => {
                    r.send(Msg::Curve(curve));
                    Step::More
                }
                Err(RecallError::Cancelled) => {
                    r.send(Msg::Finished(Err("cancelled".to_owned())));
                    Step::Done
                }
                Err(e) => {
                    r.send(Msg::Finished(Err(e.to_string())));
                    Step::Done
                }
            }
        });
        self.progress = 0.0;
        self.status = match job.failure() {
            Some(why) => why.to_owned(),
            None => "training the RNN…".to_owned(),
        };
        self.run = Some(Run { job, done: 0 });
    }

    /// Called every frame: a run started on arrival stops when the learner leaves the
    /// step before it ends (it starts again on return); one the learner started goes on.
    pub fn background(&mut self, ctx: &egui::Context) {
        if self.auto_run && self.run.is_some() && self.arrival.away(ctx) {
            self.cancel();
            self.run = None;
            self.auto_run = false;
            self.arrival.forget();
            self.progress = 0.0;
            self.status.clear();
        }
    }

    pub fn cancel(&mut self) {
        if let Some(run) = &self.run {
            run.job.cancel();
        }
    }

    /// Takes every message the thread has sent since the last frame.
    pub fn poll(&mut self) {
        let Some(run) = &mut self.run else {
            return;
        };
        let models = RecallModel::ALL.len() as f32;
        let mut finished = None;
        loop {
            match run.job.try_next() {
                Ok(Some(Msg::Progress(p))) => {
                    let part = p.step as f32 / p.total_steps.max(1) as f32;
                    self.progress = ((run.done as f32 + part) / models).min(1.0);
                    self.status = format!(
                        "training the {}: step {} of {}, loss {:.3}",
                        p.model.name(),
                        p.step,
                        p.total_steps,
                        p.loss
                    );
                }
                Ok(Some(Msg::Curve(c))) => {
                    run.done += 1;
                    self.progress = run.done as f32 / models;
                    self.curves.retain(|old| old.model != c.model);
                    self.curves.push(c);
                    self.curves.sort_by_key(|c| c.model as u8);
                }
                Ok(Some(Msg::Finished(r))) => {
                    finished = Some(r);
                    break;
                }
                Ok(None) => break,
                Err(()) => {
                    let why = match run.job.failure() {
                        Some(why) => why,
                        None if run.job.cancelled() => "cancelled",
                        None => "the training thread stopped unexpectedly",
                    };
                    finished = Some(Err(why.to_owned()));
                    break;
                }
            }
        }
        if let Some(r) = finished {
            self.status = match r {
                Ok(()) => {
                    self.progress = 1.0;
                    "trained all three models".to_owned()
                }
                Err(e) => format!("training stopped: {e}"),
            };
            self.run = None;
        }
    }

    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.poll();
        // Never a blank step: the first visit trains at once (about a minute on two busy cores; the progress bar and the first curve come sooner).
        let idle = self.curves.is_empty() && self.run.is_none();
        if self.arrival.shown(ui.ctx(), idle) {
            self.train(ui.ctx());
            self.auto_run = true;
        }
        ui.strong("Remember the first letter after N distractors");
        ui.label(
            RichText::new("e.g. B D A C … A ?  →  the answer is B, the first letter").monospace(),
        );
        ui.horizontal(|ui| {
            let running = self.run.is_some();
            let l = ui.label("training steps");
            ui.add_enabled(
                !running,
                egui::Slider::new(&mut self.config.train_steps, 50..=3000),
            )
            .labelled_by(l.id);
            let l = ui.label("seed");
            ui.add_enabled(
                !running,
                egui::DragValue::new(&mut self.config.seed).range(0..=9999),
            )
            .labelled_by(l.id);
        });
        ui.horizontal(|ui| {
            if self.running() {
                if ui.button("Cancel").clicked() {
                    self.cancel();
                }
            } else if ui
                .button(if self.curves.is_empty() {
                    "Train"
                } else {
                    "Train again"
                })
                .on_hover_text("Trains an RNN, an LSTM and an attention layer, one after another.")
                .clicked()
            {
                self.train(ui.ctx());
                self.auto_run = false;
            }
            ui.add(
                egui::ProgressBar::new(self.progress)
                    .text(format!("{:.0} %", self.progress * 100.0))
                    .desired_width(160.0),
            );
        });
        if !self.status.is_empty() {
            ui.label(RichText::new(&self.status).weak());
        }
        if self.curves.is_empty() {
            let note = if self.running() {
                "Training the three models on arrival (about a minute); the curves appear as each finishes."
            } else {
                "No curves yet: press Train (about a minute)."
            };
            ui.label(note);
            return;
        }
        let spec = self.chart_spec();
        let size = egui::vec2(ui.available_width().clamp(240.0, 640.0), 250.0);
        self.chart.show(ui, &spec, size).on_hover_text(
            "Accuracy on 256 fresh test sequences per distance (model/recurrent/recall.rs).",
        );
        for c in &self.curves {
            ui.label(describe(c));
        }
    }

    fn chart_spec(&self) -> ChartSpec {
        let mut series: Vec<Series> = self
            .curves
            .iter()
            .map(|c| Series {
                name: c.model.name().to_owned(),
                points: c
                    .distances
                    .iter()
                    .zip(&c.accuracy)
                    .map(|(d, a)| (*d as f64, *a * 100.0))
                    .collect(),
                kind: SeriesKind::Line,
                color: match c.model {
                    RecallModel::Rnn => PALETTE[0],
                    RecallModel::Lstm => PALETTE[2],
                    RecallModel::Attention => PALETTE[4],
                },
            })
            .collect();
        if let Some(c) = self.curves.first() {
            let lo = c.distances.iter().copied().min().unwrap_or(0) as f64;
            let hi = c.distances.iter().copied().max().unwrap_or(0) as f64;
            series.push(Series {
                name: "chance (guessing)".to_owned(),
                points: vec![(lo, c.chance * 100.0), (hi, c.chance * 100.0)],
                kind: SeriesKind::Line,
                color: [140, 140, 140],
            });
        }
        ChartSpec {
            title: "Recall accuracy against distance".to_owned(),
            x_label: "N, distractors between the letter and the question".to_owned(),
            y_label: "accuracy (%)".to_owned(),
            log_y: false,
            series,
        }
    }
}

/// One line per model, read off its curve: where (if anywhere) it falls to chance.
fn describe(c: &RecallCurve) -> String {
    let near_chance = c
        .distances
        .iter()
        .zip(&c.accuracy)
        .find(|(_, a)| **a <= c.chance + 0.1)
        .map(|(d, _)| *d);
    let worst = c.accuracy.iter().copied().fold(f64::INFINITY, f64::min);
    let verdict = match near_chance {
        Some(d) => format!("no better than guessing from N = {d}"),
        None => format!("never falls to chance (lowest {:.0} %)", worst * 100.0),
    };
    format!(
        "{}: {verdict}; chance is {:.0} %. Trained in {:.1} s.",
        c.model.name(),
        c.chance * 100.0,
        c.train_seconds
    )
}
