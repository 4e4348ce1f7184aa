//! [`BpeCounter`]: the BPE trainer's one pass over the corpus (its words counted), cut
//! into steps of about [`COUNT_BYTES`] bytes, so the browser, which cannot count on
//! another thread, draws between them. [`BpeTrainer::new`] is the same steps back to
//! back, so both give the same trainer.
//!
//! A step ends only at a space between two visible ASCII characters (`"a b"`): the
//! piece before it ends there and the next starts there (`" b"`) both for GPT-2's
//! pre-tokeniser and for [`crate::model::text::split_words`], so counting the text in
//! chunks cut there finds the same pieces as counting it whole.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rustc_hash::FxHashMap;

use super::TokenizeError;
use super::bpe_train::{Base, BpeConfig, BpeTrainer, TieBreak, UNK};
use super::pretokenize::RegexSplit;

/// Corpus bytes a step counts: ~10 ms of GPT-2 splitting on the desktop.
pub const COUNT_BYTES: usize = 512 * 1024;

/// A BPE trainer's word count under way.
#[derive(Debug, Clone)]
pub struct BpeCounter {
    config: BpeConfig,
    base: Base,
    /// The specials so far; the alphabet and merges follow once the count is done.
    vocab: Vec<Vec<u8>>,
    /// The text between special tokens as byte ranges (found by the first step).
    segments: Option<Vec<(usize, usize)>>,
    /// The segment in hand, and the byte where its count resumes.
    segment: usize,
    pos: usize,
    /// Each word's count and the byte offset of its first occurrence.
    word_counts: FxHashMap<String, (u64, usize)>,
}

impl BpeCounter {
    /// A count with `config`'s special tokens and pre-tokeniser; nothing counted yet.
    pub fn new(config: BpeConfig) -> BpeCounter {
        let mut vocab: Vec<Vec<u8>> = Vec::new();
        let mut specials = Vec::new();
        let mut names: Vec<String> = Vec::new();
        if !config.byte_level {
            names.push(UNK.to_string());
        }
        for s in &config.special_tokens {
            if !s.is_empty() && !names.contains(s) {
                names.push(s.clone());
            }
        }
        for s in names {
            specials.push((s.clone(), vocab.len() as u32));
            vocab.push(s.into_bytes());
        }
        let base = Base {
            byte_level: config.byte_level,
            specials,
            char_ids: FxHashMap::default(),
            unk: if config.byte_level { None } else { Some(0) },
            byte0: vocab.len() as u32,
            split: if config.byte_level {
                Some(RegexSplit::gpt2())
            } else {
                None
            },
        };
        BpeCounter {
            config,
            base,
            vocab,
            segments: None,
            segment: 0,
            pos: 0,
            word_counts: FxHashMap::default(),
        }
    }

    /// Counts the words of about `bytes` more bytes of `corpus`, which must be the same
    /// text at every step; true while some is left.
    pub fn count(&mut self, corpus: &str, bytes: usize) -> Result<bool, TokenizeError> {
        let base = &self.base;
        let segments = self.segments.get_or_insert_with(|| {
            base.split_specials(corpus)
                .into_iter()
                .filter(|(_, _, special)| special.is_none())
                .map(|(s, e, _)| (s, e))
                .collect()
        });
        let mut budget = bytes.max(1);
        while let Some(&(s, e)) = segments.get(self.segment) {
            let from = self.pos.max(s);
            let to = chunk_end(corpus.as_bytes(), from, e, budget);
            // Only reached when a step is handed a shorter text than the first (a chunk
            // then always moves on: `from < to`).
            let chunk = corpus
                .get(from..to)
                .filter(|_| e <= corpus.len() && from < to)
                .ok_or_else(|| TokenizeError::Vocab("the corpus changed while counting".into()))?;
            let counts = &mut self.word_counts;
            base.pieces(chunk, &mut |a, b| {
                let word = &chunk[a..b];
                match counts.get_mut(word) {
                    Some(c) => c.0 += 1,
                    None => {
                        counts.insert(word.to_owned(), (1, from + a));
                    }
                }
            })?;
            if to == e {
                self.segment += 1;
            }
            self.pos = to;
            budget = budget.saturating_sub(to - from);
            if budget == 0 {
                break;
            }
        }
        Ok(self.segment < segments.len())
    }

    /// The trainer, from the counts (the alphabet, the words as symbols, their pairs).
    pub fn finish(self) -> BpeTrainer {
        let BpeCounter {
            config,
            mut base,
            mut vocab,
            word_counts,
            ..
        } = self;
        let mut distinct: Vec<(String, (u64, usize))> = word_counts.into_iter().collect();
        distinct.sort_unstable();

        if config.byte_level {
            vocab.extend((0..=255u8).map(|b| vec![b]));
        } else {
            let mut chars: Vec<char> = distinct.iter().flat_map(|(w, _)| w.chars()).collect();
            chars.sort_unstable();
            chars.dedup();
            for c in chars {
                base.char_ids.insert(c, vocab.len() as u32);
                vocab.push(c.to_string().into_bytes());
            }
        }

        let mut symbols = Vec::new();
        let mut words = Vec::with_capacity(distinct.len());
        let mut counts = Vec::with_capacity(distinct.len());
        let mut first_seen = Vec::with_capacity(distinct.len());
        for (w, (c, first)) in distinct {
            base.symbols(&w, &mut symbols);
            words.push(symbols.iter().map(|s| s.0).collect::<Vec<u32>>());
            counts.push(c);
            first_seen.push(first);
        }
        let mut trainer = BpeTrainer {
            config,
            base,
            vocab,
            words,
            counts,
            pair_counts: FxHashMap::default(),
            pair_words: FxHashMap::default(),
            heap: BinaryHeap::new(),
            merges: Vec::new(),
            first_seen,
            tie_break: TieBreak::SmallerIds,
        };
        trainer.pair_counts = trainer.recount();
        for (wi, w) in trainer.words.iter().enumerate() {
            for p in w.windows(2) {
                trainer
                    .pair_words
                    .entry((p[0], p[1]))
                    .or_default()
                    .push(wi as u32);
            }
        }
        trainer.heap = trainer
            .pair_counts
            .iter()
            .map(|(&p, &c)| (c, Reverse(p)))
            .collect();
        trainer
    }
}

/// Where a chunk of `text[from..end]` of about `bytes` bytes ends: at the first space at
/// or after `from + bytes` between two visible ASCII characters, else at `end`.
fn chunk_end(text: &[u8], from: usize, end: usize, bytes: usize) -> usize {
    let end = end.min(text.len());
    let target = from.saturating_add(bytes);
    if target >= end {
        return end;
    }
    (target.max(from + 1)..end.saturating_sub(1))
        .find(|&i| {
            text[i] == b' ' && text[i - 1].is_ascii_graphic() && text[i + 1].is_ascii_graphic()
        })
        .unwrap_or(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_end_at_a_space_between_visible_characters() {
        let text = "ab  cd ef\u{a0}g hi".as_bytes();
        assert_eq!(chunk_end(text, 0, text.len(), 1), 6);
        assert_eq!(chunk_end(text, 6, text.len(), 1), 12);
        assert_eq!(chunk_end(text, 0, text.len(), 100), text.len());
        assert_eq!(chunk_end(text, 0, 5, 1), 5);
    }

    #[test]
    fn a_shorter_text_at_a_later_step_is_an_error() {
        let mut counter = BpeCounter::new(BpeConfig::default());
        assert!(matches!(counter.count("ab cd ef gh", 2), Ok(true)));
        assert!(counter.count("ab", 2).is_err());
    }

    #[test]
    fn tiny_steps_count_the_pieces_of_the_whole_text() -> Result<(), TokenizeError> {
        let text =
            "I've  12345 cats!! a b\n\n  don't\u{a0}stop 'll x 're <|endoftext|>é b\t c  \n x y";
        for byte_level in [true, false] {
            let config = BpeConfig {
                vocab_size: 1000,
                byte_level,
                special_tokens: vec!["<|endoftext|>".to_owned()],
                min_pair_count: 1,
            };
            let mut whole = BpeCounter::new(config.clone());
            while whole.count(text, usize::MAX)? {}
            for bytes in 1..12 {
                let mut stepped = BpeCounter::new(config.clone());
                let mut steps = 1;
                while stepped.count(text, bytes)? {
                    steps += 1;
                }
                assert!(steps >= 3, "{steps} steps of {bytes} bytes");
                assert_eq!(
                    stepped.word_counts, whole.word_counts,
                    "{bytes} bytes a step"
                );
            }
        }
        Ok(())
    }
}
