//! Step "fine-tuning": a classification head on `[CLS]` trained, with the whole
//! model, to tell which century an address paragraph comes from. Runs on a worker;
//! the view plots batch and validation accuracy as they come and classifies the
//! learner's sentence with the latest weights.

use std::sync::Arc;

use super::run_controls::{RunAction, run_controls};
use crate::job::{Job, JobState, Step};
use crate::model::bert::pretrained::PretrainedBert;
use crate::model::bert::train::PretrainModel;
use crate::model::bert::train::finetune::{
    CENTURIES, Dataset, FineTuneConfig, FineTuner, accuracy, build_dataset, classify,
};
use crate::model::text::corpus::Corpus;
use crate::widgets::bar::value_bar;
use crate::widgets::chart::{ChartSpec, ChartView, PALETTE, Series, SeriesKind};

/// Updates between validation passes (and weight snapshots).
pub const EVERY: u64 = 25;
/// Validation paragraphs (from addresses never trained on).
pub const VALIDATION: usize = 120;

/// What the worker reports.
pub enum Event {
    Ready {
        train: usize,
        validation: usize,
    },
    Update {
        step: u64,
        loss: f64,
        batch_accuracy: f64,
    },
    Validated {
        step: u64,
        accuracy: f64,
        model: Arc<PretrainModel>,
    },
    Failed(String),
    Done,
}

pub struct State {
    pub config: FineTuneConfig,
    /// Paragraphs per address used (every n-th), to keep the dataset small.
    pub stride: usize,
    job: Option<Job<Event>>,
    pub sizes: Option<(usize, usize)>,
    pub batches: Vec<(u64, f64, f64)>,
    pub validation: Vec<(u64, f64)>,
    pub model: Option<(u64, Arc<PretrainModel>)>,
    pub error: Option<String>,
    pub finished: bool,
    chart: ChartView,
    /// The learner's sentence classified by `model`, keyed by sentence and step.
    verdict: Option<((String, u64), Vec<f32>)>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            config: FineTuneConfig::default(),
            stride: 3,
            job: None,
            sizes: None,
            batches: Vec::new(),
            validation: Vec::new(),
            model: None,
            error: None,
            finished: false,
            chart: ChartView::default(),
            verdict: None,
        }
    }
}

/// A fine-tuning run in progress, one update per [`Run::step`], so the browser can
/// draw frames between updates.
struct Run {
    data: Dataset,
    tuner: FineTuner,
    steps: u64,
}

impl Run {
    /// Builds the data set and the tuner and sends the first validation; `None` when
    /// nobody listens.
    fn start(
        bert: &PretrainedBert,
        config: FineTuneConfig,
        stride: usize,
        send: &dyn Fn(Event) -> bool,
    ) -> Result<Option<Run>, String> {
        let data = build_dataset(
            Corpus::builtin(),
            &bert.model.tokenizer,
            config.max_len.min(bert.max_tokens()),
            stride,
            VALIDATION,
        );
        let train: usize = data.train.iter().map(Vec::len).sum();
        if !send(Event::Ready {
            train,
            validation: data.validation.len(),
        }) {
            return Ok(None);
        }
        let steps = config.steps;
        let tuner = FineTuner::new(bert, CENTURIES.len(), config).map_err(|e| e.to_string())?;
        let run = Run { data, tuner, steps };
        Ok(send(run.validated()).then_some(run))
    }

    fn validated(&self) -> Event {
        Event::Validated {
            step: self.tuner.step,
            accuracy: accuracy(&self.tuner.model, &self.data.validation),
            model: Arc::new(self.tuner.model.clone()),
        }
    }

    /// One update and its events; false once done (`Done` sent) or nobody listens.
    fn step(&mut self, send: &dyn Fn(Event) -> bool) -> Result<bool, String> {
        if self.tuner.step >= self.steps {
            send(Event::Done);
            return Ok(false);
        }
        let (loss, batch_accuracy) = self
            .tuner
            .train_step(&self.data)
            .map_err(|e| e.to_string())?;
        let step = self.tuner.step;
        if !send(Event::Update {
            step,
            loss,
            batch_accuracy,
        }) {
            return Ok(false);
        }
        if step.is_multiple_of(EVERY) || step == self.steps {
            return Ok(send(self.validated()));
        }
        Ok(true)
    }
}

impl State {
    pub fn running(&self) -> bool {
        self.job.is_some()
    }

    pub fn start(&mut self, bert: &Arc<PretrainedBert>, repaint: Option<&egui::Context>) {
        let bert = bert.clone();
        let config = self.config.clone();
        let stride = self.stride;
        self.batches.clear();
        self.validation.clear();
        self.model = None;
        self.error = None;
        self.finished = false;
        self.sizes = None;
        // One update a step: in the browser the page draws between updates.
        let mut run: Option<Run> = None;
        let mut config = Some(config);
        self.job = Some(Job::steps("bert-fine-tuning", repaint, move |r| {
            let send = |e| r.send(e);
            let outcome = match (&mut run, config.take()) {
                (Some(run), _) => run.step(&send),
                (None, Some(config)) => Run::start(&bert, config, stride, &send)
                    .map(|started| started.map(|s| run = Some(s)).is_some()),
                (None, None) => Ok(false),
            };
            match outcome {
                Ok(true) => Step::More,
                Ok(false) => Step::Done,
                Err(e) => {
                    r.send(Event::Failed(e));
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

    /// Drains the worker (every frame, shown or not).
    pub fn poll(&mut self) {
        let Some(job) = &self.job else {
            return;
        };
        loop {
            match job.poll() {
                JobState::Running => break,
                JobState::Died => {
                    if !self.finished && self.error.is_none() {
                        self.error =
                            Some(job.failure().unwrap_or("fine-tuning stopped").to_owned());
                    }
                    self.job = None;
                    break;
                }
                JobState::Done(e) => match e {
                    Event::Ready { train, validation } => self.sizes = Some((train, validation)),
                    Event::Update {
                        step,
                        loss,
                        batch_accuracy,
                    } => self.batches.push((step, loss, batch_accuracy)),
                    Event::Validated {
                        step,
                        accuracy,
                        model,
                    } => {
                        self.validation.push((step, accuracy));
                        self.model = Some((step, model));
                    }
                    Event::Failed(e) => self.error = Some(e),
                    Event::Done => self.finished = true,
                },
            }
        }
    }
}

pub fn show(ui: &mut egui::Ui, state: &mut State, bert: &Arc<PretrainedBert>, sentence: &str) {
    state.poll();
    let action = run_controls(
        ui,
        state.running(),
        "▶ Fine-tune",
        "Train a century classifier on [CLS], the whole model with it, on a copy of the built-in model",
        &mut state.config.steps,
        &mut state.config.lr,
    );
    match action {
        RunAction::Start => state.start(bert, Some(ui.ctx())),
        RunAction::Stop => state.stop(),
        RunAction::Nothing => {}
    }
    ui.label(format!(
        "Task: which century is a paragraph from? Classes: {}.",
        CENTURIES.join(", ")
    ));
    if let Some(e) = &state.error {
        ui.colored_label(ui.visuals().warn_fg_color, e);
    }
    let done = state.batches.last().map_or(0, |b| b.0);
    if state.running() || done > 0 {
        let text = match state.sizes {
            None => "labelling paragraphs…".to_owned(),
            Some((t, v)) => format!(
                "update {done} of {}; {t} training paragraphs, {v} held out",
                state.config.steps
            ),
        };
        ui.add(egui::ProgressBar::new(done as f32 / state.config.steps.max(1) as f32).text(text));
    }
    if !state.batches.is_empty() || !state.validation.is_empty() {
        let spec = ChartSpec {
            title: "Fine-tuning accuracy".to_owned(),
            x_label: "update".to_owned(),
            y_label: "accuracy (%)".to_owned(),
            log_y: false,
            series: vec![
                Series {
                    name: "batch (16 paragraphs)".to_owned(),
                    points: state
                        .batches
                        .iter()
                        .map(|&(s, _, a)| (s as f64, 100.0 * a))
                        .collect(),
                    kind: SeriesKind::Line,
                    color: PALETTE[0],
                },
                Series {
                    name: "held-out addresses".to_owned(),
                    points: state
                        .validation
                        .iter()
                        .map(|&(s, a)| (s as f64, 100.0 * a))
                        .collect(),
                    kind: SeriesKind::Line,
                    color: PALETTE[1],
                },
                Series {
                    name: "chance (25 %)".to_owned(),
                    points: vec![(0.0, 25.0), (state.config.steps as f64, 25.0)],
                    kind: SeriesKind::Line,
                    color: [128, 128, 128],
                },
            ],
        };
        let width = ui.available_width().max(320.0);
        state.chart.show(ui, &spec, egui::vec2(width, 200.0));
    }
    if let Some((&(step, acc), _)) = state.validation.last().zip(state.model.as_ref()) {
        ui.label(format!(
            "Held-out accuracy after {step} updates: {:.0} % (chance: 25 %).",
            100.0 * acc
        ));
    }
    let Some((step, model)) = &state.model else {
        ui.weak("Press Fine-tune: your sentence is classified once the head has trained.");
        return;
    };
    let key = (sentence.to_owned(), *step);
    if state.verdict.as_ref().map(|(k, _)| k) != Some(&key) {
        let input = bert.fit(bert.model.encode(sentence, None));
        state.verdict = Some((key, classify(model, &input.ids)));
    }
    if let Some((_, probs)) = &state.verdict {
        ui.strong(format!("Your sentence, after {step} updates"));
        egui::Grid::new("bert-finetune-verdict")
            .num_columns(3)
            .show(ui, |ui| {
                for (name, &p) in CENTURIES.iter().zip(probs) {
                    ui.label(*name);
                    value_bar(
                        ui,
                        p,
                        egui::vec2(200.0, 12.0),
                        egui::Color32::from_rgb(31, 119, 180),
                        None,
                        format!("P({name}) = {p:.4}"),
                    );
                    ui.label(format!("{:.1} %", 100.0 * p));
                    ui.end_row();
                }
            });
    }
}
