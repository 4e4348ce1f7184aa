//! Byte-pair encoding, trained from scratch on a corpus, every merge recorded so the
//! lesson can replay it.
//!
//! Training counts the corpus's words once, then repeatedly merges the most frequent
//! adjacent pair of symbols into a new token. With words as symbol ids and counts:
//!
//! ```text
//! words  {[l o w]: 1, [l o w e r]: 1, [n e w e r]: 1}
//! pairs  {(l,o): 2, (o,w): 2, (w,e): 2, (e,r): 2, (n,e): 1, (e,w): 1}
//! merge 1: (e,r) -> "er"  (count 2; ties broken as below)
//! words  {[l o w]: 1, [l o w er]: 1, [n e w er]: 1}
//! pairs  {(l,o): 2, (o,w): 2, (w,er): 2, (n,e): 1, (e,w): 1}
//! ```
//!
//! **Incremental counts.** After a merge only the words that contained the pair are
//! touched: a pair → word-index list says which, and their old pairs are subtracted
//! and new pairs added (times the word's count). A lazy max-heap finds the best pair:
//! an entry whose stored count is out of date is re-pushed with the current count.
//!
//! **Tie-breaking (deterministic).** The highest count wins; among equal counts, the
//! pair with the smaller `(left id, right id)`. Base symbols get ids in byte / code
//! point order, so among them this is alphabetical, and older tokens beat newer ones.
//! [`TieBreak::FirstSeen`] instead picks the tied pair met first when the words are read
//! in corpus order, as a Python loop over an insertion-ordered dict does (the course's
//! toy run); it rescans the words at every merge, so it is meant for small corpora.
//!
//! **Vocabulary layout.** Special tokens first (character-level adds `[UNK]` as id 0),
//! then the base alphabet (byte-level: the 256 bytes in byte order; otherwise every
//! character of the corpus in code point order), then one id per merge.
//!
//! **Byte-level** (GPT-2 style) training pre-tokenises with GPT-2's regex and starts
//! from bytes, so nothing is ever unknown; merges are written with GPT-2's visible
//! byte characters (`" the"` → `"Ġthe"`). Character-level training splits words with
//! [`split_words`] (whitespace dropped) and maps unseen characters to `[UNK]`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::AtomicBool;

use rustc_hash::FxHashMap;

use super::TokenizeError;
use super::pretokenize::RegexSplit;
use crate::model::text::split_words;

pub use super::bpe_count::{BpeCounter, COUNT_BYTES};
pub use super::bpe_model::BpeModel;

/// A pair of adjacent token ids.
pub type Pair = (u32, u32);

/// The unknown token of character-level BPE.
pub const UNK: &str = "[UNK]";

/// Training settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BpeConfig {
    /// Stop when the vocabulary (specials + alphabet + merges) reaches this size.
    pub vocab_size: usize,
    /// GPT-2 style: bytes as the alphabet, GPT-2's pre-tokeniser, no `[UNK]`.
    pub byte_level: bool,
    /// Tokens that are never split or merged (e.g. `<|endoftext|>`).
    pub special_tokens: Vec<String>,
    /// Stop when the best pair occurs fewer times than this.
    pub min_pair_count: u64,
}

impl Default for BpeConfig {
    fn default() -> Self {
        Self {
            vocab_size: 1000,
            byte_level: true,
            special_tokens: Vec::new(),
            min_pair_count: 1,
        }
    }
}

/// One recorded merge: `pair` (seen `count` times) became token `new_id` = `token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    pub pair: Pair,
    pub count: u64,
    pub new_id: u32,
    pub token: Vec<u8>,
}

/// How raw text becomes base symbols; shared by the trainer and the model.
#[derive(Debug, Clone)]
pub(super) struct Base {
    pub(super) byte_level: bool,
    pub(super) specials: Vec<(String, u32)>,
    /// Character-level: character → id.
    pub(super) char_ids: FxHashMap<char, u32>,
    pub(super) unk: Option<u32>,
    /// Byte-level: id of byte 0 (bytes are consecutive).
    pub(super) byte0: u32,
    pub(super) split: Option<RegexSplit>,
}

impl Base {
    /// Calls `f(piece_start, piece_end)` for each pre-tokenised piece of `text`.
    pub(super) fn pieces(
        &self,
        text: &str,
        f: &mut dyn FnMut(usize, usize),
    ) -> Result<(), TokenizeError> {
        match &self.split {
            Some(split) => split.for_each_range(text, f),
            None => {
                for p in split_words(text) {
                    f(p.start, p.end)
                }
                Ok(())
            }
        }
    }

    /// Base symbols of one piece as `(id, start, end)`, offsets relative to the piece.
    pub(super) fn symbols(&self, piece: &str, out: &mut Vec<(u32, usize, usize)>) {
        out.clear();
        if self.byte_level {
            out.extend(
                piece
                    .bytes()
                    .enumerate()
                    .map(|(i, b)| (self.byte0 + b as u32, i, i + 1)),
            );
        } else {
            for (i, c) in piece.char_indices() {
                let id = self.char_ids.get(&c).copied().or(self.unk).unwrap_or(0);
                out.push((id, i, i + c.len_utf8()));
            }
        }
    }

    /// Splits `text` at special tokens: `(start, end, Some(id))` for a special,
    /// `(start, end, None)` for ordinary text between them.
    pub(super) fn split_specials(&self, text: &str) -> Vec<(usize, usize, Option<u32>)> {
        let mut out = Vec::new();
        let mut pos = 0;
        loop {
            let rest = &text[pos..];
            let next = self
                .specials
                .iter()
                .filter(|(s, _)| !s.is_empty())
                .filter_map(|(s, id)| rest.find(s.as_str()).map(|i| (pos + i, s.len(), *id)))
                .min_by_key(|&(start, len, _)| (start, Reverse(len)));
            match next {
                Some((start, len, id)) => {
                    if start > pos {
                        out.push((pos, start, None));
                    }
                    out.push((start, start + len, Some(id)));
                    pos = start + len;
                }
                None => {
                    if pos < text.len() {
                        out.push((pos, text.len(), None));
                    }
                    return out;
                }
            }
        }
    }
}

/// How a merge is chosen among pairs with the same count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TieBreak {
    /// The smaller `(left id, right id)`: alphabetical among base symbols.
    #[default]
    SmallerIds,
    /// The pair that occurs first when the words are read in order of first appearance.
    FirstSeen,
}

/// A step-by-step BPE trainer (the UI can call [`BpeTrainer::step`] and show
/// [`BpeTrainer::top_pairs`] between steps); [`train`] runs it to the end.
#[derive(Debug, Clone)]
pub struct BpeTrainer {
    pub(super) config: BpeConfig,
    pub(super) base: Base,
    pub(super) vocab: Vec<Vec<u8>>,
    /// Distinct words (as symbol ids), sorted by their text, and their counts.
    pub(super) words: Vec<Vec<u32>>,
    pub(super) counts: Vec<u64>,
    pub(super) pair_counts: FxHashMap<Pair, u64>,
    /// Which words contain a pair (may hold stale or repeated indices).
    pub(super) pair_words: FxHashMap<Pair, Vec<u32>>,
    pub(super) heap: BinaryHeap<(u64, Reverse<Pair>)>,
    pub(super) merges: Vec<Merge>,
    /// Byte offset of each distinct word's first occurrence in the corpus.
    pub(super) first_seen: Vec<usize>,
    pub(super) tie_break: TieBreak,
}

impl BpeTrainer {
    /// Counts the corpus's words and their pairs (the only full pass over the corpus):
    /// [`BpeCounter`]'s steps back to back.
    pub fn new(corpus: &str, config: BpeConfig) -> Result<Self, TokenizeError> {
        let mut counter = BpeCounter::new(config);
        while counter.count(corpus, COUNT_BYTES)? {}
        Ok(counter.finish())
    }

    /// Pair counts computed from scratch over all words (what the incremental counts
    /// must always equal): `[1, 2, 3, 1, 2]` ×1 → `{(1, 2): 2, (2, 3): 1, (3, 1): 1}`.
    pub fn recount(&self) -> FxHashMap<Pair, u64> {
        let mut counts = FxHashMap::default();
        for (w, &c) in self.words.iter().zip(&self.counts) {
            for p in w.windows(2) {
                *counts.entry((p[0], p[1])).or_default() += c;
            }
        }
        counts
    }

    /// The current (incrementally maintained) pair counts; no zero entries.
    pub fn pair_counts(&self) -> &FxHashMap<Pair, u64> {
        &self.pair_counts
    }

    /// Chooses how ties are broken from the next merge on.
    pub fn with_tie_break(mut self, tie_break: TieBreak) -> Self {
        self.tie_break = tie_break;
        self
    }

    /// For [`TieBreak::FirstSeen`]: each pair's rank in reading order (words by first
    /// appearance, then left to right).
    fn reading_order(&self) -> FxHashMap<Pair, usize> {
        let mut order: Vec<usize> = (0..self.words.len()).collect();
        order.sort_unstable_by_key(|&i| self.first_seen[i]);
        let mut rank = FxHashMap::default();
        for i in order {
            for p in self.words[i].windows(2) {
                let next = rank.len();
                rank.entry((p[0], p[1])).or_insert(next);
            }
        }
        rank
    }

    /// The `n` best pairs in merge order (count, then tie-break).
    pub fn top_pairs(&self, n: usize) -> Vec<(Pair, u64)> {
        let mut all: Vec<(Pair, u64)> = self.pair_counts.iter().map(|(&p, &c)| (p, c)).collect();
        if self.tie_break == TieBreak::FirstSeen {
            let rank = self.reading_order();
            all.sort_unstable_by_key(|&(p, c)| (Reverse(c), rank.get(&p).copied(), p));
            all.truncate(n);
            return all;
        }
        let key = |&(p, c): &(Pair, u64)| (Reverse(c), p);
        // Partial selection first: the replay asks for a few pairs after every merge.
        if n < all.len() {
            all.select_nth_unstable_by_key(n, key);
            all.truncate(n);
        }
        all.sort_unstable_by_key(key);
        all
    }

    /// The merges so far.
    pub fn merges(&self) -> &[Merge] {
        &self.merges
    }

    /// Token bytes by id so far.
    pub fn vocab(&self) -> &[Vec<u8>] {
        &self.vocab
    }

    /// The distinct training words (symbol ids) with their counts.
    pub fn words(&self) -> impl Iterator<Item = (&[u32], u64)> {
        self.words
            .iter()
            .map(Vec::as_slice)
            .zip(self.counts.iter().copied())
    }

    /// Whether the alphabet is bytes (GPT-2 style) rather than characters.
    pub fn byte_level(&self) -> bool {
        self.config.byte_level
    }

    /// The work ahead: how many merges the target vocabulary size still allows.
    pub fn merges_left(&self) -> usize {
        self.config.vocab_size.saturating_sub(self.vocab.len())
    }

    /// Performs one merge, or returns `None` when the vocabulary is full or no pair
    /// occurs at least `min_pair_count` times.
    pub fn step(&mut self) -> Option<&Merge> {
        if self.vocab.len() >= self.config.vocab_size {
            return None;
        }
        let (count, pair) = match self.tie_break {
            TieBreak::SmallerIds => {
                let best = loop {
                    let (stored, Reverse(pair)) = self.heap.pop()?;
                    match self.pair_counts.get(&pair).copied() {
                        Some(c) if c == stored => break (c, pair),
                        Some(c) => self.heap.push((c, Reverse(pair))),
                        None => {}
                    }
                };
                if best.0 < self.config.min_pair_count.max(1) {
                    self.heap.push((best.0, Reverse(best.1)));
                    return None;
                }
                best
            }
            // The heap is left as it is: this mode never reads it.
            TieBreak::FirstSeen => {
                let (pair, count) = self.top_pairs(1).into_iter().next()?;
                if count < self.config.min_pair_count.max(1) {
                    return None;
                }
                (count, pair)
            }
        };
        let new_id = self.vocab.len() as u32;
        let mut token = self.vocab[pair.0 as usize].clone();
        token.extend_from_slice(&self.vocab[pair.1 as usize]);
        self.vocab.push(token.clone());

        let mut word_ids = self.pair_words.remove(&pair).unwrap_or_default();
        word_ids.sort_unstable();
        word_ids.dedup();
        let mut grown: Vec<Pair> = Vec::new();
        let mut merged = Vec::new();
        for wi in word_ids {
            let wi_us = wi as usize;
            let old = &self.words[wi_us];
            if !merge_pair(old, pair, new_id, &mut merged) {
                continue; // stale index entry
            }
            let c = self.counts[wi_us];
            for p in old.windows(2) {
                let p = (p[0], p[1]);
                if let Some(v) = self.pair_counts.get_mut(&p) {
                    *v -= c.min(*v);
                    if *v == 0 {
                        self.pair_counts.remove(&p);
                    }
                }
            }
            for p in merged.windows(2) {
                let p = (p[0], p[1]);
                *self.pair_counts.entry(p).or_default() += c;
                if p.0 == new_id || p.1 == new_id {
                    self.pair_words.entry(p).or_default().push(wi);
                    grown.push(p);
                }
            }
            std::mem::swap(&mut self.words[wi_us], &mut merged);
        }
        // Only pairs containing the new token grew; the others are fixed lazily.
        grown.sort_unstable();
        grown.dedup();
        for p in grown {
            if let Some(&c) = self.pair_counts.get(&p) {
                self.heap.push((c, Reverse(p)));
            }
        }
        self.merges.push(Merge {
            pair,
            count,
            new_id,
            token,
        });
        self.merges.last()
    }

    /// The trained model (all merges so far).
    pub fn finish(self) -> BpeModel {
        BpeModel::new(self.base, self.vocab, self.merges)
    }
}

/// Writes `word` with every non-overlapping occurrence of `pair` (left to right)
/// replaced by `new_id` into `out`; returns whether there was one.
///
/// `[1, 2, 3, 1, 2]`, `(1, 2)` → `9` gives `[9, 3, 9]`; `[5, 5, 5]`, `(5, 5)` → `9`
/// gives `[9, 5]`.
pub fn merge_pair(word: &[u32], pair: Pair, new_id: u32, out: &mut Vec<u32>) -> bool {
    out.clear();
    let mut found = false;
    let mut i = 0;
    while i < word.len() {
        if i + 1 < word.len() && word[i] == pair.0 && word[i + 1] == pair.1 {
            out.push(new_id);
            found = true;
            i += 2;
        } else {
            out.push(word[i]);
            i += 1;
        }
    }
    found
}

/// Trains to `config.vocab_size`, checking `cancel` before every merge and calling
/// `progress(merges_done, merges_planned)` about a hundred times.
pub fn train(
    corpus: &str,
    config: BpeConfig,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<BpeModel, TokenizeError> {
    let mut trainer = BpeTrainer::new(corpus, config)?;
    let planned = trainer.merges_left();
    super::steps::run_steps(planned, cancel, progress, || trainer.step().is_some())?;
    Ok(trainer.finish())
}
