//! Decoding: the learner's sentence encoded to ids and decoded back by GPT-2's and
//! GPT-4's byte-level BPE and by bert-base-uncased's WordPiece, with what each round trip
//! lost, found by comparing the text that came back with the text that went in.

use egui::RichText;

use super::training::TokenizerStore;
use crate::model::tokenize::bert_base::bert_base_uncased;
use crate::model::tokenize::decode::{RoundTrip, compare, wordpiece_decode};
use crate::model::tokenize::tiktoken_bpe::TiktokenBpe;
use crate::widgets::token_strip::visible_whitespace;

/// Ids listed per row at most; the count says how many there are.
const MAX_IDS: usize = 12;

/// "101, 1045, 2293 … (12 ids)".
fn id_list(ids: &[u32]) -> String {
    let shown: Vec<String> = ids.iter().take(MAX_IDS).map(u32::to_string).collect();
    let more = if ids.len() > MAX_IDS { " …" } else { "" };
    format!("{}{more} ({} ids)", shown.join(", "), ids.len())
}

/// The round trip in words: "exact" or the list of what was lost.
pub fn verdict(rt: &RoundTrip) -> String {
    if rt.exact {
        return "exact: the same text, byte for byte".to_owned();
    }
    let mut lost = Vec::new();
    if rt.case_lost > 0 {
        lost.push(format!("capitals lower-cased: {}", rt.case_lost));
    }
    if rt.accents_lost > 0 {
        lost.push(format!("accents stripped: {}", rt.accents_lost));
    }
    if rt.spaces_changed {
        lost.push("spacing changed".to_owned());
    }
    if rt.unknown > 0 {
        lost.push(format!("pieces written [UNK]: {}", rt.unknown));
    }
    if rt.other_changed && rt.unknown == 0 {
        lost.push("characters normalised".to_owned());
    }
    format!("lost: {}", lost.join(", "))
}

/// Tokens of a byte-level encoding whose bytes are not text on their own (part of a
/// character split across tokens).
fn partial_tokens(bpe: &TiktokenBpe, ids: &[u32]) -> usize {
    ids.iter()
        .filter(|&&id| std::str::from_utf8(bpe.token_bytes(id)).is_err())
        .count()
}

fn row(ui: &mut egui::Ui, name: &str, ids: &[u32], back: &str, rt: &RoundTrip) {
    ui.add_space(6.0);
    ui.strong(name);
    egui::Grid::new(("decode-row", name))
        .num_columns(2)
        .show(ui, |ui| {
            ui.label("ids");
            ui.add(egui::Label::new(RichText::new(id_list(ids)).monospace()).wrap());
            ui.end_row();
            ui.label("decoded");
            ui.add(egui::Label::new(RichText::new(visible_whitespace(back)).monospace()).wrap());
            ui.end_row();
            ui.label("round trip");
            let colour = if rt.exact {
                ui.visuals().text_color()
            } else {
                ui.visuals().warn_fg_color
            };
            ui.label(RichText::new(verdict(rt)).color(colour));
            ui.end_row();
        });
}

pub fn show(ui: &mut egui::Ui, text: &str, store: &TokenizerStore) {
    let Some(Ok(vocabs)) = store.real() else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Loading the vocabularies…");
        });
        return;
    };
    ui.label("Your text, as it went in:");
    ui.monospace(visible_whitespace(text));
    for (name, bpe) in [
        ("GPT-2 (byte-level BPE)", vocabs[0]),
        ("GPT-4 (byte-level BPE)", vocabs[1]),
    ] {
        match bpe.encode_ids(text, false) {
            Ok(ids) => {
                let bytes = bpe.decode(&ids);
                let back = String::from_utf8_lossy(&bytes);
                row(ui, name, &ids, &back, &compare(text, &back));
                let partial = partial_tokens(bpe, &ids);
                if partial > 0 {
                    ui.label(format!(
                        "{partial} of these tokens hold only part of a character's bytes: \
                         alone they are not text, together they decode exactly."
                    ));
                }
            }
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, format!("{name}: {e}"));
            }
        }
    }
    let wp = bert_base_uncased();
    let enc = wp.encode(text);
    let back = wordpiece_decode(wp, &enc.ids);
    row(
        ui,
        "BERT (bert-base-uncased WordPiece)",
        &enc.ids,
        &back,
        &compare(text, &back),
    );
    ui.label(
        RichText::new(
            "The decoded BERT text drops [CLS] and [SEP], glues ## pieces to the piece before \
             them and puts one space between the others, as BERT tokenisers decode.",
        )
        .weak(),
    );
}
