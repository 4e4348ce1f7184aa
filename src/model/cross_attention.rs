//! Cross-attention and the decoder loop of the original Transformer, on a
//! translation pair of the history lesson.
//!
//! Cross-attention is the same scaled dot product as self-attention, with the
//! queries taken from one sentence (the target, being written) and the keys and
//! values from another (the source, already encoded): its weights are
//! `(target × source)`. Without a trained translation model, the word vectors here
//! are **built from the pair's alignment links**: each source word gets a fixed
//! random vector, and each target word the mean of the vectors of the source words
//! it is linked to (its own random vector if it has none). The weights are then
//! computed, not painted, so they show how cross-attention *reads* an alignment,
//! not how a model learns one.

use ndarray::Array2;

use crate::model::bert::linear::row_stats;
use crate::model::history::alignment::AlignmentPair;
use crate::model::masks::{allowed, attention_weights, masked_attention};
use crate::model::positional::word_vector;

/// The decoder's start and stop tokens.
pub const BOS: &str = "<s>";
pub const EOS: &str = "</s>";

/// A source and a target sentence with their constructed vectors.
#[derive(Debug, Clone)]
pub struct Translation {
    pub source: Vec<String>,
    pub target: Vec<String>,
    /// `(source index, target index)`.
    pub links: Vec<(usize, usize)>,
    /// Source word vectors (fixed random, [`word_vector`]), `(S × d)`.
    pub src: Array2<f32>,
    /// Target word vectors (mean of the linked source vectors), `(T × d)`.
    pub tgt: Array2<f32>,
}

/// One pass of the decoder loop: the tokens so far, what the decoder computes on
/// them, and the token appended next.
#[derive(Debug, Clone)]
pub struct DecoderStep {
    /// `<s>` and the target words written so far (t of them).
    pub tokens: Vec<String>,
    /// The causal mask, `(t × t)`: true where a token may look.
    pub allowed: Array2<bool>,
    /// Masked self-attention over the tokens so far, `(t × t)`; upper triangle 0.
    pub self_weights: Array2<f32>,
    /// Cross-attention from the tokens so far to the source, `(t × S)`.
    pub cross_weights: Array2<f32>,
    /// The next token: the reference translation's next word, or [`EOS`].
    pub next: String,
}

impl DecoderStep {
    /// The loop ends once the stop token is appended.
    pub fn stops(&self) -> bool {
        self.next == EOS
    }
}

impl Translation {
    /// Vectors of `d` numbers for `source` and `target`, built from `links`
    /// (links pointing past either sentence are ignored).
    pub fn new(source: &[String], target: &[String], links: &[(usize, usize)], d: usize) -> Self {
        let d = d.max(1);
        let links: Vec<(usize, usize)> = links
            .iter()
            .copied()
            .filter(|&(s, t)| s < source.len() && t < target.len())
            .collect();
        let src = Array2::from_shape_fn((source.len(), d), |(i, j)| word_vector(&source[i], d)[j]);
        let mut tgt = Array2::zeros((target.len(), d)); // (T × d)
        for (t, word) in target.iter().enumerate() {
            let linked: Vec<usize> = links.iter().filter(|l| l.1 == t).map(|l| l.0).collect();
            let mut row = tgt.row_mut(t);
            if linked.is_empty() {
                row.assign(&ndarray::Array1::from(word_vector(word, d)));
            } else {
                for &s in &linked {
                    row += &src.row(s);
                }
                row /= linked.len() as f32;
            }
        }
        Self {
            source: source.to_vec(),
            target: target.to_vec(),
            links,
            src,
            tgt,
        }
    }

    /// A history-lesson pair, source to target.
    pub fn from_pair(pair: &AlignmentPair, d: usize) -> Self {
        let text = |w: &[crate::model::history::alignment::Word]| -> Vec<String> {
            w.iter().map(|w| w.text.clone()).collect()
        };
        Self::new(&text(&pair.source), &text(&pair.target), &pair.links, d)
    }

    pub fn d(&self) -> usize {
        self.src.ncols()
    }

    /// Queries from the target vectors, keys from the source vectors:
    /// `softmax(Q·Kᵀ/√d)`, `(T × S)`, row = target word.
    pub fn cross_weights(&self) -> Array2<f32> {
        attention_weights(&self.tgt, &self.src, self.scale(), None)
    }

    fn scale(&self) -> f32 {
        1.0 / (self.d() as f32).sqrt()
    }

    /// The source words the alignment links to target word `t`.
    pub fn linked_to(&self, t: usize) -> Vec<usize> {
        self.links
            .iter()
            .filter(|l| l.1 == t)
            .map(|l| l.0)
            .collect()
    }

    /// Passes of the decoder loop: one per target word, one more for the stop token.
    pub fn steps(&self) -> usize {
        self.target.len() + 1
    }

    /// Pass `step` (1-based, clamped to 1..=[`Self::steps`]): the decoder reads `<s>`
    /// and the first `step − 1` target words. Its causal self-attention mixes them
    /// (no token sees a later one); each token's query for cross-attention is
    /// `LayerNorm(x + self-attention(x))` (the residual connection; LayerNorm without
    /// learned scale); the keys are the source vectors. The next token is the
    /// reference's next word (teacher forcing), or [`EOS`] after the last one.
    pub fn decoder_step(&self, step: usize) -> DecoderStep {
        let step = step.clamp(1, self.steps());
        let t = step; // tokens so far, <s> included
        let d = self.d();
        let bos = ndarray::Array1::from(word_vector(BOS, d));
        let mut x = Array2::zeros((t, d)); // (t × d)
        x.row_mut(0).assign(&bos);
        for i in 1..t {
            x.row_mut(i).assign(&self.tgt.row(i - 1));
        }
        let ok = allowed(t, true, &[]);
        let (self_weights, y) = masked_attention(&x, &ok); // (t × t), (t × d)
        let mut q = x + y; // (t × d)
        for mut row in q.rows_mut() {
            let (mean, inv) = row_stats(row.view(), 1e-12);
            row.mapv_inplace(|v| ((f64::from(v) - mean) * inv) as f32);
        }
        let cross_weights = attention_weights(&q, &self.src, self.scale(), None); // (t × S)
        let mut tokens = vec![BOS.to_owned()];
        tokens.extend(self.target.iter().take(t - 1).cloned());
        let next = self
            .target
            .get(t - 1)
            .cloned()
            .unwrap_or_else(|| EOS.to_owned());
        DecoderStep {
            tokens,
            allowed: ok,
            self_weights,
            cross_weights,
            next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::history::alignment::builtin_pairs;

    fn pairs() -> Vec<AlignmentPair> {
        builtin_pairs().unwrap_or_default()
    }

    #[test]
    fn cross_weights_are_target_by_source_and_favour_the_linked_words() {
        let pairs = pairs();
        assert!(!pairs.is_empty());
        for pair in &pairs {
            for p in [pair.clone(), pair.reversed()] {
                let tr = Translation::from_pair(&p, 16);
                let w = tr.cross_weights();
                assert_eq!(w.dim(), (p.target.len(), p.source.len()), "{}", p.id);
                for row in w.rows() {
                    assert!((row.sum() - 1.0).abs() < 1e-6);
                }
                for t in 0..p.target.len() {
                    let linked = tr.linked_to(t);
                    if linked.is_empty() || p.source.len() == 1 {
                        continue;
                    }
                    let mass: f32 = linked.iter().map(|&s| w[[t, s]]).sum();
                    assert!(mass > 0.5, "{} row {t}: {mass}", p.id);
                }
            }
        }
    }

    #[test]
    fn the_causal_mask_grows_and_zeroes_the_upper_triangle_until_the_stop_token() {
        let pair = pairs().into_iter().find(|p| p.id == "cinema");
        let Some(pair) = pair else {
            panic!("the cinema pair ships with the app");
        };
        let tr = Translation::from_pair(&pair, 16);
        assert_eq!(tr.steps(), pair.target.len() + 1);
        for step in 1..=tr.steps() {
            let s = tr.decoder_step(step);
            assert_eq!(s.tokens.len(), step);
            assert_eq!(s.self_weights.dim(), (step, step));
            assert_eq!(s.cross_weights.dim(), (step, pair.source.len()));
            for i in 0..step {
                for j in i + 1..step {
                    assert_eq!(s.self_weights[[i, j]], 0.0);
                    assert!(!s.allowed[[i, j]]);
                }
                assert!((s.self_weights.row(i).sum() - 1.0).abs() < 1e-6);
                assert!((s.cross_weights.row(i).sum() - 1.0).abs() < 1e-6);
            }
            assert_eq!(s.stops(), step == tr.steps());
            if step < tr.steps() {
                assert_eq!(s.next, pair.target[step - 1].text);
            }
        }
        // Out-of-range steps are clamped, not a panic.
        assert_eq!(tr.decoder_step(0).tokens, [BOS]);
        assert!(tr.decoder_step(99).stops());
    }

    #[test]
    fn empty_sentences_and_bad_links_do_not_panic() {
        let tr = Translation::new(&[], &[], &[(3, 4)], 8);
        assert_eq!(tr.cross_weights().dim(), (0, 0));
        let s = tr.decoder_step(1);
        assert!(s.stops());
        assert_eq!(s.cross_weights.dim(), (1, 0));
        let tr = Translation::new(&["東京".to_owned()], &["Tokyo".to_owned()], &[(0, 5)], 8);
        assert!(tr.links.is_empty());
        assert_eq!(tr.cross_weights().dim(), (1, 1));
    }
}
