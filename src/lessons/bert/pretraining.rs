//! Step "pretraining": pre-training watched. A copy of the built-in model trains on
//! for a few hundred updates on a worker (MLM + NSP on addresses from every era);
//! the loss and the masked-word accuracy are plotted as they come, and every few
//! updates the attention of a fixed sentence and the guesses for the learner's
//! blank are recomputed with the new weights, beside the shipped model's.

use std::sync::Arc;

use super::run_controls::{RunAction, run_controls};
use crate::job::{Job, JobState, Step};
use crate::model::bert::pretrained::PretrainedBert;
use crate::model::bert::trace::{Prediction, Trace};
use crate::model::bert::train::live::{LiveConfig, LiveEvent, LiveRun};
use crate::model::bert::weights::BertWeights;
use crate::model::bert::{ForwardOptions, forward};
use crate::model::text::corpus::Corpus;
use crate::widgets::Heatmap;
use crate::widgets::chart::{ChartSpec, ChartView, PALETTE, Series, SeriesKind};
use crate::widgets::colormap::Scale;

pub const DEFAULT_BLANK: &str = "The president asked Congress to cut [MASK] on working families.";
pub const WATCHED: &str = "the state of the union is strong";

/// One point of the curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub step: u64,
    pub loss: f64,
    pub mlm_top1: f64,
}

/// What the views draw from the latest weights.
pub struct Snapshot {
    pub step: u64,
    pub weights: Arc<BertWeights>,
    pub watched: Result<Trace, String>,
    /// The guesses for `blank` with these weights.
    pub blank: String,
    pub guesses: Vec<Prediction>,
}

pub struct State {
    pub config: LiveConfig,
    job: Option<Job<LiveEvent>>,
    pub curve: Vec<Point>,
    pub of: u64,
    pub tokens: Option<usize>,
    pub snapshot: Option<Snapshot>,
    pub error: Option<String>,
    pub finished: bool,
    pub blank: String,
    pub layer: usize,
    pub head: usize,
    /// The shipped model's guesses for `blank`, keyed by the text.
    before: Option<(String, Vec<Prediction>)>,
    charts: [ChartView; 2],
    shipped_charts: [ChartView; 3],
}

impl Default for State {
    fn default() -> Self {
        Self {
            config: LiveConfig::default(),
            job: None,
            curve: Vec::new(),
            of: 0,
            tokens: None,
            snapshot: None,
            error: None,
            finished: false,
            blank: DEFAULT_BLANK.to_owned(),
            layer: 0,
            head: 0,
            before: None,
            charts: Default::default(),
            shipped_charts: Default::default(),
        }
    }
}

fn guesses(weights: &BertWeights, bert: &PretrainedBert, text: &str) -> Vec<Prediction> {
    let input = bert.fit(bert.model.encode(text, None));
    let Some(at) = input.tokens.iter().position(|t| t == "[MASK]") else {
        return Vec::new();
    };
    let opts = ForwardOptions {
        top_k: 5,
        ..ForwardOptions::default()
    };
    forward(weights, &input, &opts)
        .ok()
        .map(|t| PretrainedBert::guesses(&t, at).to_vec())
        .unwrap_or_default()
}

impl State {
    pub fn running(&self) -> bool {
        self.job.is_some()
    }

    /// Starts a run on a copy of `bert` (the previous curve is cleared).
    pub fn start(&mut self, bert: &Arc<PretrainedBert>, repaint: Option<&egui::Context>) {
        let bert = bert.clone();
        let config = self.config.clone();
        self.curve.clear();
        self.snapshot = None;
        self.error = None;
        self.finished = false;
        self.tokens = None;
        self.of = config.updates;
        // One update a step: in the browser the page draws between updates.
        let mut run: Option<LiveRun> = None;
        self.job = Some(Job::steps("bert-pretraining", repaint, move |r| {
            let mut send = |e| r.send(e);
            if let Some(live) = &mut run {
                return if live.step(&mut send) {
                    Step::More
                } else {
                    Step::Done
                };
            }
            match LiveRun::start(&bert, Corpus::builtin(), &config, &mut send) {
                Ok(Some(live)) => {
                    run = Some(live);
                    Step::More
                }
                Ok(None) => Step::Done,
                Err(e) => {
                    send(LiveEvent::Failed(e));
                    Step::Done
                }
            }
        }));
    }

    pub fn stop(&mut self) {
        if let Some(job) = &self.job {
            job.cancel();
        }
        self.job = None;
    }

    /// Drains the worker's events (every frame, shown or not).
    pub fn poll(&mut self, bert: Option<&PretrainedBert>) {
        let Some(job) = &self.job else {
            return;
        };
        let mut latest: Option<(u64, Arc<BertWeights>)> = None;
        loop {
            match job.poll() {
                JobState::Running => break,
                JobState::Died => {
                    if !self.finished && self.error.is_none() {
                        self.error = Some(
                            job.failure()
                                .unwrap_or("the training run stopped")
                                .to_owned(),
                        );
                    }
                    self.job = None;
                    break;
                }
                JobState::Done(event) => match event {
                    LiveEvent::Preparing { tokens } => self.tokens = Some(tokens),
                    LiveEvent::Update {
                        step,
                        of,
                        loss,
                        mlm_top1,
                    } => {
                        self.of = of;
                        self.curve.push(Point {
                            step,
                            loss,
                            mlm_top1,
                        });
                    }
                    LiveEvent::Snapshot { step, weights } => latest = Some((step, weights)),
                    LiveEvent::Failed(e) => self.error = Some(e),
                    LiveEvent::Done => self.finished = true,
                },
            }
        }
        if let (Some((step, weights)), Some(bert)) = (latest, bert) {
            self.snapshot = Some(self.snapshot_of(step, weights, bert));
        }
    }

    fn snapshot_of(&self, step: u64, weights: Arc<BertWeights>, bert: &PretrainedBert) -> Snapshot {
        let input = bert.fit(bert.model.encode(WATCHED, None));
        let watched =
            forward(&weights, &input, &ForwardOptions::default()).map_err(|e| e.to_string());
        let guesses = guesses(&weights, bert, &self.blank);
        Snapshot {
            step,
            weights,
            watched,
            blank: self.blank.clone(),
            guesses,
        }
    }
}

pub fn show(ui: &mut egui::Ui, state: &mut State, bert: &Arc<PretrainedBert>) {
    state.poll(Some(bert));
    egui::CollapsingHeader::new("How the built-in model was pre-trained")
        .default_open(true)
        .show(ui, |ui| {
            super::shipped_log::show(ui, &mut state.shipped_charts)
        });
    ui.separator();
    let action = run_controls(
        ui,
        state.running(),
        "▶ Continue training",
        "Train a copy of the built-in model on for a few hundred updates (the shipped model is not changed)",
        &mut state.config.updates,
        &mut state.config.lr,
    );
    match action {
        RunAction::Start => state.start(bert, Some(ui.ctx())),
        RunAction::Stop => state.stop(),
        RunAction::Nothing => {}
    }
    if let Some(e) = &state.error {
        ui.colored_label(ui.visuals().warn_fg_color, e);
    }
    let done = state.curve.last().map_or(0, |p| p.step);
    if state.running() || done > 0 {
        let fraction = done as f32 / state.of.max(1) as f32;
        let text = match (state.tokens, done) {
            (None, _) => "tokenising the addresses…".to_owned(),
            (Some(t), 0) => format!("{t} tokens ready; first update…"),
            (Some(t), d) => format!("update {d} of {} on {t} tokens", state.of),
        };
        ui.add(egui::ProgressBar::new(fraction).text(text));
        if state.running() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
    }
    if !state.curve.is_empty() {
        curves(ui, &mut state.charts, &state.curve);
    }
    ui.separator();
    ui.horizontal(|ui| {
        ui.label("Blank to watch:");
        ui.add(
            egui::TextEdit::singleline(&mut state.blank)
                .char_limit(300)
                .desired_width(360.0),
        );
    });
    if state.before.as_ref().map(|(t, _)| t) != Some(&state.blank) {
        let g = guesses(&bert.model.weights, bert, &state.blank);
        state.before = Some((state.blank.clone(), g));
    }
    if let Some(s) = &mut state.snapshot
        && s.blank != state.blank
    {
        s.guesses = guesses(&s.weights, bert, &state.blank);
        s.blank = state.blank.clone();
    }
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.strong("The shipped model");
            if let Some((_, g)) = &state.before {
                super::encoder_only::guess_bars(ui, bert, g);
            }
        });
        ui.add_space(24.0);
        ui.vertical(|ui| match &state.snapshot {
            Some(s) => {
                ui.strong(format!("After update {}", s.step));
                super::encoder_only::guess_bars(ui, bert, &s.guesses);
            }
            None => {
                ui.weak("Press Continue training to see the guesses move.");
            }
        });
    });
    if let Some(s) = &state.snapshot {
        ui.separator();
        attention(ui, state.layer, state.head, s);
        let layers = s.weights.layers.len().max(1);
        let heads = s.weights.config.num_attention_heads.max(1);
        ui.horizontal(|ui| {
            let l = ui.label("layer");
            ui.add(
                egui::Slider::new(&mut state.layer, 0..=layers - 1)
                    .custom_formatter(|v, _| format!("{}", v as usize + 1)),
            )
            .labelled_by(l.id);
            let h = ui.label("head");
            ui.add(
                egui::Slider::new(&mut state.head, 0..=heads - 1)
                    .custom_formatter(|v, _| format!("{}", v as usize + 1)),
            )
            .labelled_by(h.id);
        });
    }
}

fn curves(ui: &mut egui::Ui, charts: &mut [ChartView; 2], curve: &[Point]) {
    let loss = ChartSpec {
        title: "Loss per update".to_owned(),
        x_label: "update".to_owned(),
        y_label: "MLM + NSP loss (nats)".to_owned(),
        log_y: false,
        series: vec![Series {
            name: "loss".to_owned(),
            points: curve.iter().map(|p| (p.step as f64, p.loss)).collect(),
            kind: SeriesKind::Line,
            color: PALETTE[0],
        }],
    };
    let acc = ChartSpec {
        title: "Masked words right (top-1)".to_owned(),
        x_label: "update".to_owned(),
        y_label: "% of the batch's masks".to_owned(),
        log_y: false,
        series: vec![Series {
            name: "MLM top-1".to_owned(),
            points: curve
                .iter()
                .map(|p| (p.step as f64, 100.0 * p.mlm_top1))
                .collect(),
            kind: SeriesKind::Line,
            color: PALETTE[2],
        }],
    };
    let width = ui.available_width().max(320.0);
    for (view, spec) in charts.iter_mut().zip([loss, acc]) {
        view.show(ui, &spec, egui::vec2(width, 150.0));
    }
}

fn attention(ui: &mut egui::Ui, layer: usize, head: usize, s: &Snapshot) {
    let trace = match &s.watched {
        Ok(t) => t,
        Err(e) => {
            ui.colored_label(ui.visuals().warn_fg_color, e);
            return;
        }
    };
    let Some(steps) = trace.layers.get(layer).and_then(|l| l.steps.as_ref()) else {
        return;
    };
    if head >= steps.weights.dim().0 {
        return;
    }
    let n = trace.tokens.len();
    let values: Vec<f32> = steps
        .weights
        .index_axis(ndarray::Axis(0), head)
        .iter()
        .copied()
        .collect();
    ui.strong(format!(
        "Attention of \"{WATCHED}\", layer {} head {}, after update {}",
        layer + 1,
        head + 1,
        s.step
    ));
    Heatmap::new("attention weights", &values, n, n)
        .labels(&trace.tokens, &trace.tokens)
        .scale(Scale::Probability)
        .max_cell(22.0)
        .unit("attention weight (row sums to 1)")
        .show(ui);
}
