//! A short pre-training run the app can watch: the shipped model trains on for a
//! few hundred updates on part of the corpus, reporting every update's losses and,
//! every few updates, a copy of the weights for the views to run.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::data::{SpecialIds, TokenCorpus};
use super::masking::MaskingPolicy;
use super::model::{PretrainHeads, PretrainModel};
use super::trainer::{TrainConfig, Trainer};
use crate::model::bert::pretrained::PretrainedBert;
use crate::model::bert::weights::BertWeights;
use crate::model::numerics::rng::SplitMix64;
use crate::model::text::corpus::Corpus;

/// The run's size.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveConfig {
    pub updates: u64,
    pub batch: usize,
    pub seq_len: usize,
    pub lr: f32,
    /// Updates between weight snapshots.
    pub every: u64,
    /// Addresses trained on (every k-th of the corpus, so all eras are in).
    pub max_docs: usize,
    pub threads: usize,
    pub seed: u64,
}

impl Default for LiveConfig {
    fn default() -> Self {
        Self {
            updates: 300,
            batch: 8,
            seq_len: 64,
            lr: 5e-5,
            every: 20,
            max_docs: 40,
            threads: 2,
            seed: 7,
        }
    }
}

/// What the run reports.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// Tokenising the addresses (before the first update).
    Preparing {
        tokens: usize,
    },
    Update {
        step: u64,
        of: u64,
        loss: f64,
        mlm_top1: f64,
    },
    /// The weights after update `step`.
    Snapshot {
        step: u64,
        weights: Arc<BertWeights>,
    },
    Failed(String),
    Done,
}

/// Trains a copy of `bert` on part of `corpus`, sending events until done,
/// cancelled, or `send` returns false (nobody listens).
pub fn continue_training(
    bert: &PretrainedBert,
    corpus: &Corpus,
    config: &LiveConfig,
    cancel: &AtomicBool,
    send: &mut dyn FnMut(LiveEvent) -> bool,
) {
    match LiveRun::start(bert, corpus, config, send) {
        Ok(Some(mut run)) => while !cancel.load(Ordering::Relaxed) && run.step(send) {},
        Ok(None) => {}
        Err(e) => {
            send(LiveEvent::Failed(e));
        }
    }
}

/// A run in progress, one update per [`LiveRun::step`], so that a caller without
/// threads (the browser) can draw frames between updates.
pub struct LiveRun {
    trainer: Trainer,
    config: LiveConfig,
}

impl LiveRun {
    /// Tokenises the addresses and sets the trainer up; `None` when nobody listens.
    pub fn start(
        bert: &PretrainedBert,
        corpus: &Corpus,
        config: &LiveConfig,
        send: &mut dyn FnMut(LiveEvent) -> bool,
    ) -> Result<Option<LiveRun>, String> {
        let docs = corpus.documents();
        let stride = docs.len().div_ceil(config.max_docs.max(1)).max(1);
        let tokens = TokenCorpus::tokenize(docs.iter().step_by(stride), &bert.model.tokenizer);
        if !send(LiveEvent::Preparing {
            tokens: tokens.token_count(),
        }) {
            return Ok(None);
        }
        let tokenizer = &bert.model.tokenizer;
        let specials = SpecialIds::of(tokenizer).ok_or("the vocabulary has no [CLS] or [SEP]")?;
        let policy =
            MaskingPolicy::for_tokenizer(tokenizer).ok_or("the vocabulary has no [MASK] token")?;
        let heads = bert
            .heads
            .clone()
            .unwrap_or_else(|| PretrainHeads::random(&bert.model.config, &mut SplitMix64::new(1)));
        let model = PretrainModel::from_parts(bert.model.weights.clone(), heads)
            .map_err(|e| e.to_string())?;
        let train = TrainConfig {
            seq_len: config.seq_len.min(bert.max_tokens()),
            short_seq_len: config.seq_len.min(bert.max_tokens()),
            long_from: 0,
            batch: config.batch,
            steps: config.updates,
            lr: config.lr,
            warmup: (config.updates / 10).max(1),
            nsp_from: 0,
            seed: config.seed,
            threads: config.threads,
            ..TrainConfig::default()
        };
        let trainer = Trainer::new(train, model, Arc::new(tokens), specials, policy)
            .map_err(|e| e.to_string())?;
        Ok(Some(LiveRun {
            trainer,
            config: config.clone(),
        }))
    }

    /// One update and its events; false once the run is done (`Done` sent), failed
    /// (`Failed` sent) or nobody listens.
    pub fn step(&mut self, send: &mut dyn FnMut(LiveEvent) -> bool) -> bool {
        let (trainer, config) = (&mut self.trainer, &self.config);
        if trainer.step >= config.updates {
            send(LiveEvent::Done);
            return false;
        }
        let s = match trainer.step() {
            Ok(s) => s,
            Err(e) => {
                send(LiveEvent::Failed(e.to_string()));
                return false;
            }
        };
        let update = LiveEvent::Update {
            step: s.step,
            of: config.updates,
            loss: s.losses.total(),
            mlm_top1: s.losses.mlm_correct as f64 / s.losses.mlm_count.max(1) as f64,
        };
        if !send(update) {
            return false;
        }
        if s.step % config.every.max(1) == 0 || s.step == config.updates {
            return send(LiveEvent::Snapshot {
                step: s.step,
                weights: Arc::new(trainer.model.to_bert_weights()),
            });
        }
        true
    }
}
