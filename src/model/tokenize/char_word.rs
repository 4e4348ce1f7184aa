//! The two simplest vocabularies, built from a corpus: one token per character or one
//! per word. They show the trade-off BPE resolves: characters give long sequences but
//! nothing is unknown; words give short sequences but every unseen word is `[UNK]`.
//!
//! ```text
//! corpus "the cat sat on the mat", max_size 5 (incl. [UNK]), min_count 1
//! word counts {the: 2, cat: 1, mat: 1, on: 1, sat: 1}
//! vocab   [UNK]=0 the=1 cat=2 mat=3 on=4     (count desc, then alphabetical)
//! "the dog sat" -> [1, 0, 0]                  ("dog" unseen, "sat" cut by max_size)
//! ```

use rustc_hash::FxHashMap;

use super::pieces::TokenPieces;
pub use super::unit_count::{COUNT_BYTES, UnitCounter};
use crate::model::text::{Piece, split_chars, split_words};

/// The unknown token, always id 0.
pub const UNK: &str = "[UNK]";

/// Characters or words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Every Unicode scalar value, whitespace included ([`split_chars`]).
    Char,
    /// Words and punctuation marks, whitespace dropped ([`split_words`]).
    Word,
}

/// A vocabulary of whole characters or whole words with `[UNK]` at id 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitTokenizer {
    unit: Unit,
    /// Token text by id (`tokens[0] == "[UNK]"`).
    tokens: Vec<String>,
    ids: FxHashMap<String, u32>,
    /// Corpus count by id (0 for `[UNK]`).
    counts: Vec<u64>,
}

impl UnitTokenizer {
    /// Keeps the most frequent units seen at least `min_count` times, at most
    /// `max_size` tokens including `[UNK]`; ties go to the alphabetically first.
    /// [`UnitCounter`]'s steps back to back.
    pub fn train(corpus: &str, unit: Unit, max_size: usize, min_count: u64) -> Self {
        let mut counter = UnitCounter::new(unit);
        while counter.count(corpus, COUNT_BYTES) {}
        counter.finish(max_size, min_count)
    }

    /// The vocabulary from each unit's count (the last step of [`UnitCounter`]).
    pub(super) fn from_counts(
        unit: Unit,
        counts: &FxHashMap<String, u64>,
        max_size: usize,
        min_count: u64,
    ) -> Self {
        let mut sorted: Vec<(&str, u64)> = counts
            .iter()
            .map(|(s, &c)| (s.as_str(), c))
            .filter(|&(_, c)| c >= min_count.max(1))
            .collect();
        sorted.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        sorted.truncate(max_size.saturating_sub(1));
        let mut tok = Self {
            unit,
            tokens: vec![UNK.to_string()],
            ids: FxHashMap::default(),
            counts: vec![0],
        };
        for (s, c) in sorted {
            tok.ids.insert(s.to_string(), tok.tokens.len() as u32);
            tok.tokens.push(s.to_string());
            tok.counts.push(c);
        }
        tok
    }

    fn split(unit: Unit, text: &str) -> Vec<Piece> {
        match unit {
            Unit::Char => split_chars(text),
            Unit::Word => split_words(text),
        }
    }

    pub fn unit(&self) -> Unit {
        self.unit
    }

    pub fn vocab_size(&self) -> usize {
        self.tokens.len()
    }

    /// Token text by id.
    pub fn token(&self, id: u32) -> Option<&str> {
        self.tokens.get(id as usize).map(String::as_str)
    }

    /// How often token `id` occurred in the training corpus.
    pub fn count(&self, id: u32) -> u64 {
        self.counts.get(id as usize).copied().unwrap_or(0)
    }

    /// Encodes; unknown units become `[UNK]` (id 0) with their offsets kept.
    pub fn encode(&self, text: &str) -> TokenPieces {
        let mut enc = TokenPieces::default();
        for p in Self::split(self.unit, text) {
            let id = self.ids.get(p.text.as_str()).copied().unwrap_or(0);
            let token = self.tokens.get(id as usize).map_or(UNK, String::as_str);
            enc.push(id, token.as_bytes(), p.start, p.end, false);
        }
        enc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_example() {
        let t = UnitTokenizer::train("the cat sat on the mat", Unit::Word, 5, 1);
        assert_eq!(t.tokens, ["[UNK]", "the", "cat", "mat", "on"]);
        let enc = t.encode("the dog sat");
        assert_eq!(enc.ids, [1, 0, 0]);
        assert_eq!(enc.offsets, [(0, 3), (4, 7), (8, 11)]);
    }
}
