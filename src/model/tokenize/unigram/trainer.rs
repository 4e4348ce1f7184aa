//! [`UnigramTrainer`]: Unigram training as steps (the seed, one EM iteration, or one
//! pruning round), so the browser, which cannot train on another thread, draws
//! between them. [`super::train_recorded`] is the same steps back to back.

use rustc_hash::FxHashMap;

use crate::model::tokenize::char_word::Unit;
use crate::model::tokenize::unit_count::{COUNT_BYTES, UnitCounter};

use super::{PruneRound, UnigramConfig, UnigramModel, best_without, corpus_loss, expected_counts};

/// A single character: never pruned, so only unseen characters become `[UNK]`.
fn is_char(s: &str) -> bool {
    s.chars().nth(1).is_none()
}

/// A Unigram training run between steps.
pub struct UnigramTrainer {
    config: UnigramConfig,
    /// The corpus's distinct words with their counts, sorted by word.
    words: Vec<(String, f64)>,
    /// Pieces (without `[UNK]`) and their log-probabilities.
    pieces: Vec<(String, f64)>,
    /// The model of `pieces`.
    model: UnigramModel,
    /// EM iterations left before the next pruning round.
    em_left: usize,
}

impl UnigramTrainer {
    /// Counts the words of `corpus` ([`UnitCounter`]'s steps back to back) and seeds
    /// the vocabulary with their substrings.
    pub fn new(corpus: &str, config: &UnigramConfig) -> UnigramTrainer {
        let mut counter = UnitCounter::new(Unit::Word);
        while counter.count(corpus, COUNT_BYTES) {}
        UnigramTrainer::from_counts(counter.counts(), config)
    }

    /// Seeds the vocabulary with the substrings of words counted by a
    /// [`UnitCounter`] of [`Unit::Word`] (the suite's word vocabulary's own count).
    pub fn from_counts(word_counts: &FxHashMap<String, u64>, config: &UnigramConfig) -> Self {
        let mut words: Vec<(&str, f64)> = word_counts
            .iter()
            .map(|(w, &c)| (w.as_str(), c as f64))
            .collect();
        words.sort_by(|a, b| a.0.cmp(b.0));

        // Seed: substring frequencies.
        let mut freq: FxHashMap<&str, f64> = FxHashMap::default();
        for &(w, c) in &words {
            let bounds: Vec<usize> = w
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(w.len()))
                .collect();
            for i in 0..bounds.len() - 1 {
                for j in i + 1..bounds.len().min(i + 1 + config.max_piece_chars) {
                    *freq.entry(&w[bounds[i]..bounds[j]]).or_default() += c;
                }
            }
        }
        let mut seed: Vec<(&str, f64)> = freq
            .into_iter()
            .filter(|&(s, f)| is_char(s) || f >= 2.0)
            .collect();
        // Characters always; then by frequency × length (SentencePiece's seed score).
        seed.sort_by(|a, b| {
            let score = |x: &(&str, f64)| x.1 * x.0.chars().count() as f64;
            is_char(b.0)
                .cmp(&is_char(a.0))
                .then(score(b).total_cmp(&score(a)))
                .then(a.0.cmp(b.0))
        });
        seed.truncate(config.seed_size.max(config.vocab_size));
        let total: f64 = seed.iter().map(|s| s.1).sum::<f64>().max(1.0);
        let pieces: Vec<(String, f64)> = seed
            .iter()
            .map(|&(s, f)| (s.to_string(), (f / total).ln()))
            .collect();
        UnigramTrainer {
            config: config.clone(),
            words: words.into_iter().map(|(w, c)| (w.to_owned(), c)).collect(),
            model: UnigramModel::from_pieces(pieces.clone(), config.max_piece_chars),
            pieces,
            em_left: config.em_iters.max(1),
        }
    }

    /// One EM iteration or one pruning round (`round` is told of it); the model once
    /// the vocabulary is small enough, or pruning no longer shrinks it.
    pub fn step(&mut self, round: &mut dyn FnMut(PruneRound)) -> Option<UnigramModel> {
        let config = &self.config;
        let words: Vec<(&str, f64)> = self.words.iter().map(|(w, c)| (w.as_str(), *c)).collect();
        if self.em_left > 0 {
            let expected = expected_counts(&self.model, &words);
            let sum: f64 = expected.iter().skip(1).sum::<f64>().max(1e-12);
            self.pieces = self
                .model
                .pieces
                .iter()
                .zip(&expected)
                .skip(1)
                .filter(|((s, _), e)| **e > 1e-6 || is_char(s))
                .map(|((s, _), &e)| (s.clone(), (e.max(1e-6) / sum).ln()))
                .collect();
            self.model = UnigramModel::from_pieces(self.pieces.clone(), config.max_piece_chars);
            self.em_left -= 1;
            return None;
        }
        let model = &self.model;
        let target = config.vocab_size.saturating_sub(1);
        if self.pieces.len() <= target {
            return Some(model.clone());
        }
        // Pruning: loss of removing piece p ≈ its expected count × (log p(p) − log
        // probability of the best segmentation of p's text without p).
        let expected = expected_counts(model, &words);
        let mut scored: Vec<(f64, usize)> = Vec::new();
        for (id, (s, lp)) in model.pieces.iter().enumerate().skip(1) {
            if is_char(s) {
                continue;
            }
            let alt = best_without(model, s, id as u32);
            scored.push((expected[id] * (lp - alt), id));
        }
        let chars = model
            .pieces
            .iter()
            .skip(1)
            .filter(|p| is_char(&p.0))
            .count();
        let keep_total = ((self.pieces.len() as f64 * config.shrink) as usize).max(target);
        let keep = keep_total.saturating_sub(chars);
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut kept = vec![false; model.pieces.len()];
        for &(_, id) in scored.iter().take(keep) {
            kept[id] = true;
        }
        let before = self.pieces.len();
        let loss_before = corpus_loss(model, &words);
        let name = |id: usize| {
            model
                .pieces
                .get(id)
                .map(|p| p.0.clone())
                .unwrap_or_default()
        };
        let mut dropped: Vec<(String, f64)> = scored
            .iter()
            .skip(keep)
            .map(|&(cost, id)| (name(id), cost))
            .collect();
        dropped.reverse();
        let cheapest_kept = scored
            .get(..keep.min(scored.len()))
            .and_then(|k| k.last())
            .map(|&(cost, id)| (name(id), cost));
        self.pieces = model
            .pieces
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(id, (s, _))| kept[*id] || is_char(s))
            .map(|(_, p)| p.clone())
            .collect();
        let pruned = UnigramModel::from_pieces(self.pieces.clone(), config.max_piece_chars);
        round(PruneRound {
            before,
            after: self.pieces.len(),
            loss_before,
            loss_after: corpus_loss(&pruned, &words),
            dropped,
            cheapest_kept,
        });
        if self.pieces.len() >= before {
            return Some(pruned);
        }
        // The next round starts from the pruned vocabulary.
        self.model = pruned;
        self.em_left = config.em_iters.max(1);
        None
    }
}
