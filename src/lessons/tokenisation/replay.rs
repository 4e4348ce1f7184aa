//! BPE replay: train BPE on the corpus (or the learner's own text) in the background
//! ([`super::replay_run`]), recording the most frequent pairs before every merge, then
//! step through the merges one at a time and watch the learner's sentence re-segment.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use egui::{Color32, RichText};

use super::replay_run::replay_job;
pub use super::replay_run::train_replay;
use super::rows::{MAX_CHIPS, chips_from_encoding};
use super::training::TrainSource;
use crate::job::{Job, JobState};
use crate::lessons::cache_key::ArcKey;
use crate::model::tokenize::TokenizeError;
use crate::model::tokenize::bpe_toy;
use crate::model::tokenize::bpe_train::{BpeConfig, BpeModel, TieBreak};
use crate::widgets::chart::{ChartSpec, ChartView, PALETTE, Series, SeriesKind};
use crate::widgets::token_strip;

/// Pairs recorded before each merge.
pub const TOP_PAIRS: usize = 8;

/// A finished training run, ready to replay.
pub struct Replay {
    pub model: BpeModel,
    /// `top[k]`: the most frequent pairs (as display strings) just before merge `k`.
    pub top: Vec<Vec<(String, String, u64)>>,
    pub corpus_name: String,
    pub seconds: f64,
    /// The tie rule the merges were chosen with.
    pub tie_break: TieBreak,
}

impl Replay {
    /// A token for display: byte-level tokens in GPT-2's visible characters.
    pub fn token(&self, id: u32) -> String {
        self.model.token_string(id)
    }
}

/// Token counts of the sentence against merges, for one (sentence, run) pair.
type Curve = (String, ArcKey<Replay>, Vec<(f64, f64)>);

struct Running {
    job: Job<Result<Replay, TokenizeError>>,
    cancel: Arc<AtomicBool>,
    progress: Arc<Mutex<f32>>,
}

/// State of the replay view.
pub struct ReplayView {
    pub source: TrainSource,
    pub byte_level: bool,
    pub vocab_size: usize,
    /// How ties between equally frequent pairs are broken (the course's preset reads
    /// them in corpus order).
    pub tie_break: TieBreak,
    running: Option<Running>,
    pub replay: Option<Arc<Replay>>,
    pub error: Option<String>,
    /// Merges applied in the replay (0 = base symbols only).
    pub step: usize,
    pub playing: bool,
    started: bool,
    curve: Option<Curve>,
    chart: ChartView,
    /// The context to wake from a run's steps, once a frame has passed it.
    ctx: Option<egui::Context>,
}

impl Default for ReplayView {
    fn default() -> Self {
        Self {
            source: TrainSource::Builtin,
            byte_level: false,
            vocab_size: 1000,
            tie_break: TieBreak::SmallerIds,
            running: None,
            replay: None,
            error: None,
            step: 0,
            playing: false,
            started: false,
            curve: None,
            chart: ChartView::default(),
            ctx: None,
        }
    }
}

impl ReplayView {
    pub fn is_training(&self) -> bool {
        self.running.is_some()
    }

    /// Starts training; a run in progress is cancelled first.
    pub fn train(&mut self) {
        if let Some(r) = &self.running {
            r.cancel.store(true, Ordering::Relaxed);
        }
        let cancel = Arc::new(AtomicBool::new(false));
        let progress = Arc::new(Mutex::new(0.0f32));
        let config = BpeConfig {
            vocab_size: self.vocab_size,
            byte_level: self.byte_level,
            special_tokens: Vec::new(),
            min_pair_count: 2,
        };
        let (source, tie_break) = (self.source.clone(), self.tie_break);
        let job = replay_job(
            self.ctx.as_ref(),
            source,
            config,
            tie_break,
            &cancel,
            &progress,
        );
        self.error = None;
        self.running = Some(Running {
            job,
            cancel,
            progress,
        });
    }

    /// Collects a finished run and advances a playing replay.
    pub fn poll(&mut self, ctx: &egui::Context) {
        if self.ctx.is_none() {
            self.ctx = Some(ctx.clone());
        }
        if let Some(run) = &self.running {
            match run.job.poll() {
                JobState::Running => ctx.request_repaint_after(Duration::from_millis(50)),
                JobState::Done(result) => {
                    match result {
                        Ok(r) => {
                            self.step = self.step.min(r.top.len());
                            self.replay = Some(Arc::new(r));
                            self.curve = None;
                        }
                        Err(TokenizeError::Cancelled) => {}
                        Err(e) => self.error = Some(e.to_string()),
                    }
                    self.running = None;
                }
                JobState::Died => {
                    self.error = Some("the training thread stopped".to_owned());
                    self.running = None;
                }
            }
        }
        if self.playing {
            let n = self.replay.as_ref().map_or(0, |r| r.top.len());
            if self.step < n {
                self.step += 1;
                ctx.request_repaint_after(Duration::from_millis(150));
            } else {
                self.playing = false;
            }
        }
    }

    /// `reproducible` leaves out the measured training time (snapshot tests).
    pub fn show(&mut self, ui: &mut egui::Ui, sentence: &str, show_ws: bool, reproducible: bool) {
        // The first visit trains with the defaults, so there is something to replay.
        if self.replay.is_none() && self.running.is_none() && self.error.is_none() && !self.started
        {
            self.started = true;
            self.train();
        }
        self.poll(ui.ctx());
        self.controls(ui);
        let Some(replay) = self.replay.clone() else {
            if self.running.is_none() && self.error.is_none() {
                ui.label("Press Train to learn merges; then step through them here.");
            }
            return;
        };
        let n = replay.top.len();
        ui.separator();
        let time = if reproducible {
            String::new()
        } else {
            format!(" in {:.1} s", replay.seconds)
        };
        ui.label(
            RichText::new(format!(
                "{n} merges learned from {}{time}.",
                replay.corpus_name
            ))
            .weak(),
        );
        ui.horizontal(|ui| {
            if ui
                .button("⏮")
                .on_hover_text("Back to the bare symbols")
                .clicked()
            {
                self.step = 0;
            }
            super::replay::undo_redo(ui, &mut self.step, n);
            if ui.button("⏭").on_hover_text("Apply every merge").clicked() {
                self.step = n;
            }
            let play = if self.playing { "Pause" } else { "Play" };
            if ui
                .button(play)
                .on_hover_text("Apply merges one after another, about seven a second")
                .clicked()
            {
                self.playing = !self.playing && self.step < n;
            }
            ui.add(egui::Slider::new(&mut self.step, 0..=n).text("merges applied"));
        });

        ui.columns(2, |cols| {
            let ui = &mut cols[0];
            if self.step < n {
                let m = &replay.model.merges()[self.step];
                ui.label(
                    RichText::new(format!(
                        "Next merge ({} of {n}): {:?} + {:?} → {:?}",
                        self.step + 1,
                        replay.token(m.pair.0),
                        replay.token(m.pair.1),
                        replay.token(m.new_id)
                    ))
                    .strong(),
                );
                ui.label(format!(
                    "The most frequent pairs right now (the top one wins, seen {} times):",
                    m.count
                ));
                let tied = replay.top[self.step]
                    .iter()
                    .filter(|p| p.2 == m.count)
                    .count();
                if tied > 1 {
                    ui.label(
                        RichText::new(format!(
                            "{tied} pairs tie at {}: {}.",
                            m.count,
                            match replay.tie_break {
                                TieBreak::FirstSeen => "the one read first in the text wins",
                                TieBreak::SmallerIds => "the alphabetically first wins",
                            }
                        ))
                        .color(ui.visuals().warn_fg_color),
                    );
                }
                egui::Grid::new("bpe-pair-counts")
                    .striped(true)
                    .num_columns(3)
                    .show(ui, |ui| {
                        ui.strong("left");
                        ui.strong("right");
                        ui.strong("count");
                        ui.end_row();
                        for (i, (a, b, c)) in replay.top[self.step].iter().enumerate() {
                            let color = if i == 0 {
                                ui.visuals().strong_text_color()
                            } else {
                                ui.visuals().text_color()
                            };
                            ui.label(RichText::new(format!("{a:?}")).monospace().color(color));
                            ui.label(RichText::new(format!("{b:?}")).monospace().color(color));
                            ui.label(RichText::new(c.to_string()).color(color));
                            ui.end_row();
                        }
                    });
            } else {
                ui.label(RichText::new("All merges applied.").strong());
            }
            let ui = &mut cols[1];
            let recent = &replay.model.merges()[self.step.saturating_sub(8)..self.step];
            if recent.is_empty() {
                ui.label("No merges applied yet: your sentence is in single symbols.");
            } else {
                ui.label("Latest merges applied:");
                for m in recent.iter().rev() {
                    ui.monospace(format!(
                        "{:?} + {:?} → {:?}",
                        replay.token(m.pair.0),
                        replay.token(m.pair.1),
                        replay.token(m.new_id)
                    ));
                }
            }
        });

        ui.add_space(6.0);
        match replay.model.encode_with_merges(sentence, self.step, false) {
            Ok(enc) => {
                ui.label(
                    RichText::new(format!(
                        "Your sentence after {} merges: {} tokens",
                        self.step,
                        enc.len()
                    ))
                    .strong(),
                );
                let newest = self
                    .step
                    .checked_sub(1)
                    .map(|k| replay.model.merges()[k].new_id);
                let mut chips = chips_from_encoding(sentence, &enc);
                chips.truncate(MAX_CHIPS);
                for c in &mut chips {
                    if c.id.is_some() && c.id == newest {
                        c.detail.push_str("\nmade by the latest merge");
                    }
                }
                token_strip(ui, &chips, show_ws);
                if let Some(id) = newest {
                    let uses = enc.ids.iter().filter(|&&i| i == id).count();
                    if uses > 0 {
                        ui.colored_label(
                            Color32::from_rgb(200, 140, 0),
                            format!("The latest merge appears {uses} time(s) in your sentence."),
                        );
                    }
                }
            }
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e.to_string());
            }
        }
        ui.add_space(6.0);
        self.curve_chart(ui, &replay, sentence);
    }

    /// The course's toy corpus, its target vocabulary and its tie rule, trained at once.
    pub fn load_course_preset(&mut self) {
        self.source = TrainSource::Own(bpe_toy::text());
        self.byte_level = false;
        // The character-level trainer adds [UNK] to the course's 21 symbols.
        self.vocab_size = bpe_toy::TARGET_SYMBOLS + 1;
        self.tie_break = TieBreak::FirstSeen;
        self.step = 0;
        self.train();
    }

    fn controls(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            if ui
                .button("Course toy corpus")
                .on_hover_text(
                    "cat ×5, cats ×2, eat ×10, eating ×3, running ×2, jumping ×1, food ×6; \
                     21 symbols (+ [UNK]); ties go to the pair read first",
                )
                .clicked()
            {
                self.load_course_preset();
            }
            let mut first = self.tie_break == TieBreak::FirstSeen;
            if ui
                .checkbox(&mut first, "ties: first seen")
                .on_hover_text(
                    "Among equally frequent pairs, merge the one met first reading the text in \
                     order (as the course's Python does); off: the alphabetically first",
                )
                .changed()
            {
                self.tie_break = if first {
                    TieBreak::FirstSeen
                } else {
                    TieBreak::SmallerIds
                };
            }
            self.source.radios(ui);
            ui.checkbox(&mut self.byte_level, "byte-level (GPT-2 style)")
                .on_hover_text("Start from the 256 bytes instead of characters, and keep spaces at the start of words (shown as Ġ), as GPT-2 does");
            ui.label("target vocabulary");
            ui.add(egui::DragValue::new(&mut self.vocab_size).range(10..=8000).speed(20))
                .on_hover_text("Base symbols + merges: training stops when the vocabulary reaches this size");
            let running = self.running.is_some();
            if ui.add_enabled(!running, egui::Button::new("Train")).clicked() {
                self.train();
            }
            if running && ui.button("Cancel").clicked()
                && let Some(r) = &self.running
            {
                r.cancel.store(true, Ordering::Relaxed);
            }
        });
        self.source
            .text_box(ui, "Paste the text to learn merges from");
        if let Some(run) = &self.running {
            let f = *run.progress.lock().unwrap_or_else(|e| e.into_inner());
            ui.add(
                egui::ProgressBar::new(f)
                    .show_percentage()
                    .text(format!("learning merges… {:.0} %", f * 100.0)),
            );
        }
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, format!("Training failed: {e}"));
        }
    }

    /// Tokens in the sentence against merges applied, sampled at about 100 points
    /// (cached per sentence and run).
    fn curve_chart(&mut self, ui: &mut egui::Ui, replay: &Arc<Replay>, sentence: &str) {
        let n = replay.top.len();
        let key = ArcKey::of(replay);
        let stale = !matches!(&self.curve, Some((s, k, _)) if s == sentence && *k == key);
        if stale {
            let stride = (n / 100).max(1);
            let points: Vec<(f64, f64)> = (0..=n)
                .step_by(stride)
                .chain(std::iter::once(n))
                .filter_map(|k| {
                    replay
                        .model
                        .encode_with_merges(sentence, k, false)
                        .ok()
                        .map(|e| (k as f64, e.len() as f64))
                })
                .collect();
            self.curve = Some((sentence.to_owned(), key, points));
        }
        let Some((_, _, points)) = &self.curve else {
            return;
        };
        let now = replay
            .model
            .encode_with_merges(sentence, self.step, false)
            .map(|e| e.len() as f64)
            .unwrap_or(0.0);
        let spec = ChartSpec {
            title: "Your sentence gets shorter".to_owned(),
            x_label: "merges applied".to_owned(),
            y_label: "tokens".to_owned(),
            log_y: false,
            series: vec![
                Series {
                    name: "tokens".to_owned(),
                    points: points.clone(),
                    kind: SeriesKind::Line,
                    color: PALETTE[0],
                },
                Series {
                    name: "now".to_owned(),
                    points: vec![(self.step as f64, now)],
                    kind: SeriesKind::Scatter,
                    color: PALETTE[1],
                },
            ],
        };
        let w = ui.available_width().clamp(300.0, 640.0);
        self.chart
            .show(ui, &spec, egui::vec2(w, 180.0))
            .on_hover_text("How many tokens your sentence needs after each number of merges: every merge can only shorten it.");
    }
}

/// ◀ and ▶ of a merge replay: one merge back or on, within `0..=n`.
pub fn undo_redo(ui: &mut egui::Ui, step: &mut usize, n: usize) {
    if ui.button("◀").on_hover_text("Undo one merge").clicked() {
        *step = step.saturating_sub(1);
    }
    if ui
        .button("▶")
        .on_hover_text("Apply the next merge")
        .clicked()
    {
        *step = (*step + 1).min(n);
    }
}
