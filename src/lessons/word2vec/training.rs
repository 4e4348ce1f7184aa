//! Step 5: live training on the built-in corpus. The [`Trainer`] runs on worker threads
//! and sends events; the view drains them every frame (whatever step is shown), draws a
//! progress bar, words/s, the loss curve and a 2-D PCA scatter of the most frequent
//! words from the latest snapshot. While a new run starts, the previous scatter and loss
//! curve stay on screen until the new run's data replaces them.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use egui::{Align2, Color32, FontId, RichText, Sense, Stroke, pos2, vec2};

use super::pairs::legend_swatch;
use super::sentence_words;
use crate::lessons::LessonContext;
use crate::model::text::corpus::Corpus;
use crate::model::word2vec::{
    ModelKind, Snapshot, TrainResult, Trainer, TrainerConfig, TrainingEvent,
};
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
/// min_count 5), with 3 epochs so a run takes about a minute on 2 cores in release.
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
    trainer: Option<Trainer>,
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
        self.trainer = Some(Trainer::start(corpus, config));
    }

    pub fn pause(&mut self) {
        if let Some(t) = &self.trainer {
            t.pause();
            self.status = Status::Paused;
        }
    }

    pub fn resume(&mut self) {
        if let Some(t) = &self.trainer {
            t.resume();
            self.status = Status::Running;
        }
    }

    pub fn cancel(&mut self) {
        if let Some(t) = &self.trainer {
            t.cancel();
            // A paused worker must wake up to see the cancel.
            t.resume();
        }
    }

    /// Drains the trainer's events; call once per frame.
    pub fn poll(&mut self, ctx: &egui::Context) {
        let Some(trainer) = &self.trainer else {
            return;
        };
        let events: Vec<TrainingEvent> = trainer.events().try_iter().collect();
        let thread_ended = trainer.is_finished();
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
        if !ended && thread_ended && trainer.events().try_recv().is_err() {
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
        self.scatter(ui, cx);
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

    fn scatter(&mut self, ui: &mut egui::Ui, cx: &LessonContext<'_>) {
        let snap = self.snapshot.clone();
        ui.horizontal_wrapped(|ui| {
            if let Some(snap) = &snap {
                ui.label(
                    RichText::new(format!(
                        "The {} most frequent words in 2-D (PCA){}",
                        snap.words.len().min(snap.pca.points.len()),
                        if self.snapshot_is_old {
                            ", previous run".to_owned()
                        } else {
                            format!(", at {:.0} % of training", snap.fraction * 100.0)
                        }
                    ))
                    .strong(),
                );
            }
            ui.label("Find a word:");
            ui.add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("e.g. oil")
                    .desired_width(100.0),
            )
            .on_hover_text("Highlights this word in the scatter.");
        });
        let Some(snap) = snap else {
            ui.label("The map of the word space appears here once training has run for a moment.");
            return;
        };
        let n = snap.words.len().min(snap.pca.points.len());
        let sentence: Vec<String> = sentence_words(cx.sentence);
        let search = self.search.trim().to_lowercase();
        let dark = ui.visuals().dark_mode;
        let scale = if cx.presentation { 1.6 } else { 1.0 };

        let w = ui.available_width().clamp(300.0, 700.0);
        let (resp, painter) = ui.allocate_painter(vec2(w, w * 0.6), Sense::hover());
        let frame = resp.rect;
        // Room for the axis captions at the top and bottom and for labels at the sides.
        let plot =
            egui::Rect::from_min_max(frame.min + vec2(14.0, 24.0), frame.max - vec2(14.0, 22.0));
        painter.rect_stroke(
            frame,
            2.0,
            ui.visuals().widgets.noninteractive.bg_stroke,
            egui::StrokeKind::Inside,
        );

        let pts = &snap.pca.points[..n];
        let (mut x0, mut x1, mut y0, mut y1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for p in pts.iter().filter(|p| p[0].is_finite() && p[1].is_finite()) {
            x0 = x0.min(p[0]);
            x1 = x1.max(p[0]);
            y0 = y0.min(p[1]);
            y1 = y1.max(p[1]);
        }
        if x1 <= x0 || y1 <= y0 {
            (x0, x1, y0, y1) = (-1.0, 1.0, -1.0, 1.0);
        }
        let to_screen = |p: [f32; 2]| {
            pos2(
                plot.left() + (p[0] - x0) / (x1 - x0) * plot.width(),
                plot.bottom() - (p[1] - y0) / (y1 - y0) * plot.height(),
            )
        };
        let axis_color = ui.visuals().weak_text_color();
        let small = FontId::proportional(12.0 * scale);
        painter.text(
            pos2(frame.center().x, frame.bottom() - 3.0),
            Align2::CENTER_BOTTOM,
            format!(
                "PC1 → ({:.0} % of the variance)",
                snap.pca.explained[0] * 100.0
            ),
            small.clone(),
            axis_color,
        );
        painter.text(
            frame.left_top() + vec2(4.0, 3.0),
            Align2::LEFT_TOP,
            format!(
                "↑ PC2 ({:.0} % of the variance)",
                snap.pca.explained[1] * 100.0
            ),
            small.clone(),
            axis_color,
        );

        let base = if dark {
            Color32::from_rgba_unmultiplied(140, 170, 210, 110)
        } else {
            Color32::from_rgba_unmultiplied(31, 119, 180, 90)
        };
        let [r, g, b] = PALETTE[1];
        let sentence_color = Color32::from_rgb(r, g, b);
        let [r, g, b] = PALETTE[2];
        let search_color = Color32::from_rgb(r, g, b);
        let text_color = ui.visuals().strong_text_color();
        let mut hovered: Option<(usize, f32)> = None;
        let pointer = resp.hover_pos();
        for (i, p) in pts.iter().enumerate() {
            if !(p[0].is_finite() && p[1].is_finite()) {
                continue;
            }
            let s = to_screen(*p);
            painter.circle_filled(s, 2.0 * scale, base);
            if let Some(m) = pointer {
                let d = m.distance(s);
                if d < 10.0 && hovered.is_none_or(|(_, best)| d < best) {
                    hovered = Some((i, d));
                }
            }
        }
        // Labels never cover each other: each takes the first free spot around its dot.
        let mut placer = crate::widgets::label_placer::LabelPlacer::new(plot);
        let mut label = |i: usize, color: Color32, radius: f32| {
            let s = to_screen(pts[i]);
            painter.circle(s, radius * scale, color, Stroke::new(1.0, text_color));
            placer.place(
                &painter,
                s,
                5.0 * scale,
                &snap.words[i],
                FontId::proportional(13.0 * scale),
                text_color,
            );
        };
        let mut missing: Vec<&str> = Vec::new();
        let mut labelled: Vec<usize> = Vec::new();
        for w in &sentence {
            match snap.words[..n].iter().position(|x| x == w) {
                // A word the sentence repeats is one dot with one label.
                Some(i) if labelled.contains(&i) => {}
                Some(i) => {
                    labelled.push(i);
                    label(i, sentence_color, 3.5);
                }
                None => {
                    if !missing.contains(&w.as_str()) {
                        missing.push(w);
                    }
                }
            }
        }
        let found = if search.is_empty() {
            None
        } else {
            snap.words[..n].iter().position(|x| *x == search)
        };
        if let Some(i) = found {
            label(i, search_color, 5.0);
        }
        if let Some((i, _)) = hovered {
            let s = to_screen(pts[i]);
            painter.circle_stroke(s, 6.0 * scale, Stroke::new(2.0, text_color));
            let galley = painter.layout_no_wrap(
                format!("{} (#{} by frequency)", snap.words[i], i + 1),
                FontId::proportional(14.0 * scale),
                text_color,
            );
            let mut at = s + vec2(8.0, -8.0 - galley.size().y);
            if at.x + galley.size().x > frame.right() {
                at.x = s.x - 8.0 - galley.size().x;
            }
            at.y = at.y.max(frame.top());
            let bg = egui::Rect::from_min_size(at, galley.size()).expand(3.0);
            painter.rect_filled(bg, 3.0, ui.visuals().extreme_bg_color);
            painter.galley(at, galley, text_color);
        }
        if hovered.is_none() {
            // Away from the dots, say how to read the picture (on a dot, its label shows).
            resp.on_hover_text("Each dot is a word; nearby dots have similar vectors. Point at a dot to see its word.");
        }

        ui.horizontal_wrapped(|ui| {
            legend_swatch(ui, base, "a frequent word");
            legend_swatch(ui, sentence_color, "a word of your sentence");
            legend_swatch(ui, search_color, "the word you searched");
        });
        if !search.is_empty() && found.is_none() {
            ui.label(format!(
                "\"{search}\" is not among the {n} most frequent words."
            ));
        }
        if !missing.is_empty() {
            ui.label(format!(
                "Not among the {n} most frequent words: {}.",
                missing.join(", ")
            ));
        }
        ui.label(format!(
            "Two directions can show only part of a {}-number vector: together these two axes hold {:.0} % of the variation, so words far apart here are certainly different, but words close here may not be.",
            snap.dim,
            (snap.pca.explained[0] + snap.pca.explained[1]) * 100.0
        ));
    }
}
