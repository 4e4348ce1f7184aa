//! Normalisers and pre-tokenisers compared: the learner's sentence cut by several real
//! models' rules ([`crate::model::tokenize::pre_tokenizers`]), each piece with the bytes of
//! the original sentence it came from.

use egui::RichText;

use super::rows::MAX_CHIPS;
use crate::model::tokenize::pre_tokenizers::{Rule, pieces};
use crate::widgets::{TokenChip, token_strip};

pub fn show(ui: &mut egui::Ui, text: &str, show_ws: bool) {
    ui.label(
        "Each row is what one family's normaliser and pre-tokeniser hand to its model. Hover \
         a piece for the bytes of your sentence it came from: the offsets that let a model's \
         answer be pointed back at the text.",
    );
    for rule in Rule::ALL {
        let cut = pieces(rule, text);
        ui.add_space(6.0);
        ui.horizontal_wrapped(|ui| {
            ui.strong(rule.name());
            ui.label(
                RichText::new(format!(
                    "{} pieces · normaliser: {}",
                    cut.len(),
                    rule.normaliser()
                ))
                .weak(),
            );
        });
        let chips: Vec<TokenChip> = cut
            .iter()
            .take(MAX_CHIPS)
            .map(|p| {
                let original = text.get(p.start..p.end).unwrap_or("");
                TokenChip::new(p.text.clone(), None)
                    .with_detail(format!(
                        "bytes {}..{} of your sentence: {original:?}",
                        p.start, p.end
                    ))
                    .with_span(p.start, p.end)
            })
            .collect();
        token_strip(ui, &chips, show_ws);
    }
    ui.add_space(6.0);
    ui.label(
        RichText::new(
            "Ġ is how GPT-2's vocabulary writes a space byte; ▁ is SentencePiece's mark for \
             \"a space came before this word\". Both keep the spaces, so the text can be \
             rebuilt; BERT drops them and must guess them back when decoding.",
        )
        .weak(),
    );
}
