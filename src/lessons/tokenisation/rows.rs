//! The learner's sentence cut by every tokeniser at once, one row each. Hovering a chip
//! highlights the characters it covers in the sentence and outlines the chips of the
//! other rows that cover the same text.

use egui::text::LayoutJob;
use egui::{Color32, FontId, RichText, TextFormat};

use std::sync::Arc;

use super::training::{RealVocabs, TokenizerStore};
use crate::model::tokenize::WordPiece;
use crate::model::tokenize::bert_base::bert_base_uncased;
use crate::model::tokenize::pieces::TokenPieces;
use crate::model::tokenize::suite::TokenizerSuite;
use crate::model::tokenize::wordpiece;
use crate::widgets::{TokenChip, token_strip_linked};

/// Chips drawn per row at most; a 2,000-character paste would otherwise make thousands.
pub const MAX_CHIPS: usize = 400;

/// One tokeniser's result on the sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: String,
    /// What the tokeniser is and how big its vocabulary is (the row's tooltip).
    pub about: String,
    pub outcome: RowOutcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowOutcome {
    Tokens {
        chips: Vec<TokenChip>,
        /// Tokens that are `[UNK]`: text the vocabulary cannot write.
        unknown: usize,
    },
    /// Still training or loading.
    Pending(String),
    Failed(String),
}

impl Row {
    fn tokens(name: &str, about: String, chips: Vec<TokenChip>, unk: Option<u32>) -> Self {
        let unknown = chips
            .iter()
            .filter(|c| c.id.is_some() && c.id == unk)
            .count();
        Row {
            name: name.to_owned(),
            about,
            outcome: RowOutcome::Tokens { chips, unknown },
        }
    }

    fn pending(name: &str, about: String, why: &str) -> Self {
        Row {
            name: name.to_owned(),
            about,
            outcome: RowOutcome::Pending(why.to_owned()),
        }
    }

    /// The number of tokens, when there are tokens.
    pub fn count(&self) -> Option<usize> {
        match &self.outcome {
            RowOutcome::Tokens { chips, .. } => Some(chips.len()),
            _ => None,
        }
    }
}

/// Chips for an [`TokenPieces`] of `text`, with byte spans and a tooltip naming the text
/// each token covers (and its raw bytes when it is not a whole character).
pub fn chips_from_encoding(text: &str, enc: &TokenPieces) -> Vec<TokenChip> {
    (0..enc.len())
        .map(|i| {
            let (s, e) = enc.offsets[i];
            let bytes = enc.tokens[i].as_slice();
            let mut detail = format!("bytes {s}..{e} of your sentence");
            if let Some(src) = text.get(s..e) {
                detail.push_str(&format!(": {src:?}"));
            }
            if std::str::from_utf8(bytes).is_err() {
                let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
                detail.push_str(&format!(
                    "\nraw bytes {} (part of a character: byte-level tokens may cut one)",
                    hex.join(" ")
                ));
            }
            if enc.special[i] {
                detail.push_str("\nspecial token");
            }
            TokenChip::new(enc.token_display(i), Some(enc.ids[i]))
                .with_detail(detail)
                .with_span(s, e)
        })
        .collect()
}

/// Chips for a BERT-style WordPiece encoding.
pub fn chips_from_wordpiece(text: &str, enc: &wordpiece::ModelInput) -> Vec<TokenChip> {
    (0..enc.len())
        .map(|i| {
            let (s, e) = enc.offsets[i];
            let mut detail = if enc.special_mask[i] {
                "special token added around the text".to_owned()
            } else {
                format!("bytes {s}..{e} of your sentence")
            };
            if !enc.special_mask[i]
                && let Some(src) = text.get(s..e)
            {
                detail.push_str(&format!(": {src:?}"));
            }
            if enc.tokens[i].starts_with("##") {
                detail.push_str("\n## = continues the previous piece of the same word");
            }
            let chip = TokenChip::new(enc.tokens[i].clone(), Some(enc.ids[i])).with_detail(detail);
            if enc.special_mask[i] {
                chip
            } else {
                chip.with_span(s, e)
            }
        })
        .collect()
}

/// Every row for `text`, from whatever the store has ready.
pub fn build_rows(text: &str, store: &TokenizerStore) -> Vec<Row> {
    build_rows_from(
        text,
        store.suite.as_deref(),
        store.bert.as_ref(),
        store.real(),
    )
}

/// Every row for `text` from these tokenisers (`None`: still training or loading).
pub fn build_rows_from(
    text: &str,
    suite: Option<&TokenizerSuite>,
    bert: Option<&(String, Arc<WordPiece>)>,
    real: Option<&Result<RealVocabs, String>>,
) -> Vec<Row> {
    let mut rows = Vec::new();
    let training = "training…";
    match suite {
        Some(suite) => {
            let corpus = &suite.corpus_name;
            rows.push(Row::tokens(
                "Characters",
                format!(
                    "One token per Unicode character; vocabulary: the {} characters seen in {corpus}.",
                    suite.chars.vocab_size() - 1
                ),
                chips_from_encoding(text, &suite.chars.encode(text)),
                Some(0),
            ));
            rows.push(Row::tokens(
                "Words",
                format!(
                    "One token per word or punctuation mark; vocabulary: the {} most frequent in {corpus} (seen twice or more). Anything else is [UNK].",
                    suite.words.vocab_size() - 1
                ),
                chips_from_encoding(text, &suite.words.encode(text)),
                Some(0),
            ));
            match suite.bpe.encode(text) {
                Ok(enc) => rows.push(Row::tokens(
                    "BPE (yours)",
                    format!(
                        "Byte-level BPE trained here on {corpus}: 256 bytes + {} merges = {} tokens.",
                        suite.bpe.merges().len(),
                        suite.bpe.vocab_size()
                    ),
                    chips_from_encoding(text, &enc),
                    None,
                )),
                Err(e) => rows.push(Row {
                    name: "BPE (yours)".to_owned(),
                    about: String::new(),
                    outcome: RowOutcome::Failed(e.to_string()),
                }),
            }
            let wp = &suite.wordpiece;
            rows.push(Row::tokens(
                "WordPiece (yours)",
                format!(
                    "WordPiece trained here on {corpus} with the likelihood score: {} tokens. Adds [CLS] and [SEP] as BERT does.",
                    wp.vocab_size()
                ),
                chips_from_wordpiece(text, &wp.encode(text)),
                wp.token_to_id("[UNK]"),
            ));
            rows.push(Row::tokens(
                "Unigram (yours)",
                format!(
                    "Unigram language model trained here on {corpus} (EM + pruning): {} pieces; each word is cut the most probable way.",
                    suite.unigram.vocab_size()
                ),
                chips_from_encoding(text, &suite.unigram.encode(text)),
                Some(0),
            ));
        }
        None => {
            for name in [
                "Characters",
                "Words",
                "BPE (yours)",
                "WordPiece (yours)",
                "Unigram (yours)",
            ] {
                rows.push(Row::pending(name, String::new(), training));
            }
        }
    }
    if let Some((name, wp)) = bert {
        rows.push(Row::tokens(
            "WordPiece (opened)",
            format!(
                "WordPiece with the vocabulary you opened ({name}): {} tokens.",
                wp.vocab_size()
            ),
            chips_from_wordpiece(text, &wp.encode(text)),
            wp.token_to_id("[UNK]"),
        ));
    }
    let names = [
        (
            "GPT-2",
            "r50k: byte-level BPE, 50,257 tokens (GPT-2, GPT-3).",
        ),
        (
            "GPT-4",
            "cl100k: byte-level BPE, 100,277 tokens (GPT-3.5, GPT-4).",
        ),
        ("GPT-4o", "o200k: byte-level BPE, 200,019 tokens (GPT-4o)."),
    ];
    match real {
        Some(Ok(vocabs)) => {
            // Parsed by the same job as the GPT vocabularies, so this is a cache read.
            let wp = bert_base_uncased();
            rows.push(Row::tokens(
                "BERT",
                format!(
                    "bert-base-uncased's WordPiece, shipped with the app: {} tokens; lower-cases \
                     and strips accents first. Adds [CLS] (101) and [SEP] (102).",
                    wp.vocab_size()
                ),
                chips_from_wordpiece(text, &wp.encode(text)),
                wp.token_to_id("[UNK]"),
            ));
            for (bpe, (name, about)) in vocabs.iter().zip(names) {
                rows.push(match bpe.encode(text) {
                    Ok(enc) => Row::tokens(
                        name,
                        about.to_owned(),
                        chips_from_encoding(text, &enc),
                        None,
                    ),
                    Err(e) => Row {
                        name: name.to_owned(),
                        about: about.to_owned(),
                        outcome: RowOutcome::Failed(e.to_string()),
                    },
                });
            }
        }
        Some(Err(e)) => {
            rows.push(Row {
                name: "BERT".to_owned(),
                about: String::new(),
                outcome: RowOutcome::Failed(e.clone()),
            });
            for (name, about) in names {
                rows.push(Row {
                    name: name.to_owned(),
                    about: about.to_owned(),
                    outcome: RowOutcome::Failed(e.clone()),
                });
            }
        }
        None => {
            rows.push(Row::pending(
                "BERT",
                String::new(),
                "loading the vocabulary…",
            ));
            for (name, about) in names {
                rows.push(Row::pending(
                    name,
                    about.to_owned(),
                    "loading the vocabulary…",
                ));
            }
        }
    }
    rows
}

/// The sentence with byte range `link` highlighted (widened to whole characters).
pub fn linked_sentence(ui: &mut egui::Ui, text: &str, link: Option<(usize, usize)>, show_ws: bool) {
    let font = FontId::monospace(ui.style().text_styles[&egui::TextStyle::Monospace].size);
    let color = ui.visuals().text_color();
    let mut job = LayoutJob::default();
    let plain = TextFormat::simple(font.clone(), color);
    let lit = TextFormat {
        background: if ui.visuals().dark_mode {
            Color32::from_rgb(120, 90, 20)
        } else {
            Color32::from_rgb(255, 220, 120)
        },
        ..plain.clone()
    };
    let shown = |s: &str| {
        if show_ws {
            crate::widgets::token_strip::visible_whitespace(s)
        } else {
            s.replace(['\n', '\r'], " ")
        }
    };
    match link {
        Some((s, e)) if s < e && e <= text.len() => {
            let (s, e) = whole_chars(text, s, e);
            job.append(&shown(&text[..s]), 0.0, plain.clone());
            job.append(&shown(&text[s..e]), 0.0, lit);
            job.append(&shown(&text[e..]), 0.0, plain);
        }
        _ => job.append(&shown(text), 0.0, plain),
    }
    ui.add(egui::Label::new(job).wrap());
}

/// Widens the byte range `s..e` to whole characters (a byte-level token may cover half of
/// one); ends past the text are clamped to it.
pub fn whole_chars(text: &str, s: usize, e: usize) -> (usize, usize) {
    (text.floor_char_boundary(s), text.ceil_char_boundary(e))
}

/// Draws the rows; returns the span of the chip hovered this frame.
pub fn show_rows(
    ui: &mut egui::Ui,
    text: &str,
    rows: &[Row],
    show_ws: bool,
    link: Option<(usize, usize)>,
) -> Option<(usize, usize)> {
    show_rows_highlighted(ui, text, rows, show_ws, link, &[])
}

/// As [`show_rows`], with the rows named in `highlight` framed and marked "compare".
pub fn show_rows_highlighted(
    ui: &mut egui::Ui,
    text: &str,
    rows: &[Row],
    show_ws: bool,
    link: Option<(usize, usize)>,
    highlight: &[&str],
) -> Option<(usize, usize)> {
    let mut hovered = None;
    for row in rows {
        ui.add_space(6.0);
        let marked = highlight.contains(&row.name.as_str());
        let frame = if marked {
            egui::Frame::new()
                .stroke(ui.visuals().selection.stroke)
                .fill(ui.visuals().faint_bg_color)
                .inner_margin(4.0)
                .corner_radius(4.0)
        } else {
            egui::Frame::new()
        };
        let inner = frame.show(ui, |ui| {
            if marked {
                ui.set_width(ui.available_width());
            }
            show_row(ui, text, row, show_ws, link, marked)
        });
        if let Some(span) = inner.inner {
            hovered = Some(span);
        }
    }
    hovered
}

/// One row: its name, its counts and its chips; returns the span of a hovered chip.
fn show_row(
    ui: &mut egui::Ui,
    text: &str,
    row: &Row,
    show_ws: bool,
    link: Option<(usize, usize)>,
    marked: bool,
) -> Option<(usize, usize)> {
    let n_chars = text.chars().count();
    let mut hovered = None;
    {
        ui.horizontal(|ui| {
            ui.label(RichText::new(&row.name).strong())
                .on_hover_text(&row.about);
            if marked {
                ui.label(
                    RichText::new("compare")
                        .small()
                        .color(ui.visuals().selection.stroke.color),
                );
            }
            match &row.outcome {
                RowOutcome::Tokens { chips, unknown } => {
                    let per = n_chars as f32 / chips.len().max(1) as f32;
                    let mut line =
                        format!("{} tokens · {per:.1} characters per token", chips.len());
                    if *unknown > 0 {
                        line.push_str(&format!(" · {unknown} unknown ([UNK])"));
                    }
                    ui.label(RichText::new(line).weak());
                }
                RowOutcome::Pending(why) => {
                    ui.spinner();
                    ui.label(RichText::new(why).weak());
                }
                RowOutcome::Failed(e) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
            }
        });
        if let RowOutcome::Tokens { chips, .. } = &row.outcome {
            let shown = &chips[..chips.len().min(MAX_CHIPS)];
            if let Some(i) = token_strip_linked(ui, shown, show_ws, link) {
                hovered = shown[i].span;
            }
            if chips.len() > MAX_CHIPS {
                ui.label(
                    RichText::new(format!(
                        "… showing the first {MAX_CHIPS} of {} tokens",
                        chips.len()
                    ))
                    .weak(),
                );
            }
        }
    }
    hovered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_widen_to_whole_characters() {
        let t = "a€b"; // € is 3 bytes: 1..4
        assert_eq!(whole_chars(t, 2, 2), (1, 4));
        assert_eq!(whole_chars(t, 2, 9), (1, t.len()));
    }
}
