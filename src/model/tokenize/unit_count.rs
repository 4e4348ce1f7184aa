//! [`UnitCounter`]: the character and word vocabularies' one pass over the corpus, cut
//! into steps of about [`COUNT_BYTES`] bytes that end at a line break (where no
//! character or word continues), so the browser draws between them.
//! [`UnitTokenizer::train`] is the same steps back to back, so both give the same
//! vocabulary.

use rustc_hash::FxHashMap;

use super::char_word::{Unit, UnitTokenizer};
use crate::model::text::{line_chunk_end, word_ranges};

/// Corpus bytes a step counts: ~4 ms of words, ~8 ms of characters on the desktop.
pub const COUNT_BYTES: usize = 512 * 1024;

/// A count of a corpus's characters or words under way.
#[derive(Debug, Clone)]
pub struct UnitCounter {
    unit: Unit,
    /// The byte where the count resumes (a line's start).
    pos: usize,
    counts: FxHashMap<String, u64>,
}

impl UnitCounter {
    pub fn new(unit: Unit) -> UnitCounter {
        UnitCounter {
            unit,
            pos: 0,
            counts: FxHashMap::default(),
        }
    }

    /// Counts about `bytes` more bytes of `corpus`, which must be the same text at every
    /// step; true while some is left.
    pub fn count(&mut self, corpus: &str, bytes: usize) -> bool {
        let to = line_chunk_end(corpus, self.pos, bytes.max(1));
        // Empty only when a step is handed a shorter text than the first.
        let chunk = corpus.get(self.pos..to).unwrap_or_default();
        let counts = &mut self.counts;
        let mut count = |r: std::ops::Range<usize>| {
            let unit = &chunk[r];
            match counts.get_mut(unit) {
                Some(c) => *c += 1,
                None => {
                    counts.insert(unit.to_owned(), 1);
                }
            }
        };
        match self.unit {
            Unit::Char => chunk
                .char_indices()
                .for_each(|(i, c)| count(i..i + c.len_utf8())),
            Unit::Word => word_ranges(chunk).for_each(count),
        }
        self.pos = to.max(self.pos);
        self.pos < corpus.len()
    }

    /// The vocabulary: the most frequent units seen at least `min_count` times, at most
    /// `max_size` tokens including `[UNK]` (see [`UnitTokenizer::train`]).
    pub fn finish(&self, max_size: usize, min_count: u64) -> UnitTokenizer {
        UnitTokenizer::from_counts(self.unit, &self.counts, max_size, min_count)
    }

    /// Each unit and how often it occurs (what Unigram seeds from, for words).
    pub fn counts(&self) -> &FxHashMap<String, u64> {
        &self.counts
    }
}
