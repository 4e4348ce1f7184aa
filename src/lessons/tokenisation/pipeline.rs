//! The tokenisation pipeline made visible: the learner's sentence after each stage,
//! for a BERT-style tokeniser (normalise → pre-tokenise → WordPiece → add specials)
//! and for GPT-4's (no normalisation → regex pre-tokenise → byte-level BPE).

use egui::RichText;
use unicode_normalization::UnicodeNormalization;

use super::rows::{MAX_CHIPS, chips_from_encoding, chips_from_wordpiece};
use super::training::TokenizerStore;
use crate::model::text::Piece;
use crate::model::tokenize::basic::BasicTokenizer;
use crate::widgets::token_strip::visible_whitespace;
use crate::widgets::{TokenChip, token_strip};

fn stage(ui: &mut egui::Ui, n: usize, title: &str, tip: &str) {
    ui.add_space(6.0);
    ui.label(RichText::new(format!("{n}. {title}")).strong())
        .on_hover_text(tip);
}

/// Chips for pre-tokenised pieces, at most [`MAX_CHIPS`].
fn piece_chips(pieces: &[Piece]) -> Vec<TokenChip> {
    crate::lessons::shared_views::chips(&pieces[..pieces.len().min(MAX_CHIPS)])
}

/// Draws both pipelines for `text`.
pub fn show(ui: &mut egui::Ui, text: &str, store: &TokenizerStore, show_ws: bool) {
    let basic = BasicTokenizer::uncased();
    ui.heading("BERT (uncased WordPiece)");
    stage(ui, 1, "Your text", "Exactly what you typed.");
    ui.monospace(visible_whitespace(text));

    stage(
        ui,
        2,
        "Normalised",
        "Control characters dropped, whitespace unified, spaces put around CJK characters, \
         accents stripped (NFD, then combining marks removed), lower-cased.",
    );
    let normal: String = basic.normalize(text, 0).iter().map(|c| c.ch).collect();
    ui.monospace(visible_whitespace(&normal));
    let nfc: String = text.nfc().collect();
    let nfkc: String = text.nfkc().collect();
    if nfc != nfkc {
        ui.label(format!(
            "Unicode compatibility forms change your text: NFKC (used by SentencePiece models) gives {:?}, NFC keeps {:?}.",
            nfkc, nfc
        ));
    } else {
        ui.label(
            RichText::new(
                "NFC and NFKC agree on your text; try a ligature (ﬁ), full-width letters (ＡＢＣ) or ² to see them differ.",
            )
            .weak(),
        );
    }

    stage(
        ui,
        3,
        "Pre-tokenised",
        "Split on whitespace (which is dropped) and around every punctuation mark.",
    );
    let words: Vec<Piece> = basic
        .split(text, 0)
        .iter()
        .filter_map(|w| {
            Some(Piece {
                text: w.iter().map(|c| c.ch).collect(),
                start: w.first()?.start,
                end: w.last()?.end,
            })
        })
        .collect();
    token_strip(ui, &piece_chips(&words), show_ws);

    let wp: Option<(String, &crate::model::tokenize::WordPiece)> = match (&store.bert, &store.suite)
    {
        (Some((name, wp)), _) => Some((format!("the vocabulary you opened ({name})"), wp.as_ref())),
        (None, Some(s)) => Some(("your trained WordPiece".to_owned(), &s.wordpiece)),
        (None, None) => None,
    };
    match wp {
        Some((name, wp)) => {
            let enc = wp.encode(text);
            let chips = chips_from_wordpiece(text, &enc);
            stage(
                ui,
                4,
                &format!("WordPiece model ({name})"),
                "Each word is cut greedily into the longest pieces in the vocabulary; ## marks a piece that continues a word.",
            );
            let body: Vec<TokenChip> = chips
                .iter()
                .zip(&enc.special_mask)
                .filter(|(_, s)| !**s)
                .map(|(c, _)| c.clone())
                .take(MAX_CHIPS)
                .collect();
            token_strip(ui, &body, show_ws);
            stage(
                ui,
                5,
                "Post-processed",
                "[CLS] starts every input (its final hidden state summarises it); [SEP] ends each sentence.",
            );
            token_strip(ui, &chips[..chips.len().min(MAX_CHIPS)], show_ws);
        }
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("The WordPiece stage appears when training finishes.");
            });
        }
    }

    ui.add_space(12.0);
    ui.heading("GPT-4 (cl100k byte-level BPE)");
    let Some(Ok(vocabs)) = store.real() else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Loading GPT-4's vocabulary…");
        });
        return;
    };
    let cl100k = vocabs[1];
    stage(
        ui,
        1,
        "Your text, not normalised",
        "GPT tokenisers keep every character, case and space: byte-level BPE can write any text, so nothing needs cleaning up.",
    );
    ui.monospace(visible_whitespace(text));
    stage(
        ui,
        2,
        "Pre-tokenised by cl100k's regex",
        "Letters with their leading space, numbers in groups of at most three digits, punctuation runs, whitespace.",
    );
    match cl100k.pretokenizer().split(text) {
        Ok(pieces) => {
            token_strip(ui, &piece_chips(&pieces), show_ws);
        }
        Err(e) => {
            ui.colored_label(ui.visuals().error_fg_color, e.to_string());
        }
    }
    stage(
        ui,
        3,
        "Byte-level BPE",
        "Each piece as UTF-8 bytes, merged by GPT-4's 100,000 learned merges, lowest rank first.",
    );
    match cl100k.encode(text) {
        Ok(enc) => {
            ui.label(format!("{} bytes → {} tokens", text.len(), enc.len()));
            let chips = chips_from_encoding(text, &enc);
            token_strip(ui, &chips[..chips.len().min(MAX_CHIPS)], show_ws);
        }
        Err(e) => {
            ui.colored_label(ui.visuals().error_fg_color, e.to_string());
        }
    }
    if text.contains("<|") {
        stage(
            ui,
            4,
            "Special tokens",
            "A chat or training pipeline may allow special tokens such as <|endoftext|> in the text; user text normally may not.",
        );
        if let (Ok(plain), Ok(special)) = (
            cl100k.encode_with_special(text, false),
            cl100k.encode_with_special(text, true),
        ) {
            ui.label(format!(
                "As plain text: {} tokens; with special tokens allowed: {} tokens.",
                plain.len(),
                special.len()
            ));
            let chips = chips_from_encoding(text, &special);
            token_strip(ui, &chips[..chips.len().min(MAX_CHIPS)], show_ws);
        }
    }
}
