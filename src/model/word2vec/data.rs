//! The corpus as token ids: what the training loops actually read.

use super::vocab::Vocab;
use crate::model::corpus::{Corpus, words};
use std::collections::HashMap;

/// Every paragraph of the corpus as vocabulary ids, out-of-vocabulary words
/// removed (as word2vec.c and gensim do, so windows close over the gap).
///
/// Paragraph `s` is `ids[ends[s-1]..ends[s]]` (with `ends[-1] = 0`).
#[derive(Debug, Clone, Default)]
pub struct TrainingData {
    pub vocab: Vocab,
    pub ids: Vec<u32>,
    pub ends: Vec<usize>,
    /// All words in the corpus, including those below `min_count`.
    pub raw_words: u64,
}

impl TrainingData {
    /// Tokenises the corpus once, interning words as it goes, then keeps the
    /// words seen at least `min_count` times.
    pub fn build(corpus: &Corpus, min_count: u64) -> TrainingData {
        let mut intern: HashMap<String, u32> = HashMap::new();
        let mut counts: Vec<u64> = Vec::new();
        let mut raw_ids: Vec<u32> = Vec::new();
        let mut raw_ends: Vec<usize> = Vec::new();
        for para in corpus.paragraphs() {
            for w in words(para) {
                let id = match intern.get(w.as_ref()) {
                    Some(&id) => id,
                    None => {
                        let id = counts.len() as u32;
                        intern.insert(w.into_owned(), id);
                        counts.push(0);
                        id
                    }
                };
                counts[id as usize] += 1;
                raw_ids.push(id);
            }
            raw_ends.push(raw_ids.len());
        }
        let raw_words = raw_ids.len() as u64;
        let vocab = Vocab::from_counts(
            intern
                .iter()
                .map(|(w, &id)| (w.as_str(), counts[id as usize])),
            min_count,
        );
        // raw id -> vocabulary id (u32::MAX: dropped).
        let mut remap = vec![u32::MAX; counts.len()];
        for (w, &raw) in &intern {
            if let Some(id) = vocab.id(w) {
                remap[raw as usize] = id;
            }
        }
        let mut ids = Vec::with_capacity(raw_ids.len());
        let mut ends = Vec::with_capacity(raw_ends.len());
        let mut start = 0;
        for &end in &raw_ends {
            ids.extend(
                raw_ids[start..end]
                    .iter()
                    .map(|&r| remap[r as usize])
                    .filter(|&id| id != u32::MAX),
            );
            if ends.last() != Some(&ids.len()) {
                ends.push(ids.len());
            }
            start = end;
        }
        TrainingData {
            vocab,
            ids,
            ends,
            raw_words,
        }
    }

    /// Number of paragraphs with at least one kept word.
    pub fn sentence_count(&self) -> usize {
        self.ends.len()
    }

    /// Paragraph `s` as ids.
    pub fn sentence(&self, s: usize) -> &[u32] {
        let start = if s == 0 { 0 } else { self.ends[s - 1] };
        &self.ids[start..self.ends[s]]
    }

    /// Splits the paragraphs into `parts` contiguous ranges with about the same
    /// number of words each: one per worker thread.
    pub fn split(&self, parts: usize) -> Vec<std::ops::Range<usize>> {
        let parts = parts.max(1);
        let total = self.ids.len();
        let mut ranges = Vec::with_capacity(parts);
        let mut s = 0;
        for p in 1..=parts {
            let target = total * p / parts;
            let start = s;
            while s < self.ends.len() && (self.ends[s] <= target || p == parts) {
                s += 1;
            }
            ranges.push(start..s);
        }
        ranges
    }
}
