//! Several real models' normaliser and pre-tokeniser rules run side by side, each piece
//! with its byte offsets in the original text: plain whitespace splitting, BERT's
//! (uncased and cased), GPT-2's (a leading space kept and shown as `Ġ`) and the
//! SentencePiece "metaspace" rule of ALBERT and T5 (NFKC, a space becomes `▁`, and the
//! first word gets one too; ALBERT decomposes (NFKD), drops accents and lower-cases).
//!
//! ```
//! use llm_lens::model::tokenize::pre_tokenizers::{Rule, pieces};
//! let p = pieces(Rule::Metaspace { lowercase: true }, "Hi  Bob");
//! let texts: Vec<&str> = p.iter().map(|p| p.text.as_str()).collect();
//! assert_eq!(texts, ["▁hi", "▁bob"]);
//! assert_eq!((p[1].start, p[1].end), (4, 7));
//! ```

use unicode_normalization::UnicodeNormalization;

use super::basic::BasicTokenizer;
use super::byte_level::bytes_to_visible;
use super::gpt2_split;
use crate::model::text::Piece;

/// One model family's rules up to the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Split at white space, keep everything else.
    Whitespace,
    /// BERT's basic tokeniser; `lowercase` also strips accents (the uncased models).
    Bert { lowercase: bool },
    /// GPT-2's regex, pieces written in its visible byte alphabet (`Ġ` = a space).
    Gpt2,
    /// SentencePiece's metaspace: `▁` for the space before each word, after NFKC (T5)
    /// or, with `lowercase`, NFKD without accents, lower-cased (ALBERT).
    Metaspace { lowercase: bool },
}

impl Rule {
    pub const ALL: [Rule; 6] = [
        Rule::Whitespace,
        Rule::Bert { lowercase: true },
        Rule::Bert { lowercase: false },
        Rule::Gpt2,
        Rule::Metaspace { lowercase: true },
        Rule::Metaspace { lowercase: false },
    ];

    pub fn name(self) -> &'static str {
        match self {
            Rule::Whitespace => "white space only",
            Rule::Bert { lowercase: true } => "BERT uncased",
            Rule::Bert { lowercase: false } => "BERT cased",
            Rule::Gpt2 => "GPT-2 / RoBERTa",
            Rule::Metaspace { lowercase: true } => "ALBERT",
            Rule::Metaspace { lowercase: false } => "T5",
        }
    }

    /// What the normaliser does before the split, in a few words.
    pub fn normaliser(self) -> &'static str {
        match self {
            Rule::Whitespace => "none",
            Rule::Bert { lowercase: true } => "clean-up, CJK spacing, strip accents, lower-case",
            Rule::Bert { lowercase: false } => "clean-up, CJK spacing",
            Rule::Gpt2 => "none: every byte is kept",
            Rule::Metaspace { lowercase: true } => "NFKD, strip accents, lower-case",
            Rule::Metaspace { lowercase: false } => "NFKC",
        }
    }
}

/// The pieces `rule` hands to the model for `text`, with byte offsets into `text`.
pub fn pieces(rule: Rule, text: &str) -> Vec<Piece> {
    match rule {
        Rule::Whitespace => whitespace_words(text)
            .map(|(s, e)| piece(text[s..e].to_owned(), s, e))
            .collect(),
        Rule::Bert { lowercase } => {
            let basic = if lowercase {
                BasicTokenizer::uncased()
            } else {
                BasicTokenizer::cased()
            };
            basic
                .split(text, 0)
                .into_iter()
                .filter(|w| !w.is_empty())
                .map(|w| {
                    let (s, e) = (w[0].start, w[w.len() - 1].end);
                    piece(w.iter().map(|c| c.ch).collect(), s, e)
                })
                .collect()
        }
        Rule::Gpt2 => {
            let mut out = Vec::new();
            gpt2_split::for_each_piece(text, |s, e| {
                out.push(piece(bytes_to_visible(&text.as_bytes()[s..e]), s, e));
            });
            out
        }
        Rule::Metaspace { lowercase } => whitespace_words(text)
            .map(|(s, e)| {
                let word: String = if lowercase {
                    text[s..e]
                        .nfkd()
                        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
                        .collect::<String>()
                        .to_lowercase()
                } else {
                    text[s..e].nfkc().collect()
                };
                piece(format!("▁{word}"), s, e)
            })
            .collect(),
    }
}

fn piece(text: String, start: usize, end: usize) -> Piece {
    Piece { text, start, end }
}

/// Byte ranges of the runs of non-white-space characters.
fn whitespace_words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = None;
    text.char_indices()
        .chain(std::iter::once((text.len(), ' ')))
        .filter_map(move |(i, c)| match (start, c.is_whitespace()) {
            (None, false) => {
                start = Some(i);
                None
            }
            (Some(s), true) => {
                start = None;
                Some((s, i))
            }
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(rule: Rule, text: &str) -> Vec<String> {
        pieces(rule, text).into_iter().map(|p| p.text).collect()
    }

    #[test]
    fn each_rule_cuts_as_its_model_does() {
        let s = "Héllo, world! ﬁne";
        assert_eq!(texts(Rule::Whitespace, s), ["Héllo,", "world!", "ﬁne"]);
        assert_eq!(
            texts(Rule::Bert { lowercase: true }, s),
            ["hello", ",", "world", "!", "ﬁne"]
        );
        assert_eq!(
            texts(Rule::Bert { lowercase: false }, s),
            ["Héllo", ",", "world", "!", "ﬁne"]
        );
        assert_eq!(
            texts(Rule::Gpt2, s),
            ["HÃ©llo", ",", "Ġworld", "!", "Ġï¬ģne"]
        );
        assert_eq!(
            texts(Rule::Metaspace { lowercase: false }, s),
            ["▁Héllo,", "▁world!", "▁fine"]
        );
        // Offsets always point into the original text.
        for rule in Rule::ALL {
            for p in pieces(rule, s) {
                assert!(s.get(p.start..p.end).is_some(), "{rule:?} {p:?}");
            }
        }
    }
}
