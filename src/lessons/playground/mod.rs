//! The Transformer playground: a real model's forward pass on the learner's sentence,
//! stage by stage, from the [`Trace`] a worker thread computes.
//!
//! Views, one file each: the model and its input with an overview diagram, the stages
//! of the forward pass, attention across layers and heads, hidden states, predictions,
//! and ablation.

pub mod ablation;
pub mod attention;
pub mod diagram;
pub mod focus;
pub mod hidden;
pub mod neuron;
pub mod predictions;
pub mod runner;
pub mod stages;
pub mod view;

pub use view::View;

use std::sync::Arc;

use egui::RichText;

use super::{Lesson, LessonContext, LessonId, shared_views};
use crate::compute::Engine;
use crate::model::bert::Ablation;
use crate::model::bert::trace::Trace;
use crate::widgets::heatmap::HeatmapResponse;
use crate::widgets::{Heatmap, Scale};

/// The second sentence of the default pair: "bank" in another sense.
pub const DEFAULT_PAIR: &str = "We sat on the bank and started fishing.";

/// The lesson and everything the learner changed in it, kept while the app runs.
pub struct Playground {
    pub runner: runner::Runner,
    pub use_pair: bool,
    pub pair: String,
    pub layer: usize,
    pub head: usize,
    /// Set once the learner picks a layer or head; until then the view opens on the
    /// most focused head of each new trace ([`focus::most_focused_head`]).
    pub picked: bool,
    /// The automatic pick: the trace it was made for, layer, head, mean entropy (bits).
    auto: Option<(crate::lessons::cache_key::ArcKey<Trace>, usize, usize, f64)>,
    pub ablation: Ablation,
    pub attention: attention::AttentionView,
    pub hidden: hidden::HiddenView,
    pub predictions: predictions::PredictionsView,
    /// The query–key pair worked out under the scores and weights (the last cell hovered).
    pub neuron: Option<(usize, usize)>,
}

impl Default for Playground {
    fn default() -> Self {
        Self {
            runner: runner::Runner::default(),
            use_pair: true,
            pair: DEFAULT_PAIR.to_owned(),
            layer: 0,
            head: 0,
            picked: false,
            auto: None,
            ablation: Ablation::default(),
            attention: attention::AttentionView::default(),
            hidden: hidden::HiddenView::default(),
            predictions: predictions::PredictionsView::default(),
            neuron: None,
        }
    }
}

impl Playground {
    /// Runs the model on the current input when it changed (debounced).
    pub fn update(&mut self, ctx: &egui::Context, engine: &Arc<Engine>, sentence: &str) {
        let pair = self.use_pair.then_some(self.pair.as_str());
        self.runner
            .update(ctx, engine, sentence, pair, &self.ablation);
    }

    /// The trace on screen, if any.
    pub fn trace(&self) -> Option<Arc<Trace>> {
        self.runner.last.as_ref().map(|r| r.trace.clone())
    }

    /// Shows `layer` and `head` as if the learner had picked them (a click elsewhere
    /// asked for this head).
    pub fn show_head(&mut self, layer: usize, head: usize) {
        self.layer = layer;
        self.head = head;
        self.picked = true;
        self.clamp_selection();
    }

    /// Keeps the selected layer and head inside the model.
    fn clamp_selection(&mut self) {
        if let Some(m) = &self.runner.model {
            self.layer = self
                .layer
                .min(m.model.config.num_hidden_layers.saturating_sub(1));
            self.head = self
                .head
                .min(m.model.config.num_attention_heads.saturating_sub(1));
        }
    }

    /// `[` `]` change layer, `,` `.` change head, when no text box has the keyboard.
    fn keys(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let (layers, heads) = match &self.runner.model {
            Some(m) => (
                m.model.config.num_hidden_layers,
                m.model.config.num_attention_heads,
            ),
            None => return,
        };
        ctx.input(|i| {
            for e in &i.events {
                if let egui::Event::Text(t) = e {
                    if matches!(t.as_str(), "[" | "]" | "," | ".") {
                        self.picked = true;
                    }
                    match t.as_str() {
                        "[" => self.layer = self.layer.saturating_sub(1),
                        "]" => self.layer = (self.layer + 1).min(layers.saturating_sub(1)),
                        "," => self.head = self.head.saturating_sub(1),
                        "." => self.head = (self.head + 1).min(heads.saturating_sub(1)),
                        _ => {}
                    }
                }
            }
        });
    }

    /// Layer and head pickers.
    pub fn layer_head_picker(&mut self, ui: &mut egui::Ui, with_head: bool) {
        let Some(m) = &self.runner.model else { return };
        let (layers, heads) = (
            m.model.config.num_hidden_layers,
            m.model.config.num_attention_heads,
        );
        ui.horizontal(|ui| {
            ui.label("layer");
            ui.add(egui::Slider::new(
                &mut self.layer,
                0..=layers.saturating_sub(1),
            ))
            .on_hover_text("Which encoder layer (keys [ and ])");
            if with_head {
                ui.label("head");
                ui.add(egui::Slider::new(
                    &mut self.head,
                    0..=heads.saturating_sub(1),
                ))
                .on_hover_text("Which attention head (keys , and .)");
            }
        });
        if let Some((_, l, h, e)) = &self.auto
            && !self.picked
            && (*l, *h) == (self.layer, self.head)
        {
            ui.label(format!(
                "Opened on layer {} head {}: of all {} heads, its rows are the most focused for this input (lowest mean entropy, {e:.2} bits). Pick any other with the sliders.",
                self.layer,
                self.head,
                layers * heads
            ));
        }
    }
}

/// The line above every view: model, tokens, time, backend, notices.
fn status(ui: &mut egui::Ui, st: &Playground, cx: &LessonContext<'_>) {
    runner_status(ui, &st.runner, cx);
    crate::widgets::export::notice(ui);
}

/// A runner's model, tokens, time and backend, its spinner, notes and errors: the line
/// above the playground's views and at the top of the live model panel.
pub fn runner_status(ui: &mut egui::Ui, runner: &runner::Runner, cx: &LessonContext<'_>) {
    ui.horizontal_wrapped(|ui| {
        match &runner.model {
            Some(m) => {
                // Truncated: a long folder name must not widen a narrow panel.
                ui.add(egui::Label::new(RichText::new(&m.name).strong()).truncate())
                    .on_hover_text(format!(
                        "{} layers, hidden size {}, {} heads, {} parameters",
                        m.model.config.num_hidden_layers,
                        m.model.config.hidden_size,
                        m.model.config.num_attention_heads,
                        m.model.config.parameter_count()
                    ));
            }
            None if runner.model_error.is_none() => {
                ui.spinner();
                ui.label("loading the model…");
            }
            None => {}
        }
        if let Some(r) = &runner.last {
            let time = if cx.reproducible {
                String::new()
            } else {
                format!("{:.1} ms ", r.millis)
            };
            ui.label(format!(
                "· {} tokens · {time}on {}",
                r.trace.len(),
                r.ran.label()
            ))
            .on_hover_text(format!(
                "The forward pass runs on a worker thread, so the window never waits. The GPU and the CPU compute the same numbers (to 1e-4). Compute: {}",
                cx.backend.label()
            ));
            if let Some(note) = &r.note {
                ui.colored_label(ui.visuals().warn_fg_color, note);
            }
        }
        if runner.busy() && runner.model.is_some() {
            ui.spinner();
        }
    });
    if let Some(r) = &runner.last
        && let Some((before, kept)) = r.truncated
    {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("Your input is {before} tokens; this model reads at most {kept}, so the rest was cut."),
        );
    }
    if let Some(e) = &runner.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    if let Some(e) = &runner.model_error {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("Could not open the model: {e}"),
        );
    }
}

/// A heatmap of a matrix with its shape in the title and a right-click export menu.
#[allow(clippy::too_many_arguments)]
pub fn matrix(
    ui: &mut egui::Ui,
    title: &str,
    values: &[f32],
    rows: usize,
    cols: usize,
    row_labels: &[String],
    col_labels: &[String],
    scale: Scale,
    unit: &str,
) -> HeatmapResponse {
    ui.label(RichText::new(format!("{title} {}", shared_views::shape(rows, cols))).strong());
    matrix_body(
        ui, title, values, rows, cols, row_labels, col_labels, scale, unit,
    )
}

/// [`matrix`] without its title line (for callers that write their own).
#[allow(clippy::too_many_arguments)]
pub fn matrix_body(
    ui: &mut egui::Ui,
    title: &str,
    values: &[f32],
    rows: usize,
    cols: usize,
    row_labels: &[String],
    col_labels: &[String],
    scale: Scale,
    unit: &str,
) -> HeatmapResponse {
    // Every playground matrix has a row per token: a click pins it across the steps.
    Heatmap::new(title, values, rows, cols)
        .labels(row_labels, col_labels)
        .scale(scale)
        .unit(unit)
        .pin_rows(true)
        .token_window(egui::Id::unique("playground-token-window"))
        .exportable(true)
        .show(ui)
}

/// Labels `"0 [CLS]"`, `"1 i"`, …: position and token, so repeated words stay apart.
pub fn token_labels(trace: &Trace) -> Vec<String> {
    trace
        .tokens
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{i} {t}"))
        .collect()
}

/// Column labels `0, 1, …, n-1` for dimensions.
pub fn dim_labels(n: usize) -> Vec<String> {
    (0..n).map(|d| d.to_string()).collect()
}

impl Lesson for Playground {
    const ID: LessonId = LessonId::Playground;
    type View = View;

    fn show(&mut self, ui: &mut egui::Ui, view: View, cx: &LessonContext<'_>) {
        let start = (self.layer, self.head);
        self.keys(ui.ctx());
        if (self.layer, self.head) != start {
            self.picked = true;
        }
        self.clamp_selection();
        if view == View::Overview {
            diagram::overview(ui, self, cx);
        }
        if shared_views::empty_sentence_notice(ui, cx.sentence) {
            return;
        }
        self.update(ui.ctx(), cx.engine, cx.sentence);
        status(ui, self, cx);
        let Some(trace) = self.trace() else {
            return;
        };
        self.auto_pick(&trace);
        let chosen = (self.layer, self.head);
        self.show_view(ui, view, cx, &trace);
        if (self.layer, self.head) != chosen {
            self.picked = true;
        }
    }
}

impl Playground {
    /// Opens each new trace on its most focused head until the learner picks one.
    fn auto_pick(&mut self, trace: &Arc<Trace>) {
        let key = crate::lessons::cache_key::ArcKey::of(trace);
        if self.picked || self.auto.as_ref().is_some_and(|(k, ..)| *k == key) {
            return;
        }
        if let Some((l, h, e)) = focus::most_focused_head(trace) {
            self.layer = l;
            self.head = h;
            self.auto = Some((key, l, h, e));
        }
    }

    /// The view of `view` for `trace`, below the status line.
    fn show_view(
        &mut self,
        ui: &mut egui::Ui,
        view: View,
        cx: &LessonContext<'_>,
        trace: &Arc<Trace>,
    ) {
        let trace = trace.clone();
        if view != View::Overview {
            egui::CollapsingHeader::new("Where this is in the model")
                .id_salt("playground-diagram")
                .show(ui, |ui| diagram::diagram(ui, self, view, cx));
        }
        ui.separator();
        if !matches!(view, View::Overview | View::Predictions | View::Ablation) {
            let hint = match crate::widgets::heatmap::pinned_row(ui.ctx())
                .and_then(|r| trace.tokens.get(r).map(|t| (r, t)))
            {
                Some((r, t)) => format!(
                    "Token {r} '{t}' is pinned: its row is outlined in every matrix. Click it again to let go."
                ),
                None => "Click a row of any matrix to pin that token in every step (and in the live model panel).".to_owned(),
            };
            ui.label(RichText::new(hint).weak().small());
        }
        match view {
            View::Overview => stages::tokens(ui, &trace),
            View::Embeddings => stages::embeddings(ui, &trace),
            View::Qkv | View::Scores | View::Weights | View::Context | View::Ffn => {
                if let Some(stage) = view.stage() {
                    stages::layer_stage(ui, self, &trace, stage);
                }
            }
            View::Attention => {
                let generation = self.runner.generation;
                let Self {
                    attention,
                    layer,
                    head,
                    ..
                } = self;
                attention.show(ui, &trace, generation, layer, head);
            }
            View::Hidden => {
                let layer = self.layer;
                self.hidden.show(ui, &trace, layer);
            }
            View::Predictions => {
                let model = self.runner.model.clone();
                self.predictions.show(ui, &trace, model.as_deref());
            }
            View::Ablation => ablation::show(ui, self, &trace),
        }
    }
}
