//! The two building blocks every BERT sub-layer is made of, `nn.Linear` and
//! `nn.LayerNorm`, each with its loading from a checkpoint and its forward pass.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use super::weights::{Reader, WeightsError};
use crate::model::numerics::matmul::mat_mul;

/// `nn.Linear`: `y = x·Wᵀ + b`, weight stored `(out, in)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    pub weight: Array2<f32>,
    pub bias: Array1<f32>,
}

/// `nn.LayerNorm` scale and shift.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerNorm {
    pub gamma: Array1<f32>,
    pub beta: Array1<f32>,
}

impl Linear {
    /// Reads `{name}.weight` `(out × in)` and `{name}.bias` `(out)`.
    pub(super) fn load(
        reader: &Reader,
        name: &str,
        out: usize,
        inp: usize,
    ) -> Result<Self, WeightsError> {
        Ok(Linear {
            weight: reader.mat(&format!("{name}.weight"), out, inp)?,
            bias: reader.vec(&format!("{name}.bias"), out)?,
        })
    }

    /// `x·Wᵀ + b` for `x` of shape `(tokens × in)` → `(tokens × out)`.
    pub fn forward(&self, x: &ArrayView2<f32>) -> Array2<f32> {
        let mut y = mat_mul(x, &self.weight.t()); // (tokens × out)
        y += &self.bias;
        y
    }
}

impl LayerNorm {
    /// Reads `{name}.weight` and `{name}.bias`, each `(len)`.
    pub(super) fn load(reader: &Reader, name: &str, len: usize) -> Result<Self, WeightsError> {
        // Old TF-converted checkpoints call these gamma/beta.
        let (g, b) = if reader.has(&format!("{name}.gamma")) {
            ("gamma", "beta")
        } else {
            ("weight", "bias")
        };
        Ok(LayerNorm {
            gamma: reader.vec(&format!("{name}.{g}"), len)?,
            beta: reader.vec(&format!("{name}.{b}"), len)?,
        })
    }

    /// Normalises each row to mean 0, variance 1 (biased variance, as PyTorch),
    /// then scales and shifts. Sums are taken in f64 to stay close to PyTorch.
    pub fn forward(&self, x: &ArrayView2<f32>, eps: f64) -> Array2<f32> {
        let mut out = x.to_owned();
        for mut row in out.rows_mut() {
            let (mean, inv) = row_stats(row.view(), eps);
            for ((v, g), b) in row.iter_mut().zip(&self.gamma).zip(&self.beta) {
                *v = ((*v as f64 - mean) * inv) as f32 * g + b;
            }
        }
        out
    }
}

/// A row's mean and `1/σ` (biased variance, as PyTorch), summed in f64. The app's
/// LayerNorm and the training forward both use it, so their outputs are bit-identical.
pub(crate) fn row_stats(row: ArrayView1<f32>, eps: f64) -> (f64, f64) {
    let width = row.len() as f64;
    let mean = row.iter().map(|&v| v as f64).sum::<f64>() / width;
    let var = row.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / width;
    (mean, 1.0 / (var + eps).sqrt())
}
