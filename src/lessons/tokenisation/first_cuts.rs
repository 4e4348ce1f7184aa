//! Characters and words: the two obvious cuts, each token numbered by a vocabulary
//! trained on the corpus (step 1), and the word-level vocabulary's `[UNK]` made visible
//! on the learner's sentence (step 2).

use egui::RichText;

use super::rows::MAX_CHIPS;
use super::training::TokenizerStore;
use crate::model::text::{split_chars, split_words};
use crate::model::tokenize::char_word::UnitTokenizer;
use crate::model::tokenize::suite::TokenizerSuite;
use crate::widgets::TokenChip;
use crate::widgets::token_strip::{token_strip_numbered, visible_whitespace};

/// Made-up words offered when the learner's sentence has none outside the vocabulary;
/// the first one the vocabulary really lacks is suggested (checked live).
const SUGGESTIONS: [&str; 4] = ["unbankable", "bankification", "blorptastic", "Zyxwvut"];

/// How much of a learner's word a message quotes at most.
const QUOTE_CHARS: usize = 40;

/// One token of the learner's text as a vocabulary numbers it.
#[derive(Debug, Clone, PartialEq)]
pub struct Numbered {
    /// The text it covers, as typed.
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// Its id; 0 is `[UNK]`.
    pub id: u32,
}

impl Numbered {
    pub fn unknown(&self) -> bool {
        self.id == 0
    }
}

/// The pieces of `text` (characters or words, as `vocab` cuts) with their ids.
pub fn number(text: &str, vocab: &UnitTokenizer) -> Vec<Numbered> {
    let enc = vocab.encode(text);
    (0..enc.len())
        .filter_map(|i| {
            let (start, end) = enc.offsets[i];
            Some(Numbered {
                text: text.get(start..end)?.to_owned(),
                start,
                end,
                id: enc.ids[i],
            })
        })
        .collect()
}

/// `text` cut short to [`QUOTE_CHARS`] characters for a message.
pub fn quote(text: &str) -> String {
    let mut q: String = text.chars().take(QUOTE_CHARS).collect();
    if text.chars().count() > QUOTE_CHARS {
        q.push('…');
    }
    format!("\u{201c}{q}\u{201d}")
}

/// The first of [`SUGGESTIONS`] the word vocabulary lacks.
pub fn suggestion(words: &UnitTokenizer) -> Option<&'static str> {
    SUGGESTIONS
        .into_iter()
        .find(|w| words.encode(w).ids.first() == Some(&0))
}

/// The one-line policy for text the training corpus never contained.
pub fn unseen_policy(corpus: &str) -> String {
    format!(
        "A character or word never seen in {corpus} has no id of its own: it is written [UNK], id 0."
    )
}

/// Draws numbered chips: each chip with its id printed under it (`[UNK] 0` in the
/// warning colour when the vocabulary lacks it).
pub fn numbered_strip(ui: &mut egui::Ui, tokens: &[Numbered], show_ws: bool, as_unk: bool) {
    let chips: Vec<TokenChip> = tokens
        .iter()
        .take(MAX_CHIPS)
        .map(|t| {
            let written = if as_unk && t.unknown() {
                "[UNK]".to_owned()
            } else if show_ws {
                visible_whitespace(&t.text)
            } else {
                t.text.replace(['\n', '\r'], " ")
            };
            let written = if written.trim().is_empty() && !show_ws {
                "␣".to_owned()
            } else {
                written
            };
            TokenChip::new(written, Some(t.id))
                .with_detail(format!(
                    "bytes {}..{} of your sentence: {:?}{}",
                    t.start,
                    t.end,
                    t.text,
                    if t.unknown() {
                        "\nnot in the vocabulary: [UNK]"
                    } else {
                        ""
                    }
                ))
                .with_span(t.start, t.end)
                .with_unknown(t.unknown())
        })
        .collect();
    // The text is already written out; the strip prints it as it is.
    token_strip_numbered(ui, &chips, false);
    if tokens.len() > MAX_CHIPS {
        ui.label(
            RichText::new(format!(
                "… showing the first {MAX_CHIPS} of {} tokens",
                tokens.len()
            ))
            .weak(),
        );
    }
}

fn waiting(ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label("Building the vocabularies from the corpus (a few seconds)…");
    });
}

/// Step 1: characters and words, each numbered by the corpus-trained vocabulary.
pub fn show(ui: &mut egui::Ui, sentence: &str, store: &TokenizerStore, ws: bool) {
    let Some(suite) = store.suite.as_deref() else {
        waiting(ui);
        // The cuts need no vocabulary: show them while the ids are on their way.
        let chars = split_chars(sentence);
        let words = split_words(sentence);
        for (title, pieces) in [("Characters", &chars), ("Words and punctuation", &words)] {
            ui.add_space(8.0);
            ui.strong(format!("{title}: {} tokens", pieces.len()));
            crate::widgets::token_strip(
                ui,
                &crate::lessons::shared_views::chips(&pieces[..pieces.len().min(MAX_CHIPS)]),
                ws,
            );
        }
        return;
    };
    ui.label(format!(
        "The number under each token is its id: its place in a vocabulary built from {}. {}",
        suite.corpus_name,
        unseen_policy(&suite.corpus_name)
    ));
    let n_chars = sentence.chars().count();
    for (title, vocab, what) in [
        ("Characters", &suite.chars, "characters"),
        ("Words and punctuation", &suite.words, "words and marks"),
    ] {
        let tokens = number(sentence, vocab);
        let unknown = tokens.iter().filter(|t| t.unknown()).count();
        ui.add_space(8.0);
        ui.horizontal_wrapped(|ui| {
            ui.strong(title);
            let mut line = format!(
                "{} tokens, {:.1} characters per token · vocabulary: {} {what}",
                tokens.len(),
                n_chars as f32 / tokens.len().max(1) as f32,
                vocab.vocab_size().saturating_sub(1),
            );
            if unknown > 0 {
                line.push_str(&format!(" · {unknown} unknown ([UNK])"));
            }
            ui.label(line);
        });
        numbered_strip(ui, &tokens, ws, false);
    }
}

/// Step 2: the word-level vocabulary on the learner's sentence, `[UNK]` and all.
pub fn show_missing(ui: &mut egui::Ui, sentence: &str, store: &TokenizerStore, ws: bool) {
    let Some(suite) = store.suite.as_deref() else {
        waiting(ui);
        return;
    };
    let words = &suite.words;
    ui.label(format!(
        "The word-level vocabulary: the {} most frequent words and marks of {} (each seen twice or more). {}",
        words.vocab_size().saturating_sub(1),
        suite.corpus_name,
        unseen_policy(&suite.corpus_name)
    ));
    let tokens = number(sentence, words);
    ui.add_space(6.0);
    ui.strong("What the model receives");
    numbered_strip(ui, &tokens, ws, true);
    let mut missing: Vec<&Numbered> = Vec::new();
    for t in tokens.iter().filter(|t| t.unknown()) {
        if !missing.iter().any(|m| m.text == t.text) {
            missing.push(t);
        }
    }
    ui.add_space(8.0);
    if missing.is_empty() {
        let hint = match suggestion(words) {
            Some(w) => format!(" Add a made-up word such as {w}, or a word in another script."),
            None => " Add a made-up word or a word in another script.".to_owned(),
        };
        ui.label(
            RichText::new(format!(
                "Every word of your sentence is in the vocabulary, so no [UNK] appears.{hint}"
            ))
            .italics(),
        );
        return;
    }
    ui.strong(format!(
        "{} word{} the vocabulary lacks, and what a subword tokeniser makes of {}",
        missing.len(),
        if missing.len() == 1 { "" } else { "s" },
        if missing.len() == 1 { "it" } else { "them" },
    ));
    missing_table(ui, suite, &missing);
}

/// Each missing word: the word row's `[UNK]`, the character row and the trained
/// WordPiece's pieces, so the learner sees which cut keeps the word.
fn missing_table(ui: &mut egui::Ui, suite: &TokenizerSuite, missing: &[&Numbered]) {
    egui::Grid::new("missing-words")
        .striped(true)
        .num_columns(4)
        .show(ui, |ui| {
            for h in ["your word", "words", "characters", "WordPiece (yours)"] {
                ui.strong(h);
            }
            ui.end_row();
            for m in missing.iter().take(12) {
                ui.label(RichText::new(quote(&m.text)).strong());
                ui.monospace("[UNK] 0");
                let chars = number(&m.text, &suite.chars);
                let unknown_chars = chars.iter().filter(|c| c.unknown()).count();
                ui.label(if unknown_chars == 0 {
                    format!("{} pieces, all known", chars.len())
                } else {
                    format!("{} pieces, {unknown_chars} of them [UNK]", chars.len())
                });
                let enc = suite.wordpiece.encode(&m.text);
                let pieces: Vec<&str> = enc
                    .tokens
                    .iter()
                    .zip(&enc.special_mask)
                    .filter(|(_, s)| !**s)
                    .map(|(t, _)| t.as_str())
                    .collect();
                ui.monospace(pieces.join(" "));
                ui.end_row();
            }
        });
    if missing.len() > 12 {
        ui.label(RichText::new(format!("… and {} more", missing.len() - 12)).weak());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tokenize::char_word::Unit;

    #[test]
    fn ids_come_from_the_vocabulary_and_unseen_words_are_unk() {
        let v = UnitTokenizer::train("the bank the river bank the", Unit::Word, 10, 1);
        let n = number("the unbankable bank", &v);
        assert_eq!(n.len(), 3);
        assert_eq!(n[0].id, 1); // "the": most frequent
        assert!(n[1].unknown());
        assert_eq!(n[1].text, "unbankable");
        assert!(!n[2].unknown());
        assert_eq!(suggestion(&v), Some("unbankable"));
    }

    #[test]
    fn quotes_are_cut_short() {
        let long = "x".repeat(100);
        assert_eq!(quote(&long).chars().count(), QUOTE_CHARS + 3);
        assert_eq!(quote("bank"), "\u{201c}bank\u{201d}");
    }
}
