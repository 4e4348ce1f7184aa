//! The corpus as token ids: what the training loops actually read.

pub use super::data_count::{COUNT_BYTES, DataCounter};
use super::vocab::Vocab;
use crate::model::text::corpus::Corpus;

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
    /// words seen at least `min_count` times: [`DataCounter`]'s steps back to back.
    pub fn build(corpus: &Corpus, min_count: u64) -> TrainingData {
        let mut counter = DataCounter::default();
        while counter.count(corpus, COUNT_BYTES) {}
        counter.finish(min_count)
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

    /// Cuts the paragraphs into contiguous chunks of about `words` words each
    /// (a paragraph is never split): the units of work handed to the threads.
    ///
    /// ```
    /// use llm_lens::model::text::corpus::Corpus;
    /// use llm_lens::model::word2vec::data::TrainingData;
    /// let corpus = Corpus::from_text("demo", "a b c\na b\nc a b c\na")?;
    /// let data = TrainingData::build(&corpus, 1);
    /// assert_eq!(data.chunks(5), vec![0..2, 2..4]);
    /// # Ok::<(), llm_lens::model::text::corpus::CorpusError>(())
    /// ```
    pub fn chunks(&self, words: usize) -> Vec<std::ops::Range<usize>> {
        let words = words.max(1);
        let mut chunks = Vec::new();
        let (mut start, mut start_word) = (0, 0);
        for (s, &end) in self.ends.iter().enumerate() {
            if end - start_word >= words {
                chunks.push(start..s + 1);
                (start, start_word) = (s + 1, end);
            }
        }
        if start < self.ends.len() {
            chunks.push(start..self.ends.len());
        }
        chunks
    }
}

/// The order in which `n` chunks are handed out to `threads` workers: the
/// corpus is cut into `threads` stripes and the order takes one chunk from
/// each stripe in turn, so workers that run side by side read distant parts of
/// the corpus (different speeches, fewer rows written by both at once) while
/// a shared counter still keeps them equally busy to the last chunk.
///
/// ```
/// use llm_lens::model::word2vec::data::striped_order;
/// assert_eq!(striped_order(5, 2), vec![0, 2, 1, 3, 4]);
/// assert_eq!(striped_order(3, 1), vec![0, 1, 2]);
/// ```
pub fn striped_order(n: usize, threads: usize) -> Vec<usize> {
    let threads = threads.clamp(1, n.max(1));
    let bounds: Vec<usize> = (0..=threads).map(|t| n * t / threads).collect();
    let longest = bounds.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
    let mut order = Vec::with_capacity(n);
    for i in 0..longest {
        for w in bounds.windows(2) {
            if w[0] + i < w[1] {
                order.push(w[0] + i);
            }
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_paragraph_once_in_order()
    -> Result<(), crate::model::text::corpus::CorpusError> {
        let text: String = (0..200)
            .map(|i| format!("w{} x y z {}\n", i % 7, "a ".repeat(i % 13)))
            .collect();
        let data = TrainingData::build(&Corpus::from_text("t", &text)?, 1);
        for words in [1, 5, 40, 10_000] {
            let chunks = data.chunks(words);
            assert_eq!(chunks.first().map(|c| c.start), Some(0));
            assert_eq!(chunks.last().map(|c| c.end), Some(data.sentence_count()));
            assert!(chunks.windows(2).all(|w| w[0].end == w[1].start));
            assert!(chunks.iter().all(|c| !c.is_empty()));
        }
        Ok(())
    }

    #[test]
    fn striped_order_is_a_permutation() {
        for n in 0..40 {
            for threads in 1..6 {
                let mut order = striped_order(n, threads);
                order.sort_unstable();
                assert_eq!(
                    order,
                    (0..n).collect::<Vec<_>>(),
                    "n {n}, threads {threads}"
                );
            }
        }
        // Two threads start at opposite halves.
        assert_eq!(striped_order(10, 2)[..2], [0, 5]);
    }
}
