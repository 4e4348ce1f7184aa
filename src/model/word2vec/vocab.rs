//! The vocabulary: which words get a vector, how often each occurs, and how
//! often a frequent word is skipped (subsampling).

use std::collections::HashMap;

/// Words sorted by count, most frequent first (ties alphabetical, so the ids are
/// deterministic). Id `i` is row `i` of the embedding matrices.
#[derive(Debug, Clone, Default)]
pub struct Vocab {
    words: Vec<String>,
    counts: Vec<u64>,
    index: HashMap<String, u32>,
    total: u64,
}

impl Vocab {
    /// Keeps the words seen at least `min_count` times.
    ///
    /// ```
    /// use llm_lens::model::word2vec::Vocab;
    /// let v = Vocab::from_counts([("a", 3), ("b", 1), ("c", 3)], 2);
    /// assert_eq!(v.words(), ["a", "c"]);
    /// assert_eq!(v.total(), 6);
    /// ```
    pub fn from_counts<S: AsRef<str>>(
        counts: impl IntoIterator<Item = (S, u64)>,
        min_count: u64,
    ) -> Vocab {
        let mut kept: Vec<(String, u64)> = counts
            .into_iter()
            .filter(|(_, c)| *c >= min_count.max(1))
            .map(|(w, c)| (w.as_ref().to_string(), c))
            .collect();
        kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let index = kept
            .iter()
            .enumerate()
            .map(|(i, (w, _))| (w.clone(), i as u32))
            .collect();
        let total = kept.iter().map(|(_, c)| c).sum();
        let (words, counts) = kept.into_iter().unzip();
        Vocab {
            words,
            counts,
            index,
            total,
        }
    }

    /// Counts `words` and keeps those seen at least `min_count` times.
    pub fn build<S: AsRef<str>>(words: impl IntoIterator<Item = S>, min_count: u64) -> Vocab {
        let mut counts: HashMap<String, u64> = HashMap::new();
        for w in words {
            let w = w.as_ref();
            match counts.get_mut(w) {
                Some(c) => *c += 1,
                None => {
                    counts.insert(w.to_string(), 1);
                }
            }
        }
        Vocab::from_counts(counts, min_count)
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The words, most frequent first.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Occurrences of each word, aligned with [`Vocab::words`].
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Id of `word`, if it is in the vocabulary.
    pub fn id(&self, word: &str) -> Option<u32> {
        self.index.get(word).copied()
    }

    /// Total occurrences of all kept words (the corpus length word2vec trains on).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The probability of keeping each word when subsampling with threshold
    /// `sample` (0 disables subsampling). See [`keep_probability`].
    pub fn keep_probabilities(&self, sample: f64) -> Vec<f32> {
        self.counts
            .iter()
            .map(|&c| keep_probability(c, self.total, sample) as f32)
            .collect()
    }
}

/// Mikolov's subsampling as in word2vec.c and gensim: a word with frequency
/// `f = count / total` is kept with probability `(sqrt(f / sample) + 1) · sample / f`
/// (capped at 1). Words rarer than ~`sample` are always kept; "the" (6% of this
/// corpus) is kept only ~16% of the time with `sample = 1e-3`. Fewer "the"s
/// means faster training and more room in each window for content words.
///
/// ```
/// use llm_lens::model::word2vec::vocab::keep_probability;
/// assert_eq!(keep_probability(5, 1_000_000, 1e-3), 1.0);
/// let p = keep_probability(60_000, 1_000_000, 1e-3); // f = 0.06
/// assert!((p - ((0.06f64 / 1e-3).sqrt() + 1.0) * 1e-3 / 0.06).abs() < 1e-12);
/// ```
pub fn keep_probability(count: u64, total: u64, sample: f64) -> f64 {
    if sample <= 0.0 || count == 0 || total == 0 {
        return 1.0;
    }
    let threshold = sample * total as f64;
    let c = count as f64;
    (((c / threshold).sqrt() + 1.0) * threshold / c).min(1.0)
}
