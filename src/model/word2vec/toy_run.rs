//! The course's from-scratch word2vec: skip-gram with a **full softmax**, the network
//! `V → N → V` with `W_center (V × N)` and `W_outside (V × N)`, trained by plain SGD on a
//! few short sentences for many epochs, every weight kept at every snapshot so a learner
//! can watch a tiny network learn. Slow by design: every step updates all V output rows.

use super::softmax;
use crate::model::numerics::rng::SplitMix64;
use crate::model::text::corpus::words;

/// Four short sentences in the spirit of the course's toy corpus.
pub const TOY_SENTENCES: [&str; 4] = [
    "The dog chased the cat around the garden.",
    "The cat climbed the tree in the garden.",
    "A dog barked at the cat.",
    "The cat slept under the tree.",
];

/// The settings the course uses: dimension 3, window 2, about 1,000 epochs, rate 0.01.
#[derive(Debug, Clone, PartialEq)]
pub struct ToyConfig {
    pub dim: usize,
    pub window: usize,
    pub epochs: usize,
    pub learning_rate: f32,
    pub seed: u64,
    /// Weights are recorded every this many epochs (and after the last).
    pub snapshot_every: usize,
}

impl Default for ToyConfig {
    fn default() -> Self {
        Self {
            dim: 3,
            window: 2,
            epochs: 1000,
            learning_rate: 0.01,
            seed: 1,
            snapshot_every: 10,
        }
    }
}

/// The weights after some epoch, and the average loss of that epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Epochs done (0: the random start).
    pub epoch: usize,
    pub w_center: Vec<f32>,  // (V × N), row-major
    pub w_outside: Vec<f32>, // (V × N), row-major: output word w scores u_w · v_c
    /// Mean −ln P(context | centre) over the epoch's pairs (the start: before training).
    pub loss: f32,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq)]
pub struct ToyRun {
    /// The vocabulary in order of first appearance.
    pub words: Vec<String>,
    /// (centre, context) pairs per epoch, as word ids.
    pub pairs: Vec<(u32, u32)>,
    pub dim: usize,
    pub snapshots: Vec<Snapshot>,
}

/// Every (centre, context) pair within `window` of each other, sentence by sentence.
pub fn skip_gram_pairs(sentences: &[Vec<u32>], window: usize) -> Vec<(u32, u32)> {
    let mut pairs = Vec::new();
    for s in sentences {
        for (i, &c) in s.iter().enumerate() {
            let lo = i.saturating_sub(window);
            let hi = (i + window).min(s.len().saturating_sub(1));
            for (j, &o) in s.iter().enumerate().take(hi + 1).skip(lo) {
                if j != i {
                    pairs.push((c, o));
                }
            }
        }
    }
    pairs
}

/// Mean loss of every pair under the given weights, without updating them.
fn mean_loss(pairs: &[(u32, u32)], w_center: &[f32], w_outside: &[f32], dim: usize) -> f32 {
    if pairs.is_empty() {
        return 0.0;
    }
    let total: f32 = pairs
        .iter()
        .map(|&(c, o)| {
            let p = softmax::probabilities(w_center, w_outside, dim, c);
            -p.get(o as usize)
                .copied()
                .unwrap_or(0.0)
                .max(f32::MIN_POSITIVE)
                .ln()
        })
        .sum();
    total / pairs.len() as f32
}

/// Trains on `texts` (lower-cased words, as the trainer reads them).
pub fn train(texts: &[&str], cfg: &ToyConfig) -> ToyRun {
    let mut vocab: Vec<String> = Vec::new();
    let sentences: Vec<Vec<u32>> = texts
        .iter()
        .map(|t| {
            words(t)
                .map(|w| {
                    let id = match vocab.iter().position(|v| *v == w) {
                        Some(i) => i,
                        None => {
                            vocab.push(w.into_owned());
                            vocab.len() - 1
                        }
                    };
                    id as u32
                })
                .collect()
        })
        .collect();
    let (v, n) = (vocab.len(), cfg.dim.max(1));
    let pairs = skip_gram_pairs(&sentences, cfg.window);
    let mut rng = SplitMix64::new(cfg.seed);
    // Small random start for both matrices, so the first scores are nearly uniform.
    let mut w_center: Vec<f32> = (0..v * n).map(|_| rng.normal() as f32 * 0.1).collect(); // (V × N)
    let mut w_outside: Vec<f32> = (0..v * n).map(|_| rng.normal() as f32 * 0.1).collect(); // (V × N)
    let mut snapshots = vec![Snapshot {
        epoch: 0,
        w_center: w_center.clone(),
        w_outside: w_outside.clone(),
        loss: mean_loss(&pairs, &w_center, &w_outside, n),
    }];
    let mut scores = vec![0.0f32; v]; // (V)
    let mut grad = vec![0.0f32; n]; // (N)
    let every = cfg.snapshot_every.max(1);
    for epoch in 1..=cfg.epochs {
        let mut total = 0.0;
        for &(c, o) in &pairs {
            total += softmax::step(
                &mut w_center,
                &mut w_outside,
                n,
                c,
                o,
                cfg.learning_rate,
                &mut scores,
                &mut grad,
            );
        }
        if epoch % every == 0 || epoch == cfg.epochs {
            snapshots.push(Snapshot {
                epoch,
                w_center: w_center.clone(),
                w_outside: w_outside.clone(),
                loss: total / pairs.len().max(1) as f32,
            });
        }
    }
    ToyRun {
        words: vocab,
        pairs,
        dim: n,
        snapshots,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_toy_run_learns_and_changes_every_matrix() {
        let run = train(&TOY_SENTENCES, &ToyConfig::default());
        let v = run.words.len();
        assert_eq!(run.words[..3], ["the", "dog", "chased"]);
        let (first, last) = (&run.snapshots[0], run.snapshots.last().unwrap());
        assert_eq!((first.epoch, last.epoch), (0, 1000));
        assert_eq!(first.w_center.len(), v * 3);
        // Near-uniform predictions at the start: loss about ln V.
        assert!((first.loss - (v as f32).ln()).abs() < 0.1, "{}", first.loss);
        assert!(
            last.loss < first.loss - 0.3,
            "{} -> {}",
            first.loss,
            last.loss
        );
        assert_ne!(first.w_center, last.w_center);
        assert_ne!(first.w_outside, last.w_outside);
    }

    #[test]
    fn pairs_stay_inside_the_window_and_the_sentence() {
        let pairs = skip_gram_pairs(&[vec![0, 1, 2, 3], vec![4, 5]], 2);
        // 4 words with radius 2: 2 + 3 + 3 + 2 = 10; 2 words: 2.
        assert_eq!(pairs.len(), 12);
        assert!(pairs.contains(&(0, 2)) && !pairs.contains(&(0, 3)));
        assert!(!pairs.iter().any(|&(a, b)| (a < 4) != (b < 4)));
    }
}
