//! Drawing negative samples: words picked with probability ∝ count^0.75.
//!
//! The 0.75 power flattens the unigram distribution: with counts 100 and 1,
//! plain frequency gives 99% / 1%, count^0.75 gives 97% / 3%: rare words are
//! drawn as negatives more often than their frequency alone would.
//!
//! word2vec.c fills a 10^8-slot array (each word occupying a share of slots ∝
//! count^0.75) and indexes it with a random number. We build Walker's alias
//! table instead: the same O(1) draw (one random number, one lookup), but exact
//! and only 8 bytes per vocabulary word, so it stays in cache.

use crate::model::numerics::rng::SplitMix64;

/// The smoothing exponent of Mikolov et al. (2013).
pub const POWER: f64 = 0.75;

/// Walker/Vose alias table over the vocabulary.
#[derive(Debug, Clone)]
pub struct NegativeTable {
    /// Per slot: keep the slot's own word when the 32-bit coin is below `threshold`,
    /// otherwise take `alias`.
    slots: Vec<Slot>,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    threshold: u32,
    alias: u32,
}

impl NegativeTable {
    /// Builds the table for `counts^power`. Words with count 0 are never drawn.
    /// Returns `None` when no word has a positive count.
    pub fn new(counts: &[u64], power: f64) -> Option<NegativeTable> {
        let weights: Vec<f64> = counts.iter().map(|&c| (c as f64).powf(power)).collect();
        let sum: f64 = weights.iter().sum();
        let n = weights.len();
        if n == 0 || sum <= 0.0 || n > u32::MAX as usize {
            return None;
        }
        // Vose's algorithm: scale so the mean is 1, then pair each under-full slot
        // with an over-full word that tops it up.
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / sum).collect();
        let mut small: Vec<usize> = Vec::new();
        let mut large: Vec<usize> = Vec::new();
        for (i, &p) in scaled.iter().enumerate() {
            if p < 1.0 {
                small.push(i)
            } else {
                large.push(i)
            }
        }
        let mut slots = vec![
            Slot {
                threshold: u32::MAX,
                alias: 0
            };
            n
        ];
        for (i, s) in slots.iter_mut().enumerate() {
            s.alias = i as u32;
        }
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            slots[s] = Slot {
                threshold: to_threshold(scaled[s]),
                alias: l as u32,
            };
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // What is left is full up to rounding error: always keep its own word.
        for i in small.into_iter().chain(large) {
            slots[i] = Slot {
                threshold: u32::MAX,
                alias: i as u32,
            };
        }
        Some(NegativeTable { slots })
    }

    /// The default table, count^0.75.
    pub fn unigram(counts: &[u64]) -> Option<NegativeTable> {
        NegativeTable::new(counts, POWER)
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// One negative sample (a word id).
    #[inline(always)]
    pub fn sample(&self, rng: &mut SplitMix64) -> u32 {
        let r = rng.next_u64();
        let i = (((r >> 32) * self.slots.len() as u64) >> 32) as usize;
        let slot = self.slots[i];
        if (r as u32) < slot.threshold {
            i as u32
        } else {
            slot.alias
        }
    }

    /// The probability with which [`NegativeTable::sample`] returns each word,
    /// read back from the table (for tests and for the lesson's bar chart).
    pub fn probabilities(&self) -> Vec<f64> {
        let n = self.slots.len() as f64;
        let mut p = vec![0.0; self.slots.len()];
        for (i, s) in self.slots.iter().enumerate() {
            let keep = if s.threshold == u32::MAX {
                1.0
            } else {
                s.threshold as f64 / 4_294_967_296.0
            };
            p[i] += keep / n;
            p[s.alias as usize] += (1.0 - keep) / n;
        }
        p
    }
}

fn to_threshold(p: f64) -> u32 {
    (p.clamp(0.0, 1.0) * 4_294_967_296.0).min(u32::MAX as f64) as u32
}

/// The target distribution count^power / Σ count^power.
pub fn target_probabilities(counts: &[u64], power: f64) -> Vec<f64> {
    let w: Vec<f64> = counts.iter().map(|&c| (c as f64).powf(power)).collect();
    let sum: f64 = w.iter().sum();
    w.into_iter().map(|x| x / sum).collect()
}
