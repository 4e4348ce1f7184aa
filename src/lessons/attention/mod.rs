//! Self-attention with the numbers shown: from why a word needs its context to the
//! decoder loop and the cost of the n × n table, on the learner's own sentence and on
//! the built-in model.

pub mod context;
pub mod cost;
pub mod cross;
pub mod decoder_loop;
pub mod embeddings;
pub mod masks;
pub mod model_heads;
pub mod multi_head;
pub mod no_weights;
pub mod positional;
pub mod qkv;
pub mod scaling;
pub mod view;
pub mod weighted_sum;

pub use view::View;

use super::model_slot::ModelSlot;
use super::{Lesson, LessonContext, LessonId, shared_views};

/// The lesson's state: the built-in model (loaded on a worker) and each step's settings.
#[derive(Default)]
pub struct Attention {
    pub model: ModelSlot,
    pub context: context::State,
    pub embeddings: embeddings::State,
    pub positional: positional::State,
    pub no_weights: no_weights::State,
    pub qkv: qkv::State,
    pub scaling: scaling::State,
    pub weighted_sum: weighted_sum::State,
    pub masks: masks::State,
    pub multi_head: multi_head::State,
    pub cross: cross::State,
    pub cost: cost::State,
}

/// A sentence read by a model: the key of the steps' cached traces.
pub type TraceKey = (
    crate::lessons::cache_key::ArcKey<crate::model::bert::pretrained::PretrainedBert>,
    String,
);

/// The model's trace of the sentence (cut to its positions), for `Recompute`: inline
/// while it is fast, on a worker once it has proved slow.
pub fn run_model(key: &TraceKey) -> Result<crate::model::bert::trace::Trace, String> {
    let (bert, sentence) = key;
    let input = bert.0.fit(bert.0.model.encode(sentence, None));
    bert.0.run(&input, 0)
}

/// What a step shows in place of the built-in model while it loads on its worker (a
/// load error is said once at the top of the lesson).
pub fn loading_notice(ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label("Loading the built-in model…");
    });
    ui.ctx().request_repaint();
}

impl Lesson for Attention {
    const ID: LessonId = LessonId::Attention;
    type View = View;

    fn show(&mut self, ui: &mut egui::Ui, view: View, cx: &LessonContext<'_>) {
        // Every step may use the built-in model; it loads once, on a worker.
        self.model.start();
        self.model.poll();
        if self.model.loading() {
            ui.ctx().request_repaint();
        }
        if let Some(e) = self.model.error() {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("The built-in model could not be loaded ({e}); the steps that use it show only the small examples."),
            );
        }
        let bert = self.model.loaded().cloned();
        let bert = bert.as_ref();
        match view {
            View::PositionalEncoding => positional::show(ui, &mut self.positional, bert),
            View::NoWeights => no_weights::show(ui, &mut self.no_weights),
            View::CrossAttention => cross::show(ui, &mut self.cross, cx, bert),
            View::Cost => cost::show(ui, &mut self.cost, cx, bert),
            _ if shared_views::empty_sentence_notice(ui, cx.sentence) => {}
            View::WhyContext => context::show(ui, &mut self.context, cx, bert),
            View::Embeddings => embeddings::show(ui, &mut self.embeddings, cx, bert),
            View::Qkv => qkv::show(ui, &mut self.qkv, cx, bert),
            View::Scaling => scaling::show(ui, &mut self.scaling, cx.sentence),
            View::WeightedSum => {
                weighted_sum::show(ui, &mut self.weighted_sum, &mut self.qkv.head, cx, bert)
            }
            View::Masks => masks::show(ui, &mut self.masks, cx.sentence),
            View::MultiHead => multi_head::show(ui, &mut self.multi_head, cx, bert),
        }
    }

    fn background(&mut self, _ctx: &egui::Context) {
        self.model.poll();
    }
}
