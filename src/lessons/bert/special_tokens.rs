//! What BERT is given: the sentence between [CLS] and [SEP], with positions and segments.

use crate::model::text::split_words;
use crate::widgets::{TokenChip, token_strip};

pub fn show(ui: &mut egui::Ui, sentence: &str) {
    let words = split_words(sentence);
    let mut chips =
        vec![TokenChip::new("[CLS]", None).with_detail("position 0, segment 0: the summary token")];
    chips.extend(words.iter().enumerate().map(|(i, w)| {
        TokenChip::new(w.text.to_lowercase(), None)
            .with_detail(format!("position {}, segment 0", i + 1))
    }));
    chips.push(TokenChip::new("[SEP]", None).with_detail(format!(
        "position {}, segment 0: end of the sentence",
        words.len() + 1
    )));
    ui.strong("What BERT is given (before sub-word splitting)");
    token_strip(ui, &chips, false);
    ui.label(format!(
        "{} words + [CLS] + [SEP] = {} positions.",
        words.len(),
        chips.len()
    ));
}
