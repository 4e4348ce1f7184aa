//! Pre-training data: the corpus tokenised once into paragraphs of WordPiece ids,
//! split into training and held-out addresses, and a sampler that draws BERT's
//! sentence pairs `[CLS] A [SEP] B [SEP]` from it.
//!
//! Segment A is a run of consecutive paragraphs; B is either the text that follows
//! A (IsNext) or a run from another address of the same era (NotNext). Negatives
//! from any era would let the model answer by era and style alone (1790's "the
//! Union" next to 2020's "our economy") without reading the pair: the same-era
//! rule makes the task need the text.

use std::sync::Arc;

use super::forward::NspLabel;
use crate::model::numerics::rng::SplitMix64;
use crate::model::text::corpus::Corpus;
use crate::model::tokenize::WordPiece;

/// One address as token ids, paragraph by paragraph (no special tokens).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenDoc {
    pub id: String,
    pub year: Option<u16>,
    pub paragraphs: Vec<Vec<u32>>,
}

/// Tokenised addresses.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TokenCorpus {
    pub docs: Vec<TokenDoc>,
}

impl TokenCorpus {
    /// Tokenises every non-empty paragraph of `docs` (without `[CLS]`/`[SEP]`).
    pub fn tokenize<'a>(
        docs: impl IntoIterator<Item = &'a crate::model::text::corpus::Document>,
        tokenizer: &WordPiece,
    ) -> Self {
        let docs = docs
            .into_iter()
            .map(|d| TokenDoc {
                id: d.id.clone(),
                year: d.year,
                paragraphs: d
                    .text
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| {
                        let ids = tokenizer.encode(l).ids;
                        // `encode` wraps the text in [CLS] … [SEP].
                        ids[1..ids.len().saturating_sub(1).max(1)].to_vec()
                    })
                    .filter(|p| !p.is_empty())
                    .collect(),
            })
            .filter(|d: &TokenDoc| !d.paragraphs.is_empty())
            .collect();
        Self { docs }
    }

    /// Tokens in all paragraphs.
    pub fn token_count(&self) -> usize {
        self.docs
            .iter()
            .flat_map(|d| &d.paragraphs)
            .map(Vec::len)
            .sum()
    }
}

/// The training and held-out parts of a corpus.
pub struct Split {
    pub train: TokenCorpus,
    pub held_out: TokenCorpus,
}

/// Document indices split into (training, held out): the `held_out` most recent
/// addresses (by year, then file order) are held out, each part in file order. A
/// corpus of one document keeps it for training and holds nothing out.
pub fn split_indices(corpus: &Corpus, held_out: usize) -> (Vec<usize>, Vec<usize>) {
    let docs = corpus.documents();
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by_key(|&i| (docs[i].year.unwrap_or(0), i));
    let keep = docs.len().saturating_sub(held_out).max(1).min(docs.len());
    let mut train = order[..keep].to_vec();
    let mut test = order[keep..].to_vec();
    train.sort_unstable();
    test.sort_unstable();
    (train, test)
}

/// Holds out the `held_out` most recent addresses ([`split_indices`]), so
/// evaluation reads text the model never trained on.
pub fn split_recent(corpus: &Corpus, tokenizer: &WordPiece, held_out: usize) -> Split {
    let docs = corpus.documents();
    let (train, test) = split_indices(corpus, held_out);
    Split {
        train: TokenCorpus::tokenize(train.iter().map(|&i| &docs[i]), tokenizer),
        held_out: TokenCorpus::tokenize(test.iter().map(|&i| &docs[i]), tokenizer),
    }
}

/// Special token ids the sampler writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialIds {
    pub cls: u32,
    pub sep: u32,
}

impl SpecialIds {
    /// Looks `[CLS]` and `[SEP]` up in the vocabulary.
    pub fn of(tokenizer: &WordPiece) -> Option<Self> {
        Some(Self {
            cls: tokenizer.token_to_id("[CLS]")?,
            sep: tokenizer.token_to_id("[SEP]")?,
        })
    }
}

/// An unmasked pair: ids, segments and whether B follows A.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub ids: Vec<u32>,
    pub type_ids: Vec<u32>,
    pub label: NspLabel,
}

/// Draws sentence pairs of at most `max_len` tokens.
pub struct PairSampler {
    corpus: Arc<TokenCorpus>,
    specials: SpecialIds,
    max_len: usize,
    /// Every (document, paragraph), and the running token count up to each, so a
    /// start is drawn in proportion to text length.
    starts: Vec<(usize, usize)>,
    cumulative: Vec<usize>,
    /// For each document, the other documents within `era_years` (all others
    /// when none are that close or the years are unknown).
    same_era: Vec<Vec<usize>>,
}

/// Years either side that count as the same era for NotNext negatives.
pub const ERA_YEARS: u16 = 10;

impl PairSampler {
    /// `None` when the corpus is empty or `max_len` leaves no room for text.
    pub fn new(corpus: Arc<TokenCorpus>, specials: SpecialIds, max_len: usize) -> Option<Self> {
        if max_len < 5 || corpus.token_count() == 0 {
            return None;
        }
        let mut starts = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0;
        for (d, doc) in corpus.docs.iter().enumerate() {
            for (p, para) in doc.paragraphs.iter().enumerate() {
                total += para.len();
                starts.push((d, p));
                cumulative.push(total);
            }
        }
        let same_era = (0..corpus.docs.len())
            .map(|d| {
                let year = corpus.docs[d].year;
                let near: Vec<usize> = (0..corpus.docs.len())
                    .filter(|&o| o != d)
                    .filter(|&o| match (year, corpus.docs[o].year) {
                        (Some(a), Some(b)) => a.abs_diff(b) <= ERA_YEARS,
                        _ => false,
                    })
                    .collect();
                if near.is_empty() {
                    (0..corpus.docs.len()).filter(|&o| o != d).collect()
                } else {
                    near
                }
            })
            .collect();
        Some(Self {
            corpus,
            specials,
            max_len,
            starts,
            cumulative,
            same_era,
        })
    }

    /// A start paragraph drawn in proportion to paragraph length.
    fn draw_start(&self, rng: &mut SplitMix64) -> (usize, usize) {
        let total = self.cumulative.last().copied().unwrap_or(0);
        let at = rng.below(total.max(1));
        let i = self.cumulative.partition_point(|&c| c <= at);
        self.starts[i.min(self.starts.len() - 1)]
    }

    /// Tokens from paragraph `p` of `doc` onwards until `want` are gathered or the
    /// address ends.
    fn run_from(&self, doc: usize, p: usize, want: usize) -> (Vec<u32>, usize) {
        let paras = &self.corpus.docs[doc].paragraphs;
        let mut out = Vec::new();
        let mut next = p;
        while next < paras.len() && out.len() < want {
            out.extend_from_slice(&paras[next]);
            next += 1;
        }
        (out, next)
    }

    /// One pair. With `nsp` false B always follows A (a plain stretch of text for
    /// masked-language modelling; the label is still `IsNext`).
    pub fn sample(&self, rng: &mut SplitMix64, nsp: bool) -> Pair {
        let budget = self.max_len - 3;
        // A gets between a quarter and three quarters of the budget, like BERT's
        // random split point, so B is never trivially short.
        let a_target = budget / 4 + rng.below(budget / 2 + 1);
        let (doc, p) = self.draw_start(rng);
        let (mut a, next) = self.run_from(doc, p, a_target);
        let want_next = !nsp || rng.next_f32() < 0.5;
        let has_next = next < self.corpus.docs[doc].paragraphs.len();
        let (mut b, label) = if want_next && has_next {
            (self.run_from(doc, next, budget).0, NspLabel::IsNext)
        } else if want_next {
            // The address ends here: B is the rest of A's run, split in two, so
            // IsNext stays exactly half of the pairs.
            let cut = (a.len() / 2).max(1).min(a.len());
            (a.split_off(cut), NspLabel::IsNext)
        } else {
            let era = &self.same_era[doc];
            let other = if era.is_empty() {
                doc
            } else {
                era[rng.below(era.len())]
            };
            let paras = &self.corpus.docs[other].paragraphs;
            let q = rng.below(paras.len());
            (self.run_from(other, q, budget).0, NspLabel::NotNext)
        };
        // Trim to the budget: A loses its start, B its end, so the seam between
        // them (what NSP must judge) is kept.
        let a_keep = a.len().min(a_target.max(budget.saturating_sub(b.len())));
        a.drain(..a.len() - a_keep);
        b.truncate(budget.saturating_sub(a.len()));
        let mut ids = Vec::with_capacity(a.len() + b.len() + 3);
        ids.push(self.specials.cls);
        ids.extend_from_slice(&a);
        ids.push(self.specials.sep);
        let first_b = ids.len();
        ids.extend_from_slice(&b);
        ids.push(self.specials.sep);
        let type_ids = (0..ids.len()).map(|i| u32::from(i >= first_b)).collect();
        Pair {
            ids,
            type_ids,
            label,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> TokenCorpus {
        let doc = |id: &str, year, base: u32| TokenDoc {
            id: id.into(),
            year: Some(year),
            paragraphs: (0..6)
                .map(|p| (0..7).map(|t| base + p * 10 + t).collect())
                .collect(),
        };
        TokenCorpus {
            docs: vec![
                doc("a", 1800, 1000),
                doc("b", 1805, 2000),
                doc("c", 1990, 3000),
            ],
        }
    }

    const SPECIALS: SpecialIds = SpecialIds { cls: 2, sep: 3 };

    #[test]
    fn pairs_fit_and_negatives_come_from_the_same_era() {
        let sampler = PairSampler::new(Arc::new(corpus()), SPECIALS, 24).expect("sampler");
        let mut rng = SplitMix64::new(7);
        let mut nots = 0;
        for _ in 0..2000 {
            let pair = sampler.sample(&mut rng, true);
            assert!(pair.ids.len() <= 24);
            assert_eq!(pair.ids[0], 2);
            assert_eq!(pair.ids.iter().filter(|&&i| i == 3).count(), 2);
            assert_eq!(*pair.ids.last().expect("ids"), 3);
            let first_b = pair.ids.iter().position(|&i| i == 3).expect("sep") + 1;
            assert!(pair.type_ids[..first_b].iter().all(|&t| t == 0));
            assert!(pair.type_ids[first_b..].iter().all(|&t| t == 1));
            let a_doc = pair.ids[first_b - 2] / 1000;
            let b_doc = pair.ids[first_b] / 1000;
            match pair.label {
                NspLabel::IsNext => {
                    assert_eq!(a_doc, b_doc);
                    // B starts right after A ends (within a paragraph or at the next).
                    let (end, start) = (pair.ids[first_b - 2], pair.ids[first_b]);
                    assert!(
                        start == end + 1 || start == (end / 10 + 1) * 10,
                        "{end} {start}"
                    );
                }
                NspLabel::NotNext => {
                    nots += 1;
                    // 1800 and 1805 pair up; 1990 has no neighbour within 10
                    // years, so it draws from any other address.
                    assert!(a_doc != b_doc && b_doc != 3, "{a_doc} {b_doc}");
                }
            }
        }
        // 50 % ± 4.5 standard deviations.
        assert!((900..1100).contains(&nots), "{nots}");
    }

    #[test]
    fn without_nsp_every_pair_is_running_text() {
        let sampler = PairSampler::new(Arc::new(corpus()), SPECIALS, 30).expect("sampler");
        let mut rng = SplitMix64::new(1);
        for _ in 0..500 {
            let pair = sampler.sample(&mut rng, false);
            assert_eq!(pair.label, NspLabel::IsNext);
            let text: Vec<u32> = pair.ids.iter().copied().filter(|&i| i > 3).collect();
            assert!(text.iter().all(|&t| t / 1000 == text[0] / 1000));
        }
    }

    #[test]
    fn too_short_or_empty_is_refused() {
        assert!(PairSampler::new(Arc::new(corpus()), SPECIALS, 4).is_none());
        assert!(PairSampler::new(Arc::default(), SPECIALS, 64).is_none());
    }
}
