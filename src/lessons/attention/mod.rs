//! Self-attention with the numbers shown.

pub mod masks;
pub mod no_weights;
pub mod pairs;
pub mod positional;
pub mod scaling;
pub mod view;

pub use view::View;

use super::model_slot::ModelSlot;
use super::{Lesson, LessonContext, LessonId, shared_views};

/// The lesson's state: the built-in model (for its learned positions) and each
/// step's settings.
#[derive(Default)]
pub struct Attention {
    pub model: ModelSlot,
    pub positional: positional::State,
    pub no_weights: no_weights::State,
    pub scaling: scaling::State,
    pub masks: masks::State,
}

impl Lesson for Attention {
    const ID: LessonId = LessonId::Attention;
    type View = View;

    fn show(&mut self, ui: &mut egui::Ui, view: View, cx: &LessonContext<'_>) {
        match view {
            View::Pairs => {
                if !shared_views::empty_sentence_notice(ui, cx.sentence) {
                    pairs::show(ui, cx.sentence);
                }
            }
            View::PositionalEncoding => {
                self.model.start();
                self.model.poll();
                if self.model.loading() {
                    ui.ctx().request_repaint();
                }
                let bert = self.model.loaded().cloned();
                positional::show(ui, &mut self.positional, bert.as_ref());
            }
            View::NoWeights => no_weights::show(ui, &mut self.no_weights),
            View::Masks => {
                if !shared_views::empty_sentence_notice(ui, cx.sentence) {
                    masks::show(ui, &mut self.masks, cx.sentence);
                }
            }
            View::Scaling => {
                if !shared_views::empty_sentence_notice(ui, cx.sentence) {
                    scaling::show(ui, &mut self.scaling, cx.sentence);
                }
            }
        }
    }

    fn background(&mut self, _ctx: &egui::Context) {
        self.model.poll();
    }
}
