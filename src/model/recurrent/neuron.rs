//! The single recurrent neuron of the lesson's step 3, unrolled in time with every
//! intermediate number kept so the view can animate it.
//!
//! `y_t = tanh(w_x · x_t + w_y · y_{t−1} + b)`, with `y_{−1}` given (usually 0). The output
//! `y_t` is the hidden state: it is fed back in at the next step together with `x_{t+1}`.
//!
//! Worked example (`w_x = 0.5, w_y = 0.8, b = 0.1`, inputs `[1.0, −1.0]`, `y_{−1} = 0`):
//! step 0: `0.5·1 + 0.8·0 + 0.1 = 0.6`, `y_0 = tanh 0.6 ≈ 0.5370`;
//! step 1: `0.5·(−1) + 0.8·0.5370 + 0.1 ≈ 0.0296`, `y_1 ≈ 0.0296`.
//!
//! ```
//! use llm_lens::model::recurrent::neuron::{NeuronParams, unroll};
//! let p = NeuronParams { w_x: 0.5, w_y: 0.8, b: 0.1 };
//! let steps = unroll(&p, &[1.0, -1.0], 0.0);
//! assert!((steps[0].y - 0.6f64.tanh()).abs() < 1e-12);
//! assert_eq!(steps[1].y_prev, steps[0].y); // the output comes back as the next input
//! ```

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::model::numerics::rng::SplitMix64;

/// The three numbers a scalar recurrent neuron learns.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct NeuronParams {
    pub w_x: f64,
    pub w_y: f64,
    pub b: f64,
}

impl Default for NeuronParams {
    fn default() -> Self {
        Self {
            w_x: 0.8,
            w_y: 0.6,
            b: 0.0,
        }
    }
}

/// One time step, in the order the animation shows it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct NeuronStep {
    pub t: usize,
    /// This step's input (one number per word).
    pub x: f64,
    /// The previous output fed back in.
    pub y_prev: f64,
    /// `w_x · x`
    pub input_term: f64,
    /// `w_y · y_prev`
    pub recurrent_term: f64,
    /// `input_term + recurrent_term + b`, the value that goes into tanh.
    pub pre_activation: f64,
    /// `tanh(pre_activation)`: the output and new hidden state.
    pub y: f64,
}

/// Unroll the scalar neuron over `xs`, starting from `y0`.
pub fn unroll(p: &NeuronParams, xs: &[f64], y0: f64) -> Vec<NeuronStep> {
    let mut y_prev = y0;
    xs.iter()
        .enumerate()
        .map(|(t, &x)| {
            let input_term = p.w_x * x;
            let recurrent_term = p.w_y * y_prev;
            let pre_activation = input_term + recurrent_term + p.b;
            let y = pre_activation.tanh();
            let step = NeuronStep {
                t,
                x,
                y_prev,
                input_term,
                recurrent_term,
                pre_activation,
                y,
            };
            y_prev = y;
            step
        })
        .collect()
}

/// A fixed (not learned) number in [−1, 1] for a word, so the neuron can run on the learner's
/// sentence without a trained embedding. Same word, same number, on every machine (FNV-1a).
///
/// ```
/// use llm_lens::model::recurrent::neuron::word_scalar;
/// assert_eq!(word_scalar("bank"), word_scalar("bank"));
/// assert!(word_scalar("bank").abs() <= 1.0);
/// ```
pub fn word_scalar(word: &str) -> f64 {
    word_vector(word, 1)[0]
}

/// A fixed pseudo-random embedding `(dim)` with entries in [−1, 1], seeded by the word's hash.
pub fn word_vector(word: &str, dim: usize) -> Array1<f64> {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in word.bytes() {
        hash ^= byte as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut rng = SplitMix64::new(hash);
    (0..dim).map(|_| 2.0 * rng.next_f64() - 1.0).collect()
}

/// A layer of recurrent neurons: `y_t = tanh(W_x x_t + W_y y_{t−1} + b)`.
/// With diagonal `W_x`, `W_y` it is literally one scalar neuron per embedding dimension;
/// full matrices let the neurons talk to each other, which is what a real RNN layer does.
#[derive(Clone, Debug, PartialEq)]
pub struct NeuronLayer {
    pub w_x: Array2<f64>, // (units × dim)
    pub w_y: Array2<f64>, // (units × units)
    pub b: Array1<f64>,   // (units)
}

/// One step of the vector version, every intermediate kept; all vectors are `(units)`
/// except `x`, which is `(dim)`.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerStep {
    pub t: usize,
    pub x: Array1<f64>,
    pub y_prev: Array1<f64>,
    pub input_term: Array1<f64>,
    pub recurrent_term: Array1<f64>,
    pub pre_activation: Array1<f64>,
    pub y: Array1<f64>,
}

impl NeuronLayer {
    /// One independent scalar neuron per dimension, all sharing `p` (the preface's picture).
    pub fn independent(dim: usize, p: &NeuronParams) -> Self {
        Self {
            w_x: Array2::eye(dim) * p.w_x,
            w_y: Array2::eye(dim) * p.w_y,
            b: Array1::from_elem(dim, p.b),
        }
    }

    /// Fully connected, seeded; `W_y` entries have standard deviation `scale / √units`.
    pub fn random(dim: usize, units: usize, scale: f64, seed: u64) -> Self {
        let mut rng = SplitMix64::new(seed);
        let sx = 1.0 / (dim.max(1) as f64).sqrt();
        let sy = scale / (units.max(1) as f64).sqrt();
        Self {
            w_x: Array2::from_shape_fn((units, dim), |_| rng.normal() * sx),
            w_y: Array2::from_shape_fn((units, units), |_| rng.normal() * sy),
            b: Array1::zeros(units),
        }
    }

    /// Unroll over `xs`, one `(dim)` vector per word, from a zero state.
    pub fn unroll(&self, xs: &[Array1<f64>]) -> Vec<LayerStep> {
        let mut y_prev = Array1::zeros(self.b.len());
        xs.iter()
            .enumerate()
            .map(|(t, x)| {
                let input_term = self.w_x.dot(x);
                let recurrent_term = self.w_y.dot(&y_prev);
                let pre_activation = &input_term + &recurrent_term + &self.b;
                let y = pre_activation.mapv(f64::tanh);
                let step = LayerStep {
                    t,
                    x: x.clone(),
                    y_prev: y_prev.clone(),
                    input_term,
                    recurrent_term,
                    pre_activation,
                    y: y.clone(),
                };
                y_prev = y;
                step
            })
            .collect()
    }
}
