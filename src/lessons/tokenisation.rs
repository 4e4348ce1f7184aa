//! Tokenisation: how text becomes the numbers a model reads.

use super::{Lesson, LessonContext, LessonId, shared_views};
use crate::widgets::token_strip;

#[derive(Default)]
pub struct Tokenisation {
    show_whitespace: bool,
}

impl Lesson for Tokenisation {
    fn id(&self) -> LessonId {
        LessonId::Tokenisation
    }

    fn views(&self) -> &'static [&'static str] {
        &["first-cuts"]
    }

    fn view(&mut self, ui: &mut egui::Ui, _name: &str, cx: &LessonContext<'_>) {
        if shared_views::empty_sentence_notice(ui, cx.sentence) {
            return;
        }
        ui.checkbox(
            &mut self.show_whitespace,
            "Show spaces (·) and line breaks (⏎)",
        )
        .on_hover_text("Spaces are characters too: this makes them visible in the chips.");
        let chars = shared_views::char_chips(cx.sentence);
        let words = shared_views::word_chips(cx.sentence);
        let per_token = |n: usize| cx.sentence.chars().count() as f32 / n.max(1) as f32;
        for (title, chips) in [("Characters", &chars), ("Words and punctuation", &words)] {
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                ui.strong(title);
                ui.label(format!(
                    "{} tokens, {:.1} characters per token",
                    chips.len(),
                    per_token(chips.len())
                ));
            });
            token_strip(ui, chips, self.show_whitespace);
        }
    }
}
