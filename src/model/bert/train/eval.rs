//! Held-out evaluation: a fixed set of masked pairs drawn from addresses the model
//! never trained on, scored the way pre-training scores them (masked-token top-1
//! and top-5 at the chosen positions, 80/10/10 as in training; NSP accuracy on
//! 50/50 pairs with same-era negatives).

use std::sync::Arc;

use ndarray::Axis;

use super::data::{PairSampler, SpecialIds, TokenCorpus};
use super::forward::{NspLabel, encode, mlm_logits};
use super::masking::MaskingPolicy;
use super::model::{PretrainModel, TrainError};
use crate::model::numerics::rng::SplitMix64;

/// Counts over the held-out pairs.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct EvalStats {
    pub pairs: usize,
    /// Chosen positions, and how many have the original token first / in the top 5.
    pub masked: usize,
    pub top1: usize,
    pub top5: usize,
    /// Summed MLM cross-entropy (nats) over the chosen positions.
    pub mlm_loss: f64,
    /// Pairs whose NSP answer was right (0 when the model has no NSP head).
    pub nsp_correct: usize,
}

impl EvalStats {
    fn ratio(a: usize, b: usize) -> f64 {
        a as f64 / b.max(1) as f64
    }
    pub fn top1_rate(&self) -> f64 {
        Self::ratio(self.top1, self.masked)
    }
    pub fn top5_rate(&self) -> f64 {
        Self::ratio(self.top5, self.masked)
    }
    pub fn nsp_rate(&self) -> f64 {
        Self::ratio(self.nsp_correct, self.pairs)
    }
    pub fn mean_mlm_loss(&self) -> f64 {
        self.mlm_loss / self.masked.max(1) as f64
    }
    fn add(&mut self, o: &EvalStats) {
        self.pairs += o.pairs;
        self.masked += o.masked;
        self.top1 += o.top1;
        self.top5 += o.top5;
        self.mlm_loss += o.mlm_loss;
        self.nsp_correct += o.nsp_correct;
    }
}

/// What to evaluate on.
pub struct EvalSet {
    pub corpus: Arc<TokenCorpus>,
    pub specials: SpecialIds,
    pub policy: MaskingPolicy,
    pub seq_len: usize,
    pub pairs: usize,
    pub seed: u64,
}

/// Scores `model` on the set's pairs (the same pairs on every call), split over
/// `threads`.
pub fn evaluate(
    model: &PretrainModel,
    set: &EvalSet,
    threads: usize,
) -> Result<EvalStats, TrainError> {
    let sampler = PairSampler::new(set.corpus.clone(), set.specials, set.seq_len)
        .ok_or_else(|| TrainError::Setup("the held-out corpus has no text".into()))?;
    let mut rng = SplitMix64::for_stream(set.seed, u64::MAX);
    let pairs: Vec<_> = (0..set.pairs)
        .map(|_| {
            let pair = sampler.sample(&mut rng, true);
            let masked = set.policy.mask(&pair.ids, &mut rng);
            (pair, masked)
        })
        .collect();
    let chunk = pairs.len().div_ceil(threads.max(1)).max(1);
    let vocab = model.config.vocab_size;
    let chunks: Vec<_> = pairs.chunks(chunk).collect();
    let parts: Vec<EvalStats> = super::parts::map_parts(chunks, |part| {
        let mut stats = EvalStats::default();
        for (pair, masked) in part {
            if masked.ids.iter().any(|&id| id as usize >= vocab) {
                continue;
            }
            score(model, pair, masked, &mut stats);
        }
        stats
    })
    .into_iter()
    .map(Option::unwrap_or_default)
    .collect();
    let mut total = EvalStats::default();
    for p in &parts {
        total.add(p);
    }
    Ok(total)
}

fn score(
    model: &PretrainModel,
    pair: &super::data::Pair,
    masked: &super::masking::Masked,
    stats: &mut EvalStats,
) {
    let mask = vec![true; masked.ids.len()];
    let (hidden, _, _) = encode(model, &masked.ids, &pair.type_ids, &mask); // (tokens × hidden)
    let (rows, labels): (Vec<usize>, Vec<usize>) = masked
        .labels
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.map(|id| (i, id as usize)))
        .unzip();
    stats.pairs += 1;
    if !rows.is_empty() {
        let logits = mlm_logits(model, &hidden.select(Axis(0), &rows)); // (m × vocab)
        for (row, &label) in logits.rows().into_iter().zip(&labels) {
            let target = row[label];
            let above = row.iter().filter(|&&x| x > target).count();
            stats.masked += 1;
            stats.top1 += usize::from(above == 0);
            stats.top5 += usize::from(above < 5);
            let max = row.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
            let sum: f64 = row.iter().map(|&x| f64::from(x - max).exp()).sum();
            stats.mlm_loss += sum.ln() - f64::from(target - max);
        }
    }
    let cls = hidden.slice(ndarray::s![0..1, ..]);
    let pooled = model.heads.pooler.forward(&cls).mapv(f32::tanh); // (1 × hidden)
    let logits = model.heads.seq_relationship.forward(&pooled.view()); // (1 × 2)
    let guess = if logits[[0, 0]] >= logits[[0, 1]] {
        NspLabel::IsNext
    } else {
        NspLabel::NotNext
    };
    stats.nsp_correct += usize::from(guess == pair.label);
}
