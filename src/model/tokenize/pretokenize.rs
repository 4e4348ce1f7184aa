//! Pre-tokenisation: cutting text into pieces before the model sees it. BPE never
//! merges across pieces, so these rules decide, for instance, that `" world"` keeps
//! its leading space and that GPT-4 groups digits by threes.
//!
//! The same text under each split (pieces shown between `|`):
//!
//! ```text
//! "I've 12345 cats!!\n"
//! GPT-2  (r50k):   |I|'ve| 12345| cats|!!|\n|
//! GPT-4  (cl100k): |I|'ve| |123|45| cats|!!\n|
//! GPT-4o (o200k):  |I've| |123|45| cats|!!\n|
//! ```

use fancy_regex::Regex;

use super::TokenizeError;
use super::{cl100k_split, gpt2_split, o200k_split};
use crate::model::text::Piece;

/// GPT-2 / r50k: contractions, letters, digits, other symbols, each with an optional
/// leading space; whitespace runs give their last space to the next word.
pub const GPT2_PATTERN: &str =
    r"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s";

/// GPT-4 / cl100k: case-insensitive contractions, a word may take one leading
/// non-letter (e.g. a space or `"`), digits in groups of at most three, newlines kept
/// with the punctuation before them.
pub const CL100K_PATTERN: &str = r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s";

/// GPT-4o / o200k: words split at case changes (`"camelCase"` → `camel|Case`) and
/// carry their contraction (`"I've"` stays whole); otherwise like cl100k.
pub const O200K_PATTERN: &str = concat!(
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"|\p{N}{1,3}",
    r"| ?[^\s\p{L}\p{N}]+[\r\n/]*",
    r"|\s*[\r\n]+",
    r"|\s+(?!\S)",
    r"|\s+",
);

/// A pre-tokeniser: a regex, or for the three GPT patterns its hand-written twin
/// ([`gpt2_split`], [`cl100k_split`], [`o200k_split`]), which gives the same
/// pieces (checked by the tests) several times faster without compiling the regex.
#[derive(Debug, Clone)]
pub struct RegexSplit {
    how: How,
}

#[derive(Debug, Clone)]
enum How {
    Regex(Box<Regex>),
    Gpt2,
    Cl100k,
    O200k,
}

impl RegexSplit {
    pub fn new(pattern: &str) -> Result<Self, TokenizeError> {
        let how = match pattern {
            GPT2_PATTERN => How::Gpt2,
            CL100K_PATTERN => How::Cl100k,
            O200K_PATTERN => How::O200k,
            _ => return Self::regex_only(pattern),
        };
        Ok(Self { how })
    }

    /// Always through the regex engine, even for a pattern with a hand-written
    /// twin: the reference those twins are tested and benchmarked against.
    pub fn regex_only(pattern: &str) -> Result<Self, TokenizeError> {
        Regex::new(pattern)
            .map(|regex| Self {
                how: How::Regex(Box::new(regex)),
            })
            .map_err(|e| TokenizeError::Regex(e.to_string()))
    }

    pub fn gpt2() -> Self {
        Self { how: How::Gpt2 }
    }

    pub fn cl100k() -> Self {
        Self { how: How::Cl100k }
    }

    pub fn o200k() -> Self {
        Self { how: How::O200k }
    }

    /// Calls `f(start, end)` for each piece, in order; unmatched text (there is none
    /// with the built-in patterns, whose last branch takes any whitespace and every
    /// other character is taken by an earlier one) becomes its own piece, so the
    /// ranges always cover `text`.
    pub fn for_each_range(
        &self,
        text: &str,
        f: impl FnMut(usize, usize),
    ) -> Result<(), TokenizeError> {
        match &self.how {
            How::Gpt2 => gpt2_split::for_each_piece(text, f),
            How::Cl100k => cl100k_split::for_each_piece(text, f),
            How::O200k => o200k_split::for_each_piece(text, f),
            How::Regex(regex) => return regex_ranges(regex, text, f),
        }
        Ok(())
    }

    /// The pieces with their byte offsets: GPT-2 on `"Hello  world"` →
    /// `["Hello", " ", " world"]`.
    pub fn split(&self, text: &str) -> Result<Vec<Piece>, TokenizeError> {
        let mut pieces = Vec::new();
        self.for_each_range(text, |start, end| {
            pieces.push(Piece {
                text: text[start..end].to_string(),
                start,
                end,
            })
        })?;
        Ok(pieces)
    }
}

/// The regex's matches as ranges, with any unmatched text between them as pieces of
/// its own, so the ranges cover `text`.
fn regex_ranges(
    regex: &Regex,
    text: &str,
    mut f: impl FnMut(usize, usize),
) -> Result<(), TokenizeError> {
    let mut covered = 0;
    for m in regex.find_iter(text) {
        let m = m.map_err(|e| TokenizeError::Regex(e.to_string()))?;
        if m.start() > covered {
            f(covered, m.start());
        }
        if m.end() > m.start() {
            f(m.start(), m.end());
        }
        covered = m.end();
    }
    if covered < text.len() {
        f(covered, text.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(split: &RegexSplit, text: &str) -> Vec<String> {
        split
            .split(text)
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.text)
            .collect()
    }

    #[test]
    fn the_three_splits_differ_as_documented() {
        let text = "I've 12345 cats!!\n";
        assert_eq!(
            show(&RegexSplit::gpt2(), text),
            ["I", "'ve", " 12345", " cats", "!!", "\n"]
        );
        assert_eq!(
            show(&RegexSplit::cl100k(), text),
            ["I", "'ve", " ", "123", "45", " cats", "!!\n"]
        );
        assert_eq!(
            show(&RegexSplit::o200k(), text),
            ["I've", " ", "123", "45", " cats", "!!\n"]
        );
        assert_eq!(
            show(&RegexSplit::gpt2(), "Hello  world"),
            ["Hello", " ", " world"]
        );
        assert_eq!(show(&RegexSplit::o200k(), "camelCase"), ["camel", "Case"]);
    }
}
