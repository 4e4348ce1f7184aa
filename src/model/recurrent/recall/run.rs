//! One model's run on the recall task, a few updates at a time, so that a caller without
//! threads (the browser) can draw between them; [`super::train_and_evaluate`] runs it to
//! the end in one call.

use std::sync::atomic::{AtomicBool, Ordering};
use web_time::Instant;

use super::{
    Net, RecallConfig, RecallCurve, RecallError, RecallExample, RecallModel, RecallProgress, argmax,
};
use crate::model::numerics::nn::Adam;
use crate::model::numerics::rng::SplitMix64;

/// A model being trained, with its optimiser and its place in the training stream.
pub struct RecallRun {
    cfg: RecallConfig,
    model: RecallModel,
    net: Net,
    adam: Adam<f64>,
    rng: SplitMix64,
    /// Updates between progress reports (about 1 % of the run).
    every: usize,
    avg_loss: f64,
    step: usize,
    started: Instant,
}

impl RecallRun {
    pub fn new(cfg: &RecallConfig, model: RecallModel) -> Result<Self, RecallError> {
        cfg.validate()?;
        Ok(Self {
            cfg: cfg.clone(),
            model,
            net: Net::new(cfg, model),
            adam: Adam::new(cfg.learning_rate),
            // Same training stream for every model, so differences come from the
            // architecture.
            rng: SplitMix64::new(cfg.seed ^ 0x7EA1_0000_0000_0001),
            every: (cfg.train_steps / 100).max(1),
            avg_loss: (cfg.symbols as f64).ln(),
            step: 0,
            started: Instant::now(),
        })
    }

    /// Up to `updates` more Adam updates; true while some remain.
    pub fn train(&mut self, updates: usize, progress: &mut dyn FnMut(RecallProgress)) -> bool {
        let cfg = &self.cfg;
        for _ in 0..updates {
            if self.step >= cfg.train_steps {
                break;
            }
            self.step += 1;
            let distance = self.rng.below(cfg.max_distance + 1);
            let (tokens, answers) = cfg.sample(&mut self.rng, cfg.batch_size, distance);
            let loss = self.net.train_step(cfg, &tokens, &answers, &mut self.adam);
            if loss.is_finite() {
                self.avg_loss = 0.95 * self.avg_loss + 0.05 * loss;
            }
            if self.step.is_multiple_of(self.every) || self.step == cfg.train_steps {
                progress(RecallProgress {
                    model: self.model,
                    step: self.step,
                    total_steps: cfg.train_steps,
                    loss: self.avg_loss,
                });
            }
        }
        self.step < cfg.train_steps
    }

    /// Measures the trained model's accuracy at every evaluation distance.
    pub fn evaluate(self, cancel: &AtomicBool) -> Result<RecallCurve, RecallError> {
        let cfg = &self.cfg;
        let mut eval_rng = SplitMix64::new(cfg.seed ^ 0xE7A1_0000_0000_0002);
        let mut accuracy = Vec::with_capacity(cfg.eval_distances.len());
        let mut example = None;
        let longest = cfg.eval_distances.iter().copied().max().unwrap_or(0);
        for &d in &cfg.eval_distances {
            if cancel.load(Ordering::Relaxed) {
                return Err(RecallError::Cancelled);
            }
            let (tokens, answers) = cfg.sample(&mut eval_rng, cfg.eval_samples, d);
            let (probs, attention) = self.net.forward(cfg, &tokens);
            let predicted: Vec<usize> = probs
                .outer_iter()
                .map(|p| argmax(p.iter().copied()))
                .collect();
            let correct = predicted
                .iter()
                .zip(&answers)
                .filter(|(p, a)| p == a)
                .count();
            accuracy.push(correct as f64 / answers.len() as f64);
            if d == longest && example.is_none() {
                example = Some(RecallExample {
                    tokens: tokens.row(0).iter().map(|&t| cfg.token_label(t)).collect(),
                    answer: cfg.token_label(answers[0]),
                    predicted: cfg.token_label(predicted[0]),
                    attention: attention.map(|a| a.row(0).to_vec()).unwrap_or_default(),
                });
            }
        }
        Ok(RecallCurve {
            model: self.model,
            distances: cfg.eval_distances.clone(),
            accuracy,
            chance: 1.0 / cfg.symbols as f64,
            final_loss: self.avg_loss,
            example: example.unwrap_or(RecallExample {
                tokens: Vec::new(),
                answer: String::new(),
                predicted: String::new(),
                attention: Vec::new(),
            }),
            train_seconds: self.started.elapsed().as_secs_f64(),
        })
    }
}
