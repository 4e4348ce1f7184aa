//! Self-attention with the numbers shown.

use super::{Lesson, LessonContext, LessonId, shared_views};
use crate::widgets::token_strip;

#[derive(Default)]
pub struct Attention;

impl Lesson for Attention {
    fn id(&self) -> LessonId {
        LessonId::Attention
    }

    fn views(&self) -> &'static [&'static str] {
        &["pairs"]
    }

    fn view(&mut self, ui: &mut egui::Ui, _name: &str, cx: &LessonContext<'_>) {
        if shared_views::empty_sentence_notice(ui, cx.sentence) {
            return;
        }
        let chips = shared_views::word_chips(cx.sentence);
        let n = chips.len();
        ui.strong("Your sentence");
        token_strip(ui, &chips, false);
        ui.add_space(6.0);
        ui.label(format!(
            "{n} tokens. Self-attention lets every token score every token, itself included: {n} × {n} = {} scores in a {} table, computed all at once.",
            n * n,
            shared_views::shape(n, n)
        ));
    }
}
