//! Step 5: live training on the built-in corpus. The run ([`TrainingRun`]: worker
//! threads, or steps between frames in the browser) sends events; the view drains them every frame (whatever step is shown), draws a
//! progress bar, words/s, the loss curve and a 2-D PCA scatter of the most frequent
//! words from the latest snapshot (drawn by [`super::map`]). While a new run starts, the
//! previous scatter and loss curve stay on screen until the new run's data replaces them.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use egui::{RichText, vec2};

use super::run::TrainingRun;
use crate::lessons::LessonContext;
use crate::model::text::corpus::Corpus;
use crate::model::word2vec::{ModelKind, Snapshot, TrainResult, TrainerConfig, TrainingEvent};
use crate::widgets::chart::{ChartSpec, ChartView, PALETTE, Series, SeriesKind};

/// Words in each snapshot, and so in the scatter.
pub const SCATTER_WORDS: usize = 1000;

/// Where a run stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// No run yet.
    Idle,
    /// Started; counting words and building the vocabulary.
    Preparing,
    Running,
    Paused,
    Finished,
    Cancelled,
    Error(String),
}

/// The lesson's defaults: the trainer's (skip-gram, dim 100, window 5, 5 negatives,
/// min_count 5), with 3 epochs: about 5 s on 2 cores in release (1.4 M words/s measured).
pub fn lesson_config() -> TrainerConfig {
    TrainerConfig {
        epochs: 3,
        snapshot_top_n: SCATTER_WORDS,
        ..TrainerConfig::default()
    }
}

/// The built-in corpus, fetched when the trainer first reads it: on the training thread,
/// so the first decompression (tens of milliseconds, more in a debug build) never blocks
/// the UI.
pub struct BuiltinCorpus;

impl Deref for BuiltinCorpus {
    type Target = Corpus;

    fn deref(&self) -> &Corpus {
        Corpus::builtin()
    }
}

/// State of the training view.
pub struct TrainingView {
    /// Settings for the next run (the sliders).
    pub config: TrainerConfig,
    /// Settings of the run in progress or last finished.
    pub run_config: TrainerConfig,
    trainer: Option<TrainingRun>,
    pub status: Status,
    /// 0..1 over all epochs.
    pub fraction: f32,
    pub epoch: usize,
    pub words_per_sec: f64,
    pub vocab_size: usize,
    pub corpus_words: u64,
    /// (epochs done, mean loss) of the current run.
    pub loss: Vec<(f64, f64)>,
    /// The same for the run before, kept for comparison.
    pub previous_loss: Vec<(f64, f64)>,
    /// The latest snapshot: of this run, or of the previous one until this run sends one.
    pub snapshot: Option<Arc<Snapshot>>,
    /// True while `snapshot` comes from the previous run.
    pub snapshot_is_old: bool,
    /// The last finished run's vectors (kept while retraining).
    pub result: Option<Arc<TrainResult>>,
    /// Highlighted in the scatter.
    pub search: String,
    chart: ChartView,
    /// Runs started so far: tells a run the lesson started on arrival from one the learner
    /// started.
    runs_started: u64,
}

impl Default for TrainingView {
    fn default() -> Self {
        TrainingView {
            config: lesson_config(),
            run_config: lesson_config(),
            trainer: None,
            status: Status::Idle,
            fraction: 0.0,
            epoch: 0,
            words_per_sec: 0.0,
            vocab_size: 0,
            corpus_words: 0,
            loss: Vec::new(),
            previous_loss: Vec::new(),
            snapshot: None,
            snapshot_is_old: false,
            result: None,
            search: String::new(),
            chart: ChartView::default(),
            runs_started: 0,
        }
    }
}

impl TrainingView {
    /// True while a run is preparing, running or paused.
    pub fn running(&self) -> bool {
        self.trainer.is_some()
    }

    /// How many runs were started so far (the last one's number).
    pub fn runs_started(&self) -> u64 {
        self.runs_started
    }

    /// Corpus words the current or last run has trained on, all epochs (before
    /// subsampling): how far it got, for the browser test's hook.
    pub fn words_trained(&self) -> u64 {
        let total = self.corpus_words as f64 * self.run_config.epochs as f64;
        (f64::from(self.fraction) * total) as u64
    }

    /// Starts a run on `corpus` (`Corpus::builtin()` in the app; tests pass a small
    /// `Arc<Corpus>`), cancelling any run in progress. The previous scatter, loss curve
    /// and result stay until the new run replaces them.
    pub fn start<C>(&mut self, corpus: C, config: TrainerConfig)
    where
        C: Deref<Target = Corpus> + Send + 'static,
    {
        // Dropping the old trainer cancels it without waiting.
        self.trainer = None;
        if !self.loss.is_empty() {
            self.previous_loss = std::mem::take(&mut self.loss);
        }
        self.snapshot_is_old = self.snapshot.is_some();
        self.fraction = 0.0;
        self.epoch = 0;
        self.words_per_sec = 0.0;
        self.status = Status::Preparing;
        self.run_config = config.clone();
        self.runs_started += 1;
        self.trainer = Some(TrainingRun::start(corpus, config));
    }

    pub fn pause(&mut self) {
        if let Some(t) = &mut self.trainer {
            t.pause();
            self.status = Status::Paused;
        }
    }

    pub fn resume(&mut self) {
        if let Some(t) = &mut self.trainer {
            t.resume();
            self.status = Status::Running;
        }
    }

    pub fn cancel(&mut self) {
        if let Some(t) = &mut self.trainer {
            t.cancel();
        }
    }

    /// Drains the trainer's events; call once per frame.
    pub fn poll(&mut self, ctx: &egui::Context) {
        let Some(trainer) = &mut self.trainer else {
            return;
        };
        let (events, worker_ended) = trainer.events(ctx);
        let mut ended = false;
        for e in events {
            match e {
                TrainingEvent::Started {
                    vocab_size, words, ..
                } => {
                    self.vocab_size = vocab_size;
                    self.corpus_words = words;
                    // Output vectors start at zero, so every score is 0, σ = ½, and each
                    // example's loss is exactly (1 + negatives)·ln 2: the curve's first point.
                    let start = (1.0 + self.run_config.negative as f64) * std::f64::consts::LN_2;
                    self.loss.push((0.0, start));
                    if self.status == Status::Preparing {
                        self.status = Status::Running;
                    }
                }
                TrainingEvent::Progress {
                    fraction,
                    epoch,
                    words_per_sec,
                    loss,
                    ..
                } => {
                    self.fraction = fraction.clamp(0.0, 1.0);
                    self.epoch = epoch;
                    self.words_per_sec = words_per_sec;
                    let x = f64::from(self.fraction) * self.run_config.epochs as f64;
                    if loss.is_finite() && loss > 0.0 {
                        self.loss.push((x, f64::from(loss)));
                    }
                }
                TrainingEvent::Snapshot(s) => {
                    self.snapshot = Some(s);
                    self.snapshot_is_old = false;
                }
                TrainingEvent::Finished(r) => {
                    self.fraction = 1.0;
                    self.epoch = self.run_config.epochs;
                    self.words_per_sec = r.stats.words_per_sec;
                    self.result = Some(r);
                    self.status = Status::Finished;
                    ended = true;
                }
                TrainingEvent::Cancelled => {
                    self.status = Status::Cancelled;
                    ended = true;
                }
                TrainingEvent::Error(e) => {
                    self.status = Status::Error(e);
                    ended = true;
                }
            }
        }
        if !ended && worker_ended {
            // The worker ended without a final event: say so rather than spin forever.
            self.status = Status::Error("the training thread stopped unexpectedly".to_owned());
            ended = true;
        }
        if ended {
            self.trainer = None;
        } else {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
    }

    pub fn show(&mut self, ui: &mut egui::Ui, cx: &LessonContext<'_>) {
        self.controls(ui);
        self.progress(ui, cx.reproducible);
        ui.separator();
        self.loss_chart(ui, cx);
        ui.separator();
        super::map::show(
            ui,
            cx,
            self.snapshot.as_ref(),
            self.snapshot_is_old,
            &mut self.search,
        );
    }

    fn controls(&mut self, ui: &mut egui::Ui) {
        let running = self.running();
        ui.add_enabled_ui(!running, |ui| {
            ui.horizontal(|ui| {
                ui.label("Model:");
                ui.radio_value(&mut self.config.model, ModelKind::SkipGram, "skip-gram")
                    .on_hover_text("Predict each context word from the centre word: slower, better for rare words.");
                ui.radio_value(&mut self.config.model, ModelKind::Cbow, "CBOW")
                    .on_hover_text("Predict the centre word from the average of its context: about 3× faster.");
            });
            ui.spacing_mut().slider_width = (ui.available_width() / 2.0 - 150.0).clamp(60.0, 200.0);
            egui::Grid::new("w2v-train-settings").show(ui, |ui| {
                ui.add(egui::Slider::new(&mut self.config.dim, 10..=300).text("dimensions"))
                    .on_hover_text("Numbers per word vector (default 100).");
                ui.add(egui::Slider::new(&mut self.config.window, 1..=10).text("window"))
                    .on_hover_text("Context words each side of the centre (default 5).");
                ui.end_row();
                ui.add(egui::Slider::new(&mut self.config.negative, 1..=20).text("negatives"))
                    .on_hover_text("Negative samples per example (default 5).");
                ui.add(egui::Slider::new(&mut self.config.epochs, 1..=10).text("epochs"))
                    .on_hover_text("Passes over the corpus. More epochs: better vectors, longer wait.");
                ui.end_row();
            });
        });
        ui.horizontal(|ui| {
            let label = if self.result.is_some() || running {
                "Train again"
            } else {
                "Train"
            };
            if ui
                .button(RichText::new(label).strong())
                .on_hover_text("Train word2vec on the built-in corpus (about 2 million words) with these settings. A run in progress is cancelled.")
                .clicked()
            {
                let config = self.config.clone();
                self.start(BuiltinCorpus, config);
            }
            if running {
                if self.status == Status::Paused {
                    if ui.button("Resume").clicked() {
                        self.resume();
                    }
                } else if ui.button("Pause").on_hover_text("Stop the workers for now; Resume continues where they were.").clicked() {
                    self.pause();
                }
                if ui.button("Cancel").on_hover_text("Stop this run. The previous result stays.").clicked() {
                    self.cancel();
                }
            }
            if ui
                .add_enabled(self.config != lesson_config(), egui::Button::new("Defaults"))
                .on_hover_text("Back to the lesson's settings: skip-gram, 100 dimensions, window 5, 5 negatives, 3 epochs.")
                .clicked()
            {
                self.config = lesson_config();
            }
        });
    }

    /// `reproducible` leaves out the measured speed (snapshot tests).
    fn progress(&mut self, ui: &mut egui::Ui, reproducible: bool) {
        let pct = format!("{:.0} %", self.fraction * 100.0);
        ui.add(egui::ProgressBar::new(self.fraction).text(pct.clone()))
            .on_hover_text("Share of all epochs' words processed so far.");
        let speed = if reproducible {
            String::new()
        } else {
            format!(" · {:.0} k words/s", self.words_per_sec / 1000.0)
        };
        let status = match &self.status {
            Status::Idle => "Not trained yet: press Train.".to_owned(),
            Status::Preparing => "Counting words and building the vocabulary…".to_owned(),
            Status::Running | Status::Paused => format!(
                "{}epoch {} of {}{speed} · vocabulary {} words",
                if self.status == Status::Paused {
                    "Paused · "
                } else {
                    ""
                },
                self.epoch.max(1),
                self.run_config.epochs,
                self.vocab_size
            ),
            Status::Finished => format!(
                "Finished: {} epoch{} over {} words{speed} · vocabulary {} words",
                self.run_config.epochs,
                if self.run_config.epochs == 1 { "" } else { "s" },
                self.corpus_words,
                self.vocab_size
            ),
            Status::Cancelled => {
                "Cancelled. The previous result, if any, is still shown.".to_owned()
            }
            Status::Error(e) => format!("Training failed: {e}"),
        };
        let r = if matches!(self.status, Status::Error(_)) {
            ui.colored_label(ui.visuals().warn_fg_color, status)
        } else {
            ui.label(status)
        };
        r.on_hover_text(
            "words/s counts corpus words read per second, before frequent words are skipped.",
        );
    }

    fn loss_chart(&mut self, ui: &mut egui::Ui, cx: &LessonContext<'_>) {
        let mut series = Vec::new();
        if !self.previous_loss.is_empty() {
            series.push(Series {
                name: "previous run".to_owned(),
                points: self.previous_loss.clone(),
                kind: SeriesKind::Line,
                color: [160, 160, 160],
            });
        }
        if !self.loss.is_empty() {
            series.push(Series {
                name: "this run".to_owned(),
                points: self.loss.clone(),
                // A line through one or two points is hard to see; dots are not.
                kind: if self.loss.len() < 2 {
                    SeriesKind::Scatter
                } else {
                    SeriesKind::Line
                },
                color: PALETTE[0],
            });
        }
        if series.is_empty() {
            ui.label("The loss curve appears here while training runs.");
            return;
        }
        let spec = ChartSpec {
            title: "Training loss".to_owned(),
            x_label: "epochs".to_owned(),
            y_label: "loss".to_owned(),
            log_y: false,
            series,
        };
        let w = ui.available_width().clamp(300.0, 640.0);
        let h = if cx.presentation { 220.0 } else { 150.0 };
        self.chart
            .show(ui, &spec, vec2(w, h))
            .on_hover_text("−ln σ(target) − Σ ln σ(−negative), averaged over the examples since the previous point. Lower is better. The first point is the loss before training: all output vectors start at zero, so it is (1 + negatives)·ln 2.");
    }
}
