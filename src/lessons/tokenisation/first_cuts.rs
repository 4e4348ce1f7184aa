//! Characters and words: the two obvious cuts, before any training.

use crate::lessons::shared_views;
use crate::widgets::token_strip;

pub fn show(ui: &mut egui::Ui, sentence: &str, ws: bool) {
    let chars = shared_views::char_chips(sentence);
    let words = shared_views::word_chips(sentence);
    let per_token = |n: usize| sentence.chars().count() as f32 / n.max(1) as f32;
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
        token_strip(ui, &chips[..chips.len().min(super::rows::MAX_CHIPS)], ws);
    }
}
