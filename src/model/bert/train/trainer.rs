//! The pre-training loop: each step draws a batch of masked sentence pairs (from
//! the seed and the step number alone, so a resumed run sees the same batches),
//! splits it across threads (one gradient buffer each, summed in a fixed order,
//! so a seed gives the same run on the same thread count), clips and applies
//! AdamW under BERT's warm-up/decay schedule.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::backward::{BatchLosses, BatchTotals};
use super::data::{PairSampler, SpecialIds, TokenCorpus};
use super::forward::PretrainExample;
use super::grads::Grads;
use super::masking::MaskingPolicy;
use super::model::{PretrainModel, TrainError};
use super::optim::{AdamW, LinearSchedule, clip_global_norm};
use super::packed::accumulate_packed;
use crate::model::numerics::rng::SplitMix64;

/// Everything that decides a run besides the corpus and the model's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Longest pair in tokens, `[CLS]` and both `[SEP]` included.
    pub seq_len: usize,
    /// Pairs are `short_seq_len` long before step `long_from` (BERT trained at
    /// 128 then 512: short sequences are cheaper while the model learns words).
    pub short_seq_len: usize,
    pub long_from: u64,
    /// Sequences per update.
    pub batch: usize,
    /// Updates in the whole run (the schedule decays to 0 there).
    pub steps: u64,
    pub lr: f32,
    pub warmup: u64,
    pub weight_decay: f32,
    /// Global gradient-norm limit.
    pub clip: f32,
    /// Next-sentence prediction is trained from this step on (MLM alone before).
    pub nsp_from: u64,
    pub seed: u64,
    pub threads: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            seq_len: 128,
            short_seq_len: 64,
            long_from: 0,
            batch: 32,
            steps: 10_000,
            lr: 1e-3,
            warmup: 500,
            weight_decay: 0.01,
            clip: 1.0,
            nsp_from: 0,
            seed: 0,
            threads: 2,
        }
    }
}

impl TrainConfig {
    /// The pair length at update `step` (1-based).
    pub fn seq_len_at(&self, step: u64) -> usize {
        if step < self.long_from {
            self.short_seq_len
        } else {
            self.seq_len
        }
    }

    pub fn schedule(&self) -> LinearSchedule {
        LinearSchedule {
            peak: self.lr,
            warmup: self.warmup,
            total: self.steps,
        }
    }
}

/// What one update did.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StepStats {
    pub step: u64,
    /// Tokens in this batch (all positions, not only the masked ones).
    pub tokens: u64,
    pub losses: BatchLosses,
    pub lr: f32,
    /// Gradient norm before clipping.
    pub grad_norm: f64,
    pub nsp: bool,
}

/// A model being pre-trained, with its optimiser state and data.
pub struct Trainer {
    pub config: TrainConfig,
    pub model: PretrainModel,
    pub optimizer: AdamW,
    /// Updates done.
    pub step: u64,
    /// Tokens seen so far.
    pub tokens: u64,
    policy: MaskingPolicy,
    short: PairSampler,
    long: PairSampler,
    grads: Vec<Grads>,
}

impl Trainer {
    /// A trainer at step 0 (or at a checkpoint's step after [`Trainer::resume_at`]).
    pub fn new(
        config: TrainConfig,
        model: PretrainModel,
        corpus: Arc<TokenCorpus>,
        specials: SpecialIds,
        policy: MaskingPolicy,
    ) -> Result<Self, TrainError> {
        let max = model.config.max_position_embeddings;
        if config.seq_len > max || config.short_seq_len > max {
            return Err(TrainError::Setup(format!(
                "sequences of {} tokens need position embeddings for as many (the model has {max})",
                config.seq_len.max(config.short_seq_len)
            )));
        }
        if config.batch == 0 || config.threads == 0 {
            return Err(TrainError::Setup(
                "the batch and the thread count must be at least 1".into(),
            ));
        }
        let sampler = |len| {
            PairSampler::new(corpus.clone(), specials, len).ok_or_else(|| {
                TrainError::Setup(format!(
                    "no pairs of {len} tokens can be drawn: the corpus is empty or the length is under 5"
                ))
            })
        };
        let short = sampler(config.short_seq_len)?;
        let long = sampler(config.seq_len)?;
        let grads = (0..config.threads.min(config.batch))
            .map(|_| Grads::zeros_like(&model))
            .collect();
        Ok(Self {
            optimizer: AdamW::new(config.weight_decay),
            config,
            model,
            step: 0,
            tokens: 0,
            policy,
            short,
            long,
            grads,
        })
    }

    /// Sets the counters of a restored run (the optimiser is restored separately).
    pub fn resume_at(&mut self, step: u64, tokens: u64) {
        self.step = step;
        self.tokens = tokens;
    }

    /// The batch of update `step`, drawn from the seed and the step alone.
    pub fn batch(&self, step: u64) -> Vec<PretrainExample> {
        let nsp = step >= self.config.nsp_from;
        let sampler = if self.config.seq_len_at(step) == self.config.seq_len {
            &self.long
        } else {
            &self.short
        };
        let mut rng = SplitMix64::for_stream(self.config.seed, step);
        (0..self.config.batch)
            .map(|_| {
                let pair = sampler.sample(&mut rng, nsp);
                let masked = self.policy.mask(&pair.ids, &mut rng);
                PretrainExample {
                    attention_mask: vec![true; pair.ids.len()],
                    ids: masked.ids,
                    type_ids: pair.type_ids,
                    mlm_labels: masked.labels,
                    nsp_label: nsp.then_some(pair.label),
                }
            })
            .collect()
    }

    /// One update.
    pub fn step(&mut self) -> Result<StepStats, TrainError> {
        let step = self.step + 1;
        let batch = self.batch(step);
        let totals = BatchTotals::of(&batch);
        let parts = self.grads.len();
        let chunk = batch.len().div_ceil(parts);
        let model = &self.model;
        let parts: Vec<_> = batch.chunks(chunk).zip(self.grads.iter_mut()).collect();
        let results: Vec<Result<BatchLosses, TrainError>> =
            super::parts::map_parts(parts, |(part, grads)| {
                grads.fill_zero();
                accumulate_packed(model, part, totals, grads)
            })
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| Err(TrainError::Setup("a training thread panicked".into())))
            })
            .collect();
        let mut losses = BatchLosses {
            mlm_count: totals.mlm,
            nsp_count: totals.nsp,
            ..BatchLosses::default()
        };
        for r in results {
            losses.merge(&r?);
        }
        // Parts beyond the batch's chunk count (a batch smaller than the thread
        // count) stay zero, so summing all buffers is right.
        let (first, rest) = self.grads.split_at_mut(1);
        let total = &mut first[0];
        for g in rest.iter() {
            total.add(g)?;
        }
        let grad_norm = clip_global_norm(total, self.config.clip);
        let lr = self.config.schedule().lr(step);
        self.optimizer.update(&mut self.model, total, lr)?;
        let tokens: u64 = batch.iter().map(|ex| ex.ids.len() as u64).sum();
        self.step = step;
        self.tokens += tokens;
        Ok(StepStats {
            step,
            tokens,
            losses,
            lr,
            grad_norm,
            nsp: step >= self.config.nsp_from,
        })
    }
}
