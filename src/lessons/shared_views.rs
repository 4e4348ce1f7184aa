//! Small views more than one lesson uses: the learner's sentence cut into words or
//! characters, and the notice shown when there is nothing to draw.

use crate::model::text::{Piece, split_chars, split_words};
use crate::widgets::TokenChip;

/// Chips for pieces of the sentence, with their byte ranges on hover.
pub fn chips(pieces: &[Piece]) -> Vec<TokenChip> {
    pieces
        .iter()
        .map(|p| {
            TokenChip::new(p.text.clone(), None)
                .with_detail(format!("bytes {}..{} of your sentence", p.start, p.end))
                .with_span(p.start, p.end)
        })
        .collect()
}

pub fn word_chips(sentence: &str) -> Vec<TokenChip> {
    chips(&split_words(sentence))
}

pub fn char_chips(sentence: &str) -> Vec<TokenChip> {
    chips(&split_chars(sentence))
}

/// Shown instead of a view when the sentence is empty. Returns true if it was shown.
pub fn empty_sentence_notice(ui: &mut egui::Ui, sentence: &str) -> bool {
    if sentence.trim().is_empty() {
        ui.label(
            egui::RichText::new("Type a sentence in the box at the top to see it here.").italics(),
        );
        true
    } else {
        false
    }
}

/// "(6 × 9)": shapes are written the same way everywhere.
pub fn shape(rows: usize, cols: usize) -> String {
    format!("({rows} × {cols})")
}
