//! Every token against every token: how many scores one attention layer computes.

use crate::lessons::shared_views;
use crate::widgets::token_strip;

pub fn show(ui: &mut egui::Ui, sentence: &str) {
    let chips = shared_views::word_chips(sentence);
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
