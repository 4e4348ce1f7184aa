//! [`WordPieceCounter`]: the WordPiece trainer's one pass over the corpus (its words
//! counted, line by line), cut into steps of about [`COUNT_BYTES`] bytes that end at a
//! line break, so the browser draws between them. [`WordPieceTrainer::new`] is the same
//! steps back to back, so both give the same trainer.

use rustc_hash::FxHashMap;

use super::basic::BasicTokenizer;
use super::bpe_train::Pair;
use super::wordpiece_train::{SPECIALS, WordPieceTrainer};
use crate::model::text::line_chunk_end;

/// Corpus bytes a step counts: ~15 ms of BERT's basic tokeniser on the desktop.
pub const COUNT_BYTES: usize = 512 * 1024;

/// A WordPiece trainer's word count under way.
#[derive(Debug, Clone)]
pub struct WordPieceCounter {
    basic: BasicTokenizer,
    /// The byte where the count resumes (always at a line's start).
    pos: usize,
    word_counts: FxHashMap<String, u64>,
}

impl Default for WordPieceCounter {
    fn default() -> Self {
        WordPieceCounter {
            basic: BasicTokenizer::uncased(),
            pos: 0,
            word_counts: FxHashMap::default(),
        }
    }
}

impl WordPieceCounter {
    /// Counts the words of the lines in about `bytes` more bytes of `corpus`, which must
    /// be the same text at every step; true while some is left.
    pub fn count(&mut self, corpus: &str, bytes: usize) -> bool {
        let to = line_chunk_end(corpus, self.pos, bytes.max(1));
        // Empty only when a step is handed a shorter text than the first: nothing to count.
        let chunk = corpus.get(self.pos..to).unwrap_or_default();
        for line in chunk.lines() {
            for w in self.basic.tokenize(line) {
                *self.word_counts.entry(w).or_default() += 1;
            }
        }
        self.pos = to.max(self.pos);
        self.pos < corpus.len()
    }

    /// Each word (lower-cased, accents stripped, punctuation split) and its count.
    pub fn word_counts(&self) -> &FxHashMap<String, u64> {
        &self.word_counts
    }

    /// The trainer, from the counts (the alphabet, the words as symbols, their pairs).
    /// Pairs seen fewer than `min_pair_count` times are never merged.
    pub fn finish(self, vocab_size: usize, min_pair_count: u64) -> WordPieceTrainer {
        let mut distinct: Vec<(String, u64)> = self.word_counts.into_iter().collect();
        distinct.sort_unstable();

        let mut alphabet: Vec<String> = distinct
            .iter()
            .flat_map(|(w, _)| {
                w.chars().enumerate().map(|(i, c)| {
                    if i == 0 {
                        c.to_string()
                    } else {
                        format!("##{c}")
                    }
                })
            })
            .collect();
        // Word-initial characters first, then the `##` ones, each in code point order.
        alphabet.sort_unstable_by(|a, b| (a.starts_with("##"), a).cmp(&(b.starts_with("##"), b)));
        alphabet.dedup();
        let mut vocab: Vec<String> = SPECIALS.iter().map(|s| s.to_string()).collect();
        vocab.extend(alphabet);
        let index: FxHashMap<&str, u32> = vocab
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i as u32))
            .collect();

        let mut words = Vec::with_capacity(distinct.len());
        let mut counts = Vec::with_capacity(distinct.len());
        for (w, c) in &distinct {
            let ids: Vec<u32> = w
                .chars()
                .enumerate()
                .map(|(i, ch)| {
                    let t = if i == 0 {
                        ch.to_string()
                    } else {
                        format!("##{ch}")
                    };
                    index.get(t.as_str()).copied().unwrap_or(1)
                })
                .collect();
            words.push(ids);
            counts.push(*c);
        }
        drop(index);
        let mut symbol_counts = vec![0u64; vocab.len()];
        let mut pair_counts: FxHashMap<Pair, u64> = FxHashMap::default();
        let mut pair_words: FxHashMap<Pair, Vec<u32>> = FxHashMap::default();
        for (wi, (w, &c)) in words.iter().zip(&counts).enumerate() {
            for &s in w {
                symbol_counts[s as usize] += c;
            }
            for p in w.windows(2) {
                *pair_counts.entry((p[0], p[1])).or_default() += c;
                pair_words.entry((p[0], p[1])).or_default().push(wi as u32);
            }
        }
        let max_count = pair_counts.values().copied().max().unwrap_or(1);
        WordPieceTrainer {
            vocab_size,
            min_pair_count: min_pair_count.max(1),
            threshold: (max_count / 4).max(min_pair_count.max(1)),
            vocab,
            words,
            counts,
            symbol_counts,
            pair_counts,
            pair_words,
            merges: Vec::new(),
        }
    }
}
