//! BERT's masking for the MLM objective (Devlin et al. 2018, §3.1): 15 % of the
//! positions that are not special tokens are chosen; of those, 80 % show `[MASK]`,
//! 10 % a random word and 10 % stay as they were, so the model cannot learn that
//! only `[MASK]` positions matter. The loss is taken at every chosen position.

use crate::model::numerics::rng::SplitMix64;

/// Share of the non-special positions chosen for prediction.
pub const CHOSEN_RATE: f64 = 0.15;
/// Of the chosen: share shown as `[MASK]`, and as a random word (the rest unchanged).
pub const MASK_RATE: f64 = 0.8;
pub const RANDOM_RATE: f64 = 0.1;

/// What happened at one position, for the loss and for the lesson's colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    NotChosen,
    /// Replaced by `[MASK]`.
    Masked,
    /// Replaced by a random non-special word (which may by chance be the original).
    Random,
    /// Chosen but shown unchanged.
    Unchanged,
}

/// The vocabulary facts masking needs.
#[derive(Debug, Clone, PartialEq)]
pub struct MaskingPolicy {
    pub mask_id: u32,
    vocab_size: u32,
    /// Sorted ids never chosen nor drawn as random words ([PAD], [UNK], [CLS], …).
    special: Vec<u32>,
}

/// One masked sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct Masked {
    /// The ids the model sees.
    pub ids: Vec<u32>,
    /// The original id at chosen positions, `None` elsewhere.
    pub labels: Vec<Option<u32>>,
    pub choices: Vec<Choice>,
}

impl MaskingPolicy {
    /// `special` must include `mask_id`'s fellow special tokens ([CLS], [SEP],
    /// [PAD], …; `mask_id` is added). `None` when no ordinary word is left to
    /// draw as a random replacement.
    pub fn new(vocab_size: u32, mask_id: u32, special: &[u32]) -> Option<Self> {
        let mut special: Vec<u32> = special
            .iter()
            .copied()
            .chain([mask_id])
            .filter(|&id| id < vocab_size)
            .collect();
        special.sort_unstable();
        special.dedup();
        (mask_id < vocab_size && special.len() < vocab_size as usize).then_some(Self {
            mask_id,
            vocab_size,
            special,
        })
    }

    /// BERT's policy over a WordPiece vocabulary: never [PAD], [UNK], [CLS], [SEP]
    /// or [MASK]. `None` without a [MASK] token or without ordinary words.
    pub fn for_tokenizer(tokenizer: &crate::model::tokenize::WordPiece) -> Option<Self> {
        let mask = tokenizer.token_to_id("[MASK]")?;
        let special: Vec<u32> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
            .iter()
            .filter_map(|t| tokenizer.token_to_id(t))
            .collect();
        Self::new(tokenizer.vocab_size() as u32, mask, &special)
    }

    pub fn is_special(&self, id: u32) -> bool {
        self.special.binary_search(&id).is_ok()
    }

    /// A uniform draw among the non-special ids: the k-th ordinary id, found by
    /// stepping over the (sorted) special ids at or below it.
    fn random_word(&self, rng: &mut SplitMix64) -> u32 {
        let ordinary = self.vocab_size as usize - self.special.len();
        let mut id = rng.below(ordinary) as u32;
        for &s in &self.special {
            if s <= id {
                id += 1;
            }
        }
        id
    }

    /// Chooses `round(15 %)` of the non-special positions (at least one when there
    /// are any) uniformly without replacement, then applies 80/10/10.
    pub fn mask(&self, ids: &[u32], rng: &mut SplitMix64) -> Masked {
        let mut candidates: Vec<usize> = (0..ids.len())
            .filter(|&i| !self.is_special(ids[i]))
            .collect();
        let count = if candidates.is_empty() {
            0
        } else {
            ((candidates.len() as f64 * CHOSEN_RATE).round() as usize).max(1)
        };
        // Partial Fisher–Yates: the first `count` entries become a uniform sample.
        for i in 0..count {
            let j = i + rng.below(candidates.len() - i);
            candidates.swap(i, j);
        }
        let mut chosen = candidates[..count].to_vec();
        chosen.sort_unstable(); // draws in position order: easier to follow in a lesson
        let mut out = Masked {
            ids: ids.to_vec(),
            labels: vec![None; ids.len()],
            choices: vec![Choice::NotChosen; ids.len()],
        };
        for at in chosen {
            out.labels[at] = Some(ids[at]);
            let r = rng.next_f64();
            out.choices[at] = if r < MASK_RATE {
                out.ids[at] = self.mask_id;
                Choice::Masked
            } else if r < MASK_RATE + RANDOM_RATE {
                out.ids[at] = self.random_word(rng);
                Choice::Random
            } else {
                Choice::Unchanged
            };
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAD: u32 = 0;
    const UNK: u32 = 1;
    const CLS: u32 = 2;
    const SEP: u32 = 3;
    const MASK: u32 = 4;

    /// `|count − N·p| ≤ 4.5·√(N·p·(1 − p))`: a fair sampler fails this about
    /// once in 150,000 runs, a wrong ratio (say 75 % instead of 80 %) always.
    fn within_binomial(count: usize, n: usize, p: f64) -> bool {
        let mean = n as f64 * p;
        (count as f64 - mean).abs() <= 4.5 * (mean * (1.0 - p)).sqrt()
    }

    #[test]
    fn ratios_hold_over_100_000_chosen_positions_and_specials_are_never_chosen() {
        let policy = MaskingPolicy::new(50, MASK, &[PAD, UNK, CLS, SEP]).unwrap();
        let mut rng = SplitMix64::new(42);
        // [CLS] 60 words [SEP] 73 words [SEP] [PAD]×5: 133 ordinary → 20 chosen each.
        let sequences = 5_000;
        let (mut counts, mut positions) = ([0usize; 4], 0);
        for s in 0..sequences {
            let mut ids = vec![CLS];
            ids.extend((0..60).map(|i| 5 + ((i * 7 + s) % 45) as u32));
            ids.push(SEP);
            ids.extend((0..73).map(|i| 5 + ((i * 11 + s) % 45) as u32));
            ids.extend([SEP, PAD, PAD, PAD, PAD, PAD]);
            let m = policy.mask(&ids, &mut rng);
            positions += 133;
            for (i, c) in m.choices.iter().enumerate() {
                let k = match c {
                    Choice::NotChosen => 0,
                    Choice::Masked => 1,
                    Choice::Random => 2,
                    Choice::Unchanged => 3,
                };
                counts[k] += 1;
                match c {
                    Choice::NotChosen => {
                        assert_eq!((m.ids[i], m.labels[i]), (ids[i], None));
                    }
                    _ => {
                        assert!(!policy.is_special(ids[i]), "special token chosen");
                        assert_eq!(m.labels[i], Some(ids[i]));
                    }
                }
                match c {
                    Choice::Masked => assert_eq!(m.ids[i], MASK),
                    Choice::Random => assert!(m.ids[i] < 50 && !policy.is_special(m.ids[i])),
                    Choice::Unchanged => assert_eq!(m.ids[i], ids[i]),
                    Choice::NotChosen => {}
                }
            }
        }
        let chosen = counts[1] + counts[2] + counts[3];
        assert_eq!(chosen, sequences * 20); // round(0.15 · 133) = 20, exactly
        assert!(within_binomial(chosen, positions, CHOSEN_RATE));
        assert!(within_binomial(counts[1], chosen, MASK_RATE), "{counts:?}");
        assert!(
            within_binomial(counts[2], chosen, RANDOM_RATE),
            "{counts:?}"
        );
        assert!(within_binomial(
            counts[3],
            chosen,
            1.0 - MASK_RATE - RANDOM_RATE
        ));
    }

    #[test]
    fn random_words_cover_exactly_the_ordinary_ids() {
        let policy = MaskingPolicy::new(10, 4, &[0, 2, 9]).unwrap();
        let mut rng = SplitMix64::new(1);
        let mut seen = [0usize; 10];
        for _ in 0..7_000 {
            seen[policy.random_word(&mut rng) as usize] += 1;
        }
        for (id, &n) in seen.iter().enumerate() {
            let ordinary = ![0, 2, 4, 9].contains(&id);
            assert_eq!(n > 0, ordinary, "id {id} drawn {n} times");
            if ordinary {
                assert!(within_binomial(n, 7_000, 1.0 / 6.0), "id {id}: {n}");
            }
        }
    }

    #[test]
    fn short_and_all_special_sequences() {
        let policy = MaskingPolicy::new(50, MASK, &[PAD, UNK, CLS, SEP]).unwrap();
        let mut rng = SplitMix64::new(3);
        let m = policy.mask(&[CLS, 7, SEP], &mut rng);
        assert_eq!(m.labels, vec![None, Some(7), None]); // at least one is chosen
        let m = policy.mask(&[CLS, SEP, PAD], &mut rng);
        assert!(m.labels.iter().all(Option::is_none));
        assert!(MaskingPolicy::new(3, 2, &[0, 1]).is_none()); // nothing to draw
        // Same seed, same masking.
        let ids: Vec<u32> = (5..45).collect();
        let a = policy.mask(&ids, &mut SplitMix64::new(9));
        assert_eq!(a, policy.mask(&ids, &mut SplitMix64::new(9)));
    }
}
