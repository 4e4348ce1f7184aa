//! The live model beside every lesson: the built-in BERT run on the learner's sentence
//! (on a worker, through the compute engine), with a stepper that walks its forward pass
//! stage by stage. Each lesson step may point it at what the step teaches
//! ([`focus::PanelFocus`], declared in the prose as `<!-- panel: NAME -->`).
//!
//! Files: `pass` (the stages), `focus` (what a step asks for), `stepper` (play, step,
//! the small diagram), `stage_view` (the stage's tensor), `hidden_strip`, `extras`.

pub mod extras;
pub mod focus;
pub mod hidden_strip;
pub mod pass;
pub mod stage_view;
pub mod stepper;

use std::sync::Arc;

use egui::RichText;

pub use focus::PanelFocus;
use pass::PassStage;

use super::cache_key::ArcKey;
use super::playground::focus::most_focused_head;
use super::playground::runner::{LoadedModel, Runner};
use super::{Command, LessonContext, LessonId};
use crate::model::bert::Ablation;
use crate::model::bert::trace::Trace;
use crate::widgets::TokenChip;
use crate::widgets::token_strip::token_strip_numbered;

/// A token's nearest rows of the embedding table: `(token, cosine)`.
type Neighbours = Vec<(String, f32)>;

/// Nearest embedding rows listed for the embedding focus.
const NEIGHBOURS: usize = 6;

/// The panel's state; the shell owns one for the whole app, so moving between lessons
/// keeps its trace (computed once per sentence).
pub struct ModelPanel {
    pub runner: Runner,
    /// Where the stepper stands (an index into the pass, see [`PassStage::at`]).
    pub stage: usize,
    pub layer: usize,
    pub head: usize,
    /// Set once the learner picks a layer or head; until then each trace opens on its
    /// most focused head.
    pub picked: bool,
    /// The token followed through the layers (a position in the trace).
    pub token: usize,
    pub stepper: stepper::Stepper,
    /// The focus in force and the lesson step it came from.
    pub focus: PanelFocus,
    applied: Option<LessonStep>,
    /// The trace the automatic head was picked for.
    auto_for: Option<ArcKey<Trace>>,
    /// Nearest rows for `(model, token id)`.
    near: Option<(ArcKey<LoadedModel>, u32, Neighbours)>,
    /// The current lesson's own word vectors (word2vec's), set by the shell each frame.
    pub companion: Option<super::Companion>,
    /// Their nearest words for `(vectors, word)`.
    companion_near: Option<(
        ArcKey<crate::model::word2vec::Embeddings>,
        String,
        Result<Neighbours, String>,
    )>,
}

impl Default for ModelPanel {
    fn default() -> Self {
        Self {
            runner: Runner::default(),
            stage: 0,
            layer: 0,
            head: 0,
            picked: false,
            token: 1,
            stepper: stepper::Stepper::default(),
            focus: PanelFocus::Default,
            applied: None,
            auto_for: None,
            near: None,
            companion: None,
            companion_near: None,
        }
    }
}

impl ModelPanel {
    /// The trace on screen, if any.
    pub fn trace(&self) -> Option<Arc<Trace>> {
        self.runner.last.as_ref().map(|r| r.trace.clone())
    }

    /// Layers and heads of the loaded model (`(4, 4)` before it loads: the built-in's).
    fn shape(&self) -> (usize, usize) {
        self.runner.model.as_ref().map_or((4, 4), |m| {
            (
                m.model.config.num_hidden_layers.max(1),
                m.model.config.num_attention_heads.max(1),
            )
        })
    }

    /// The stage the stepper stands on.
    pub fn pass_stage(&self) -> PassStage {
        PassStage::at(self.stage, self.shape().0)
    }

    /// How many stages the stepper walks.
    pub fn stage_count(&self) -> usize {
        PassStage::count(self.shape().0)
    }

    /// Points the panel at what `step` teaches, once each time the learner arrives at it.
    pub fn set_focus(&mut self, step: LessonStep, focus: PanelFocus) {
        if self.applied == Some(step) {
            return;
        }
        self.applied = Some(step);
        self.focus = focus;
        self.stepper.stop();
        let layers = self.shape().0;
        self.stage = focus.stage(self.layer).index(layers);
    }

    /// Shift+← / Shift+→ step the pass, Shift+Space plays it; plain ← → stay the
    /// lesson's. Called before the shell's keys so that the shifted arrows are taken here.
    pub fn keys(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let count = self.stage_count();
        let time = ctx.input(|i| i.time);
        for (key, action) in [
            (egui::Key::ArrowLeft, stepper::Action::Back),
            (egui::Key::ArrowRight, stepper::Action::Forward),
            (egui::Key::Space, stepper::Action::PlayPause),
        ] {
            if ctx.input_mut(|i| i.consume_key(egui::Modifiers::SHIFT, key)) {
                self.stage = self.stepper.act(action, self.stage, count, time);
            }
        }
    }

    /// Keeps the selection inside the model and opens each new trace on its most
    /// focused head until the learner picks one.
    fn follow_trace(&mut self, trace: &Arc<Trace>) {
        let (layers, heads) = self.shape();
        self.layer = self.layer.min(layers - 1);
        self.head = self.head.min(heads - 1);
        self.token = self.token.min(trace.len().saturating_sub(1));
        let key = ArcKey::of(trace);
        if self.picked || self.auto_for.as_ref() == Some(&key) {
            return;
        }
        self.auto_for = Some(key);
        if let Some((l, h, _)) = most_focused_head(trace) {
            self.layer = l;
            self.head = h;
            // A step that opened on a layer stage opens on the chosen layer.
            if !self.stepper.walking
                && let PassStage::Layer { part, .. } = self.pass_stage()
            {
                self.stage = PassStage::Layer { layer: l, part }.index(layers);
            }
        }
    }

    /// Draws the panel's body (the shell draws its frame and header).
    pub fn show(&mut self, ui: &mut egui::Ui, cx: &LessonContext<'_>) {
        if cx.sentence.trim().is_empty() {
            ui.label(RichText::new("The model waits for a sentence.").italics());
            return;
        }
        self.runner
            .update(ui.ctx(), cx.engine, cx.sentence, None, &Ablation::default());
        self.status(ui, cx);
        let Some(trace) = self.trace() else {
            return;
        };
        self.follow_trace(&trace);
        // A token pinned in the playground (or here) is the one followed.
        if let Some(r) = crate::widgets::heatmap::pinned_row(ui.ctx()).filter(|&r| r < trace.len())
        {
            self.token = r;
        }
        ui.label(RichText::new(self.focus.caption()).italics());
        self.tokens(ui, &trace);
        let (layers, _) = self.shape();
        let time = ui.input(|i| i.time);
        self.stage = self
            .stepper
            .tick(ui.ctx(), self.stage, self.stage_count(), time);
        if let Some(s) = self.stepper.show(ui, self.stage, layers, time) {
            self.stage = s;
        }
        let stage = self.pass_stage();
        if let PassStage::Layer { layer, .. } = stage {
            self.layer = layer;
        }
        ui.label(RichText::new(stage.label(layers)).strong());
        self.pickers(ui, stage);
        self.focus_extra(ui, &trace);
        ui.separator();
        self.stage_picture(ui, cx, &trace, stage);
        ui.separator();
        let reached = if self.stepper.walking {
            stage.layers_reached(layers)
        } else {
            layers
        };
        if let Some(c) = hidden_strip::show(ui, &trace, reached, self.token) {
            self.token = c;
            crate::widgets::heatmap::set_pinned_row(ui.ctx(), Some(c));
        }
        let predictions_reached = !self.stepper.walking || stage == PassStage::Predictions;
        if self.focus != PanelFocus::Masked
            && predictions_reached
            && stage != PassStage::Predictions
            && trace.tokens.iter().any(|t| t == "[MASK]")
            && let Some(m) = self.runner.model.clone()
        {
            ui.separator();
            extras::predictions(ui, &trace, &m.model);
        }
    }

    /// Model, token count, backend and time; loading and errors.
    fn status(&self, ui: &mut egui::Ui, cx: &LessonContext<'_>) {
        super::playground::runner_status(ui, &self.runner, cx);
    }

    /// The model's tokens with their ids; a click follows a token through the layers.
    fn tokens(&mut self, ui: &mut egui::Ui, trace: &Trace) {
        let chips: Vec<TokenChip> = (0..trace.len())
            .map(|i| {
                TokenChip::new(trace.tokens[i].clone(), Some(trace.ids[i]))
                    .with_unknown(trace.tokens[i] == "[UNK]")
                    .with_detail(format!(
                        "position {i}; click to follow it through the layers"
                    ))
            })
            .collect();
        let hovered = token_strip_numbered(ui, &chips, false);
        if let Some(i) = hovered
            && ui.input(|inp| inp.pointer.primary_clicked())
        {
            self.token = i;
            crate::widgets::heatmap::set_pinned_row(ui.ctx(), Some(i));
        }
        if self.focus == PanelFocus::Tokens {
            let unknown = trace.tokens.iter().filter(|t| *t == "[UNK]").count();
            let special = trace
                .tokens
                .iter()
                .filter(|t| matches!(t.as_str(), "[CLS]" | "[SEP]"))
                .count();
            ui.label(format!(
                "{} tokens: {} pieces of your text, {special} added ([CLS], [SEP]), {unknown} [UNK]. The number under each is the row of the embedding table it reads.",
                trace.len(),
                trace.len() - special
            ));
        }
    }

    /// Layer and head pickers for the attention stages.
    fn pickers(&mut self, ui: &mut egui::Ui, stage: PassStage) {
        let (layers, heads) = self.shape();
        let attention = matches!(
            stage,
            PassStage::Layer {
                part: pass::Part::Qkv
                    | pass::Part::Scores
                    | pass::Part::Weights
                    | pass::Part::Context,
                ..
            }
        ) || self.focus == PanelFocus::Heads;
        if !attention {
            return;
        }
        let (layer, head) = (self.layer, self.head);
        ui.horizontal(|ui| {
            ui.label("layer");
            ui.add(egui::DragValue::new(&mut self.layer).range(0..=layers - 1))
                .on_hover_text("Which encoder layer (the stepper moves it too)");
            ui.label("head");
            ui.add(egui::DragValue::new(&mut self.head).range(0..=heads - 1))
                .on_hover_text("Which attention head");
        });
        if (self.layer, self.head) != (layer, head) {
            self.picked = true;
            if let PassStage::Layer { part, .. } = stage {
                self.stage = PassStage::Layer {
                    layer: self.layer,
                    part,
                }
                .index(layers);
            }
        }
        if !self.picked && self.auto_for.is_some() {
            ui.label(
                RichText::new("Opened on the head whose rows are most focused for this sentence (lowest mean entropy).")
                    .weak()
                    .small(),
            );
        }
    }

    /// What the step's focus adds above the stage picture.
    fn focus_extra(&mut self, ui: &mut egui::Ui, trace: &Trace) {
        match self.focus {
            PanelFocus::LongRange => extras::long_range(ui, trace),
            PanelFocus::Heads => {
                if let Some(h) = extras::heads(ui, trace, self.layer) {
                    self.head = h;
                    self.picked = true;
                }
            }
            PanelFocus::Embedding => {
                let near = self.nearest(trace);
                extras::embedding(ui, trace, self.token, &near);
                self.companion_words(ui, trace);
            }
            PanelFocus::Masked => {
                if let Some(m) = self.runner.model.clone() {
                    extras::predictions(ui, trace, &m.model);
                }
            }
            PanelFocus::Default
            | PanelFocus::Tokens
            | PanelFocus::Positions
            | PanelFocus::Hidden
            | PanelFocus::Stage(_) => {}
        }
    }

    /// The nearest embedding rows of the selected token, computed once per token.
    fn nearest(&mut self, trace: &Trace) -> Neighbours {
        let (Some(model), Some(&id)) = (self.runner.model.clone(), trace.ids.get(self.token))
        else {
            return Vec::new();
        };
        let key = ArcKey::of(&model);
        if let Some((k, i, near)) = &self.near
            && *k == key
            && *i == id
        {
            return near.clone();
        }
        let near = extras::nearest_rows(&model.model, id, NEIGHBOURS);
        self.near = Some((key, id, near.clone()));
        near
    }

    /// The same word's nearest words in the lesson's own vectors (word2vec), computed
    /// once per word and set of vectors.
    fn companion_words(&mut self, ui: &mut egui::Ui, trace: &Trace) {
        let Some((source, vectors)) = self.companion.clone() else {
            ui.label(
                RichText::new(
                    "Train word2vec in this lesson (or load vectors) to see its neighbours of the same word here.",
                )
                .weak(),
            );
            return;
        };
        let Some(token) = trace.tokens.get(self.token) else {
            return;
        };
        // word2vec has whole words: a WordPiece continuation is looked up without "##".
        let word = token.trim_start_matches("##").to_lowercase();
        let key = ArcKey::of(&vectors);
        let fresh = self
            .companion_near
            .as_ref()
            .is_some_and(|(k, w, _)| *k == key && *w == word);
        if !fresh {
            let near = vectors
                .nearest(&word, NEIGHBOURS)
                .map(|v| v.into_iter().map(|n| (n.word, n.similarity)).collect())
                .map_err(|e| e.to_string());
            self.companion_near = Some((key, word.clone(), near));
        }
        let Some((_, _, near)) = &self.companion_near else {
            return;
        };
        ui.label(RichText::new(format!("'{word}' in {source}: nearest words (cosine)")).strong());
        match near {
            Ok(near) => extras::neighbour_bars(ui, &word, near),
            Err(e) => {
                ui.label(RichText::new(e).weak());
            }
        }
    }

    /// The current stage's tensor; a click opens that stage in the playground.
    fn stage_picture(
        &mut self,
        ui: &mut egui::Ui,
        cx: &LessonContext<'_>,
        trace: &Trace,
        stage: PassStage,
    ) {
        let positions = self.focus == PanelFocus::Positions;
        match stage_view::stage_matrix(trace, stage, self.head, positions) {
            Some(m) => {
                let r = stage_view::show_matrix(ui, trace, &m);
                let r = r
                    .response
                    .on_hover_text("Click to open this stage in the playground");
                if r.clicked() {
                    cx.send(Command::OpenInPlayground {
                        view: stage.playground_view(),
                        layer: self.layer,
                        head: self.head,
                    });
                }
            }
            None if stage == PassStage::Predictions => {
                if self.focus != PanelFocus::Masked
                    && let Some(m) = self.runner.model.clone()
                {
                    extras::predictions(ui, trace, &m.model);
                }
            }
            None => {
                ui.label("This layer was switched off.");
            }
        }
    }
}

/// A lesson step, to apply its focus once on arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LessonStep {
    pub lesson: LessonId,
    pub step: usize,
}
