//! WordPiece training: like BPE, it starts from characters and merges adjacent pairs,
//! but it picks the pair that most raises the corpus's likelihood under a unigram
//! model, not the most frequent one. That gain is proportional to
//!
//! ```text
//! score(a, b) = count(ab) / (count(a) × count(b))
//! ```
//!
//! so a pair wins when its parts are seldom seen apart. With words `{hug: 10, pug: 5,
//! hugs: 5}` as `h ##u ##g` (`##` marks a piece inside a word):
//!
//! ```text
//! count(##u, ##g) = 20, count(##u) = 20, count(##g) = 20  -> 20 / 400 = 0.050
//! count(h, ##u)   = 15, count(h) = 15                       -> 15 / 300 = 0.050
//! count(##g, ##s) =  5, count(##s) = 5                      ->  5 / 100 = 0.050
//! count(p, ##u)   =  5, count(p) = 5                        ->  5 / 100 = 0.050
//! ```
//!
//! Ties go to the more frequent pair, then to the smaller `(left id, right id)`, so
//! training is deterministic; here `(##u, ##g)` → `##ug` is merged first.
//!
//! Words come from BERT's basic tokeniser (uncased: lower-cased, accents stripped,
//! punctuation split). The vocabulary is laid out as BERT's: `[PAD] [UNK] [CLS] [SEP]
//! [MASK]`, then the alphabet (word-initial characters, then `##` characters), then
//! one token per merge; [`WordPieceTrainer::finish`] returns a [`WordPiece`] that
//! encodes with greedy longest match like any BERT vocabulary.

use std::sync::atomic::AtomicBool;

use rustc_hash::FxHashMap;

use super::TokenizeError as TrainError;
use super::basic::BasicTokenizer;
use super::bpe_train::{Pair, merge_pair};
use super::wordpiece::WordPiece;
pub use super::wordpiece_count::{COUNT_BYTES, WordPieceCounter};

/// BERT's special tokens, ids 0–4.
pub const SPECIALS: [&str; 5] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

/// One recorded merge: `pair` (seen `count` times, `score` as above) became `token`.
#[derive(Debug, Clone, PartialEq)]
pub struct WpMerge {
    pub pair: Pair,
    pub count: u64,
    pub score: f64,
    pub token: String,
}

/// A pair as the next merge would weigh it: `score = count / (count_a × count_b)`.
#[derive(Debug, Clone, PartialEq)]
pub struct WpCandidate {
    pub pair: Pair,
    pub count: u64,
    pub count_a: u64,
    pub count_b: u64,
    pub score: f64,
    /// Seen often enough to compete (see [`WordPieceTrainer::step`]).
    pub competes: bool,
}

/// Step-by-step WordPiece training (see the module docs).
#[derive(Debug, Clone)]
pub struct WordPieceTrainer {
    pub(super) vocab_size: usize,
    pub(super) min_pair_count: u64,
    /// Pairs seen fewer times are not considered yet (see [`WordPieceTrainer::step`]).
    pub(super) threshold: u64,
    pub(super) vocab: Vec<String>,
    pub(super) words: Vec<Vec<u32>>,
    pub(super) counts: Vec<u64>,
    /// How often each token id occurs in the current segmentation of the corpus.
    pub(super) symbol_counts: Vec<u64>,
    pub(super) pair_counts: FxHashMap<Pair, u64>,
    /// Which words contain a pair (may hold stale or repeated indices).
    pub(super) pair_words: FxHashMap<Pair, Vec<u32>>,
    pub(super) merges: Vec<WpMerge>,
}

impl WordPieceTrainer {
    /// Counts the corpus's words (the only pass over the corpus): [`WordPieceCounter`]'s
    /// steps back to back. Pairs seen fewer than `min_pair_count` times are never merged,
    /// which keeps one-off typos out.
    pub fn new(corpus: &str, vocab_size: usize, min_pair_count: u64) -> Self {
        let mut counter = WordPieceCounter::default();
        while counter.count(corpus, COUNT_BYTES) {}
        counter.finish(vocab_size, min_pair_count)
    }

    /// Token strings by id so far.
    pub fn vocab(&self) -> &[String] {
        &self.vocab
    }

    pub fn merges(&self) -> &[WpMerge] {
        &self.merges
    }

    /// How many merges the target vocabulary size still allows.
    pub fn merges_left(&self) -> usize {
        self.vocab_size.saturating_sub(self.vocab.len())
    }

    /// Pairs seen fewer times than this do not compete for the next merge: the stored
    /// threshold, halved until some pair reaches it (see [`Self::step`]).
    pub fn threshold(&self) -> u64 {
        let mut t = self.threshold;
        while t > self.min_pair_count && !self.pair_counts.values().any(|&c| c >= t) {
            t = (t / 2).max(self.min_pair_count);
        }
        t
    }

    /// The `n` pairs that rank highest for the next merge, in the order [`Self::step`]
    /// ranks them (competing pairs first, then score, count, ids), with their counts.
    pub fn candidates(&self, n: usize) -> Vec<WpCandidate> {
        let threshold = self.threshold();
        let mut all: Vec<WpCandidate> = self
            .pair_counts
            .iter()
            .map(|(&pair, &count)| WpCandidate {
                pair,
                count,
                count_a: self.symbol_counts[pair.0 as usize],
                count_b: self.symbol_counts[pair.1 as usize],
                score: self.score(pair, count),
                competes: count >= threshold,
            })
            .collect();
        all.sort_unstable_by(|x, y| {
            y.competes
                .cmp(&x.competes)
                .then(y.score.total_cmp(&x.score))
                .then(y.count.cmp(&x.count))
                .then(x.pair.cmp(&y.pair))
        });
        all.truncate(n);
        all
    }

    /// The score of a pair under the current counts.
    pub fn score(&self, pair: Pair, count: u64) -> f64 {
        let a = self.symbol_counts[pair.0 as usize].max(1) as f64;
        let b = self.symbol_counts[pair.1 as usize].max(1) as f64;
        count as f64 / (a * b)
    }

    /// Performs one merge, or `None` when the vocabulary is full or no pair is frequent
    /// enough. Finding the best pair scans every pair: scores change whenever a part's
    /// count changes, so a heap would go stale everywhere.
    ///
    /// The score alone prefers pairs of rare symbols (two letters seen once, together),
    /// so on a small vocabulary it would spend its merges on oddities and leave common
    /// words in letters. Only pairs seen at least `threshold` times compete; it starts
    /// at a quarter of the most frequent pair's count and halves whenever no pair
    /// reaches it, down to `min_pair_count`.
    pub fn step(&mut self) -> Option<&WpMerge> {
        if self.vocab.len() >= self.vocab_size {
            return None;
        }
        self.threshold = self.threshold();
        let mut best: Option<(f64, u64, Pair)> = None;
        for (&pair, &count) in &self.pair_counts {
            if count < self.threshold {
                continue;
            }
            let score = self.score(pair, count);
            let better = match best {
                None => true,
                Some((bs, bc, bp)) => {
                    score > bs || (score == bs && (count > bc || (count == bc && pair < bp)))
                }
            };
            if better {
                best = Some((score, count, pair));
            }
        }
        let (score, count, pair) = best?;
        let new_id = self.vocab.len() as u32;
        let right = &self.vocab[pair.1 as usize];
        let token = format!(
            "{}{}",
            self.vocab[pair.0 as usize],
            right.strip_prefix("##").unwrap_or(right)
        );
        self.vocab.push(token.clone());
        self.symbol_counts.push(0);

        let mut word_ids = self.pair_words.remove(&pair).unwrap_or_default();
        word_ids.sort_unstable();
        word_ids.dedup();
        let mut merged = Vec::new();
        for wi in word_ids {
            let wi_us = wi as usize;
            let old = &self.words[wi_us];
            if !merge_pair(old, pair, new_id, &mut merged) {
                continue; // stale index entry
            }
            let c = self.counts[wi_us];
            for &s in old {
                self.symbol_counts[s as usize] -= c;
            }
            for p in old.windows(2) {
                let p = (p[0], p[1]);
                if let Some(v) = self.pair_counts.get_mut(&p) {
                    *v -= c.min(*v);
                    if *v == 0 {
                        self.pair_counts.remove(&p);
                    }
                }
            }
            for &s in &merged {
                self.symbol_counts[s as usize] += c;
            }
            for p in merged.windows(2) {
                let p = (p[0], p[1]);
                *self.pair_counts.entry(p).or_default() += c;
                if p.0 == new_id || p.1 == new_id {
                    self.pair_words.entry(p).or_default().push(wi);
                }
            }
            std::mem::swap(&mut self.words[wi_us], &mut merged);
        }
        self.merges.push(WpMerge {
            pair,
            count,
            score,
            token,
        });
        self.merges.last()
    }

    /// The trained vocabulary as an uncased BERT WordPiece tokeniser.
    pub fn finish(&self) -> Result<WordPiece, TrainError> {
        WordPiece::from_vocab_txt(&self.vocab.join("\n"), BasicTokenizer::uncased())
            .map_err(|e| TrainError::Vocab(e.to_string()))
    }
}

/// Trains to `vocab_size`, checking `cancel` before every merge and calling
/// `progress(merges_done, merges_planned)` about a hundred times.
pub fn train(
    corpus: &str,
    vocab_size: usize,
    min_pair_count: u64,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(WordPiece, Vec<WpMerge>), TrainError> {
    let mut trainer = WordPieceTrainer::new(corpus, vocab_size, min_pair_count);
    let planned = trainer.merges_left().max(1);
    super::steps::run_steps(planned, cancel, progress, || trainer.step().is_some())?;
    Ok((trainer.finish()?, trainer.merges))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_merges_the_rarely_apart_pair_first() {
        let corpus = "hug hug hug hug hug hug hug hug hug hug pug pug pug pug pug \
                      hugs hugs hugs hugs hugs";
        let mut t = WordPieceTrainer::new(corpus, 100, 1);
        let m = t.step().cloned().expect("a merge");
        assert_eq!(m.token, "##ug");
        assert_eq!(m.count, 20);
        assert!((m.score - 0.05).abs() < 1e-12);
        // Now h ##ug, p ##ug and ##ug ##s all score 0.05 again; the most frequent wins.
        let next = t.step().cloned().expect("a second merge");
        assert_eq!(next.token, "hug");
        assert_eq!(next.count, 15);
    }

    #[test]
    fn counts_stay_consistent_and_encoder_uses_the_merges() {
        let corpus = "The bank by the river. Banking banks bank on banked money!";
        let mut t = WordPieceTrainer::new(corpus, 60, 1);
        while t.step().is_some() {}
        let mut recount: FxHashMap<Pair, u64> = FxHashMap::default();
        let mut symbols = vec![0u64; t.vocab.len()];
        for (w, &c) in t.words.iter().zip(&t.counts) {
            for &s in w {
                symbols[s as usize] += c;
            }
            for p in w.windows(2) {
                *recount.entry((p[0], p[1])).or_default() += c;
            }
        }
        assert_eq!(recount, t.pair_counts);
        assert_eq!(symbols, t.symbol_counts);
        let wp = t.finish().expect("a valid vocabulary");
        let enc = wp.encode("banking");
        assert_eq!(enc.tokens.first().map(String::as_str), Some("[CLS]"));
        assert!(
            enc.tokens.iter().any(|t| t.starts_with("bank")),
            "{:?}",
            enc.tokens
        );
    }
}
