//! How many training examples a corpus gives word2vec in one pass, counted from the
//! paragraphs the trainer actually reads (words below `min_count` removed, windows closing
//! over the gap), so the lesson prints a number instead of an order of magnitude.
//!
//! ```
//! use llm_lens::model::text::corpus::Corpus;
//! use llm_lens::model::word2vec::{TrainingData, pair_count::PairCounts};
//! let corpus = Corpus::from_text("demo", "a b c d\na b")?;
//! let counts = PairCounts::new(&TrainingData::build(&corpus, 1), 0.0, 1);
//! // Radius 1: 3 neighbouring pairs in both directions, plus 1 pair both ways.
//! assert_eq!(counts.skip_gram_pairs(1), 8);
//! # Ok::<(), llm_lens::model::text::corpus::CorpusError>(())
//! ```

use std::collections::BTreeMap;

use super::data::TrainingData;
use crate::model::numerics::rng::SplitMix64;

/// Paragraph lengths of the training data, before and after one subsampling draw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PairCounts {
    /// `length → number of paragraphs` of the words kept by `min_count`.
    lengths: BTreeMap<usize, u64>,
    /// The same after dropping frequent words as the trainer does in one epoch.
    subsampled: BTreeMap<usize, u64>,
    /// Words the trainer reads per pass, before and after subsampling.
    pub words: u64,
    pub words_subsampled: u64,
}

/// (centre, context) pairs in one paragraph of `n` words with context radius `w`:
/// every distance d ≤ w occurs `n − d` times, once in each direction.
pub fn paragraph_pairs(n: usize, w: usize) -> u64 {
    (1..=w.min(n.saturating_sub(1)))
        .map(|d| 2 * (n - d) as u64)
        .sum()
}

impl PairCounts {
    /// Counts `data`'s paragraphs, and draws one epoch's subsampling with threshold
    /// `sample` (0 keeps every word) from `seed`, as the trainer's workers do.
    pub fn new(data: &TrainingData, sample: f64, seed: u64) -> PairCounts {
        let keep = data.vocab.keep_probabilities(sample);
        let mut rng = SplitMix64::new(seed);
        let mut out = PairCounts::default();
        for s in 0..data.sentence_count() {
            let sentence = data.sentence(s);
            let kept = sentence
                .iter()
                .filter(|&&w| {
                    let k = keep.get(w as usize).copied().unwrap_or(1.0);
                    k >= 1.0 || rng.next_f32() < k
                })
                .count();
            *out.lengths.entry(sentence.len()).or_default() += 1;
            *out.subsampled.entry(kept).or_default() += 1;
            out.words += sentence.len() as u64;
            out.words_subsampled += kept as u64;
        }
        out
    }

    fn sum(lengths: &BTreeMap<usize, u64>, f: impl Fn(usize) -> f64) -> f64 {
        lengths.iter().map(|(&n, &count)| count as f64 * f(n)).sum()
    }

    /// Skip-gram examples with every centre using the full radius `window`.
    pub fn skip_gram_pairs(&self, window: usize) -> u64 {
        Self::sum(&self.lengths, |n| paragraph_pairs(n, window) as f64) as u64
    }

    /// Expected skip-gram examples of one training pass as the trainer runs it: each
    /// centre draws its radius uniformly from `1..=window`, after subsampling.
    pub fn expected_training_pairs(&self, window: usize) -> f64 {
        let w = window.max(1);
        Self::sum(&self.subsampled, |n| {
            (1..=w).map(|b| paragraph_pairs(n, b) as f64).sum::<f64>() / w as f64
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::text::corpus::Corpus;

    #[test]
    fn counts_every_pair_a_sliding_window_makes() {
        // Brute force: every (i, j) with 0 < |i − j| ≤ w inside each paragraph.
        let text = "one two three four five six\nseven eight\nnine";
        let data = TrainingData::build(&Corpus::from_text("t", text).unwrap(), 1);
        let counts = PairCounts::new(&data, 0.0, 1);
        for w in 1..=6 {
            let brute: u64 = [6usize, 2, 1]
                .iter()
                .map(|&n| {
                    let mut c = 0;
                    for i in 0..n {
                        for j in 0..n {
                            c += u64::from(i != j && i.abs_diff(j) <= w);
                        }
                    }
                    c
                })
                .sum();
            assert_eq!(counts.skip_gram_pairs(w), brute, "window {w}");
        }
        // Without subsampling, the expected pass averages the radii 1..=w.
        let avg = (1..=3)
            .map(|w| counts.skip_gram_pairs(w) as f64)
            .sum::<f64>()
            / 3.0;
        assert!((counts.expected_training_pairs(3) - avg).abs() < 1e-9);
        assert_eq!(counts.words, 9);
    }

    #[test]
    fn subsampling_drops_frequent_words() {
        let text = "the cat the dog the bird the fish the end ".repeat(50);
        let data = TrainingData::build(&Corpus::from_text("t", &text).unwrap(), 1);
        let counts = PairCounts::new(&data, 1e-2, 3);
        assert!(counts.words_subsampled < counts.words);
        assert!(counts.expected_training_pairs(2) < counts.skip_gram_pairs(2) as f64);
    }
}
