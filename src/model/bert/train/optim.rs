//! AdamW (Loshchilov & Hutter 2019), BERT's learning-rate schedule (linear warm-up,
//! then linear decay to 0) and global-norm gradient clipping, over the parameter
//! list of [`named_params`].

use super::grads::{Grads, named_params};
use super::model::{PretrainModel, TrainError};

/// Adam with decoupled weight decay: `θ ← θ − lr·(m̂/(√v̂ + ε) + λ·θ)`, the decay
/// applied to the weight itself rather than added to the gradient (where Adam's
/// per-entry scaling would weaken it for large gradients). Like BERT and Hugging
/// Face, biases and LayerNorm parameters are not decayed ([`decays`]).
#[derive(Debug, Clone)]
pub struct AdamW {
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    pub weight_decay: f32,
    /// Steps taken (the bias corrections depend on it).
    pub step: u64,
    /// First and second moments, one vector per tensor in [`named_params`] order.
    m: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
}

/// Whether a parameter gets weight decay, decided by its name: not biases, not
/// LayerNorm scales and shifts (decaying γ towards 0 would shrink activations,
/// not complexity).
pub fn decays(name: &str) -> bool {
    !(name.ends_with(".bias") || name.contains("LayerNorm"))
}

impl AdamW {
    /// BERT's settings: β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁶ (the paper's code), and the
    /// given weight decay (0.01 in the paper).
    pub fn new(weight_decay: f32) -> Self {
        Self {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-6,
            weight_decay,
            step: 0,
            m: Vec::new(),
            v: Vec::new(),
        }
    }

    /// The first and second moments, one vector per tensor in [`named_params`]
    /// order (empty before the first update), for checkpoints.
    pub fn moments(&self) -> (&[Vec<f32>], &[Vec<f32>]) {
        (&self.m, &self.v)
    }

    /// Restores a checkpoint's moments and step count. The lengths are checked
    /// against the model at the next [`AdamW::update`].
    pub fn restore(&mut self, step: u64, m: Vec<Vec<f32>>, v: Vec<Vec<f32>>) {
        self.step = step;
        self.m = m;
        self.v = v;
    }

    /// One update of every parameter with learning rate `lr`.
    pub fn update(
        &mut self,
        model: &mut PretrainModel,
        grads: &Grads,
        lr: f32,
    ) -> Result<(), TrainError> {
        let params = named_params(model, grads)?;
        if self.m.len() != params.len() {
            self.m = params.iter().map(|p| vec![0.0; p.param.len()]).collect();
            self.v = self.m.clone();
        }
        self.step += 1;
        let t = self.step.min(i32::MAX as u64) as i32;
        let c1 = 1.0 - f64::from(self.beta1).powi(t);
        let c2 = 1.0 - f64::from(self.beta2).powi(t);
        let (b1, b2, eps) = (self.beta1, self.beta2, self.eps);
        let (step_size, c2_sqrt) = ((f64::from(lr) / c1) as f32, c2.sqrt() as f32);
        for ((mut p, m), v) in params.into_iter().zip(&mut self.m).zip(&mut self.v) {
            if m.len() != p.param.len() {
                return Err(TrainError::Mismatch(p.name));
            }
            let decay = if decays(&p.name) {
                1.0 - lr * self.weight_decay
            } else {
                1.0
            };
            for (((w, &g), mi), vi) in p
                .param
                .iter_mut()
                .zip(p.grad.iter())
                .zip(m.iter_mut())
                .zip(v.iter_mut())
            {
                *mi = b1 * *mi + (1.0 - b1) * g;
                *vi = b2 * *vi + (1.0 - b2) * g * g;
                *w = *w * decay - step_size * *mi / (vi.sqrt() / c2_sqrt + eps);
            }
        }
        Ok(())
    }
}

/// Linear warm-up to `peak` over `warmup` steps, then linear decay to 0 at
/// `total` steps (BERT's schedule). Steps count from 1, the first update.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearSchedule {
    pub peak: f32,
    pub warmup: u64,
    pub total: u64,
}

impl LinearSchedule {
    /// The learning rate of update number `step` (1-based); 0 from `total` on.
    pub fn lr(&self, step: u64) -> f32 {
        let peak = f64::from(self.peak);
        let lr = if step <= self.warmup {
            peak * step as f64 / self.warmup.max(1) as f64
        } else if step >= self.total {
            0.0
        } else {
            peak * (self.total - step) as f64 / (self.total - self.warmup) as f64
        };
        lr as f32
    }
}

/// Scales all gradients together so their global norm is at most `max_norm`, and
/// returns the norm before clipping (for the log). A non-finite norm zeroes the
/// gradients: that step is skipped rather than poisoning the weights.
pub fn clip_global_norm(grads: &mut Grads, max_norm: f32) -> f64 {
    let norm = grads.global_norm();
    if !norm.is_finite() {
        grads.fill_zero();
    } else if norm > f64::from(max_norm) {
        grads.scale((f64::from(max_norm) / norm) as f32);
    }
    norm
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bert::config::BertConfig;

    fn tiny() -> BertConfig {
        BertConfig {
            vocab_size: 11,
            hidden_size: 4,
            num_hidden_layers: 1,
            num_attention_heads: 2,
            intermediate_size: 8,
            max_position_embeddings: 6,
            ..BertConfig::tiny()
        }
    }

    #[test]
    fn one_step_matches_hand_computed_numbers() {
        let mut model = PretrainModel::random(&tiny(), 5).unwrap();
        let mut grads = Grads::zeros_like(&model);
        grads.embeddings.word[[0, 0]] = 0.5;
        grads.embeddings.layer_norm.beta[1] = -2.0;
        let w0 = model.embeddings.word[[0, 0]];
        let w1 = model.embeddings.word[[0, 1]];
        let beta = model.embeddings.layer_norm.beta[1];
        let mut opt = AdamW::new(0.1);
        opt.update(&mut model, &grads, 0.01).unwrap();
        // Step 1: m̂ = g, v̂ = g², so the Adam part is lr·g/(|g| + ε) ≈ lr·sign(g);
        // decay multiplies the decayed weights by 1 − lr·λ = 0.999 first.
        let adam = 0.01 * 0.5 / (0.5 + 1e-6);
        assert!((model.embeddings.word[[0, 0]] - (w0 * 0.999 - adam)).abs() < 1e-7);
        assert!((model.embeddings.word[[0, 1]] - w1 * 0.999).abs() < 1e-9); // g = 0: decay only
        let adam = 0.01 * -2.0 / (2.0 + 1e-6);
        assert!((model.embeddings.layer_norm.beta[1] - (beta - adam)).abs() < 1e-7); // no decay
        // Step 2 with the same gradient: m = 0.19·g, v = 0.001999·g², corrected by
        // 1 − 0.9² = 0.19 and 1 − 0.999² = 0.001999: again ≈ lr·sign(g).
        let w = model.embeddings.word[[0, 0]];
        opt.update(&mut model, &grads, 0.01).unwrap();
        let expected = w * 0.999 - 0.01 * 0.5 / (0.5 + 1e-6);
        assert!((model.embeddings.word[[0, 0]] - expected).abs() < 1e-6);
        assert!(decays("bert.encoder.layer.0.attention.self.query.weight"));
        assert!(!decays("bert.encoder.layer.0.output.LayerNorm.weight"));
        assert!(!decays("cls.predictions.bias"));
    }

    #[test]
    fn schedule_warms_up_then_decays_to_zero() {
        let s = LinearSchedule {
            peak: 1e-3,
            warmup: 10,
            total: 110,
        };
        let close = |a: f32, b: f32| (a - b).abs() < 1e-9;
        assert!(close(s.lr(1), 1e-4));
        assert!(close(s.lr(5), 5e-4));
        assert!(close(s.lr(10), 1e-3));
        assert!(close(s.lr(60), 5e-4));
        assert!(close(s.lr(109), 1e-5));
        assert_eq!((s.lr(110), s.lr(500)), (0.0, 0.0));
        let no_warmup = LinearSchedule { warmup: 0, ..s };
        assert!(close(no_warmup.lr(1), 1e-3 * 109.0 / 110.0));
    }

    #[test]
    fn clipping_scales_to_the_limit_and_skips_non_finite_steps() {
        let mut grads = Grads::zeros(&tiny());
        grads.embeddings.word[[0, 0]] = 3.0;
        grads.heads.pooler.bias[0] = 4.0;
        assert_eq!(clip_global_norm(&mut grads, 1.0), 5.0);
        assert!((grads.embeddings.word[[0, 0]] - 0.6).abs() < 1e-7);
        assert!((grads.global_norm() - 1.0).abs() < 1e-6);
        assert_eq!(clip_global_norm(&mut grads, 10.0), grads.global_norm()); // untouched
        grads.mlm.bias[2] = f32::NAN;
        assert!(clip_global_norm(&mut grads, 1.0).is_nan());
        assert_eq!(grads.global_norm(), 0.0);
    }
}
