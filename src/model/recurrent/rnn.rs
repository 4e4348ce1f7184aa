//! A vanilla recurrent network with real backpropagation through time (BPTT).
//!
//! Why this exists: the lesson's step 4 shows *measured* vanishing and exploding gradients.
//! Everything here runs in `f64` because the norms it reports span hundreds of orders of
//! magnitude (0.5^1000 ≈ 1e-301) and `f32` would flush them to 0 or ∞ long before that.
//!
//! The update is `h_t = f(W_x x_t + W_h h_{t-1} + b)` with `h_{-1} = 0`. Sequences are
//! batched as `(steps × batch × features)` so the same code path serves the gradient lab
//! (batch 1) and the recall-task training (batch 32).
//!
//! ```
//! use llm_lens::model::recurrent::rnn::{Activation, GradientLabConfig, rnn_gradient_profile};
//! let cfg = GradientLabConfig { activation: Activation::Tanh, hidden: 16, steps: 30, scale: 0.5,
//!     ..GradientLabConfig::default() };
//! let p = rnn_gradient_profile(&cfg).unwrap();
//! assert_eq!(p.grad_norms.len(), 30);
//! assert!((p.grad_norms[29] - 1.0).abs() < 1e-12); // the loss is a unit readout of the last state
//! assert!(p.grad_norms[0] < 1e-6);                  // ...and 30 steps of ×≤0.5 later it has vanished
//! ```

use std::fmt;
use std::str::FromStr;

use ndarray::{Array1, Array2, Array3, ArrayView2, ArrayView3, Axis, s};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::numerics::linalg::spectral_norm;
use crate::model::numerics::nn::clip_in_place;
use crate::model::numerics::range::{OutOfRange, check_range};
use crate::model::numerics::rng::SplitMix64;

/// The non-linearity applied to the recurrent pre-activation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// Slope 1 at 0, saturates at ±1: the classic RNN choice.
    #[default]
    Tanh,
    /// Slope at most 1/4, so gradients vanish unless the weights are large.
    Sigmoid,
    /// Slope 0 or 1: no saturation, so large weights explode freely.
    Relu,
}

impl Activation {
    pub const ALL: [Activation; 3] = [Activation::Tanh, Activation::Sigmoid, Activation::Relu];

    pub fn name(self) -> &'static str {
        match self {
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Relu => "relu",
        }
    }

    pub fn apply(self, a: f64) -> f64 {
        match self {
            Activation::Tanh => a.tanh(),
            Activation::Sigmoid => sigmoid(a),
            Activation::Relu => a.max(0.0),
        }
    }

    /// f'(a) written through the output y = f(a), so BPTT needs only the stored states.
    ///
    /// `Tanh.derivative_from_output(0.0) == 1.0`, `Sigmoid.derivative_from_output(0.5) == 0.25`.
    pub fn derivative_from_output(self, y: f64) -> f64 {
        match self {
            Activation::Tanh => 1.0 - y * y,
            Activation::Sigmoid => y * (1.0 - y),
            Activation::Relu => {
                if y > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Activation {
    type Err = LabError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Activation::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| LabError::UnknownActivation(s.to_string()))
    }
}

pub fn sigmoid(a: f64) -> f64 {
    1.0 / (1.0 + (-a).exp())
}

/// A random orthogonal matrix `(n × n)` (Gram–Schmidt on Gaussian rows).
///
/// Why orthogonal: scaled by `s`, its spectral radius *and* every singular value equal `s`,
/// so "the scale" on the slider is exactly the factor a linear RNN multiplies gradients by.
pub fn random_orthogonal(n: usize, rng: &mut SplitMix64) -> Array2<f64> {
    let mut q = Array2::<f64>::zeros((n, n)); // (n × n)
    let mut i = 0;
    while i < n {
        let mut row: Array1<f64> = (0..n).map(|_| rng.normal()).collect();
        for j in 0..i {
            let prev = q.row(j);
            let proj = row.dot(&prev);
            row.scaled_add(-proj, &prev);
        }
        let norm = row.dot(&row).sqrt();
        if norm > 1e-8 {
            q.row_mut(i).assign(&(row / norm));
            i += 1;
        } // else: a degenerate draw (probability ~0); draw that row again.
    }
    q
}

/// Why a lab run was refused: every field a user can change is range-checked here.
#[derive(Debug, Error, PartialEq)]
pub enum LabError {
    #[error("hidden size must be between 1 and {max}, got {got}")]
    Hidden { got: usize, max: usize },
    #[error("steps must be between 1 and {max}, got {got}")]
    Steps { got: usize, max: usize },
    #[error("input size must be between 1 and {max}, got {got}")]
    InputSize { got: usize, max: usize },
    #[error("{name} must be a finite number between {min} and {max}, got {got}")]
    OutOfRange {
        name: &'static str,
        got: f64,
        min: f64,
        max: f64,
    },
    #[error("clip threshold must be a finite number greater than 0, got {0}")]
    Clip(f64),
    #[error("unknown activation '{0}' (expected tanh, sigmoid or relu)")]
    UnknownActivation(String),
    #[error("inputs have {got} features per step but the network expects {expected}")]
    InputShape { got: usize, expected: usize },
}

/// Settings for the vanishing/exploding-gradient lab (steps 4 and 5 of the lesson).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GradientLabConfig {
    /// RNN only; the LSTM's gates are fixed (sigmoid gates, tanh cell).
    pub activation: Activation,
    pub hidden: usize,
    pub steps: usize,
    /// Recurrent weights are `scale ×` a random orthogonal matrix: spectral radius = scale.
    pub scale: f64,
    pub seed: u64,
    /// Rescale ∂L/∂h_t (LSTM: the pair ∂L/∂h_t, ∂L/∂c_t) whenever its norm exceeds this.
    pub clip: Option<f64>,
    /// LSTM only: added to the forget gate's pre-activation; 1 means "remember by default".
    pub forget_bias: f64,
    pub input_size: usize,
    /// Standard deviation of the random inputs (used when no inputs are given).
    pub input_scale: f64,
}

impl Default for GradientLabConfig {
    fn default() -> Self {
        Self {
            activation: Activation::Tanh,
            hidden: 32,
            steps: 100,
            scale: 0.9,
            seed: 1,
            clip: None,
            forget_bias: 1.0,
            input_size: 8,
            input_scale: 0.5,
        }
    }
}

pub const MAX_HIDDEN: usize = 512;
pub const MAX_STEPS: usize = 1000;
pub const MAX_INPUT: usize = 512;

impl From<OutOfRange> for LabError {
    fn from(e: OutOfRange) -> Self {
        let OutOfRange {
            name,
            got,
            min,
            max,
        } = e;
        LabError::OutOfRange {
            name,
            got,
            min,
            max,
        }
    }
}

impl GradientLabConfig {
    pub fn validate(&self) -> Result<(), LabError> {
        if !(1..=MAX_HIDDEN).contains(&self.hidden) {
            return Err(LabError::Hidden {
                got: self.hidden,
                max: MAX_HIDDEN,
            });
        }
        if !(1..=MAX_STEPS).contains(&self.steps) {
            return Err(LabError::Steps {
                got: self.steps,
                max: MAX_STEPS,
            });
        }
        if !(1..=MAX_INPUT).contains(&self.input_size) {
            return Err(LabError::InputSize {
                got: self.input_size,
                max: MAX_INPUT,
            });
        }
        check_range("scale", self.scale, 0.0, 10.0)?;
        check_range("forget bias", self.forget_bias, -10.0, 10.0)?;
        check_range("input scale", self.input_scale, 0.0, 10.0)?;
        if let Some(c) = self.clip
            && !(c.is_finite() && c > 0.0)
        {
            return Err(LabError::Clip(c));
        }
        Ok(())
    }

    /// Seeded Gaussian inputs `(steps × input_size)`, a stand-in when no sentence is given.
    pub fn random_inputs(&self) -> Array2<f64> {
        let mut rng = SplitMix64::new(self.seed ^ 0x1A2B_3C4D_5E6F_7081);
        Array2::from_shape_fn((self.steps, self.input_size), |_| {
            rng.normal() * self.input_scale
        })
    }

    /// The loss is `L = r · h_T` for a seeded random unit vector `r`: its gradient at the last
    /// step has norm exactly 1, so every earlier norm reads as "how much survived".
    pub fn readout(&self) -> Array1<f64> {
        let mut rng = SplitMix64::new(self.seed ^ 0x5EED_0F0F_0A7D);
        let r: Array1<f64> = (0..self.hidden).map(|_| rng.normal()).collect();
        let n = r.dot(&r).sqrt();
        if n > 0.0 { r / n } else { r }
    }
}

/// What the gradient lab plots. Index 0 is the first time step in every vector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradientProfile {
    /// `‖∂L/∂h_t‖` (Euclidean), after clipping if clipping is on.
    pub grad_norms: Vec<f64>,
    /// Spectral norm (largest singular value) of step t's Jacobian `∂h_t/∂h_{t−1}`
    /// (LSTM: of `∂(h_t, c_t)/∂(h_{t−1}, c_{t−1})`), so without clipping
    /// `grad_norms[t−1] ≤ jacobian_norms[t] · grad_norms[t]` (RNN) — the product of these
    /// numbers is why the gradient shrinks or grows geometrically.
    pub jacobian_norms: Vec<f64>,
    /// LSTM only (empty for the RNN): `‖∂L/∂c_t‖`, the gradient reaching the cell state.
    pub cell_grad_norms: Vec<f64>,
    /// `‖h_t‖` per step, to show saturation (tanh states near ±1 have slope near 0).
    pub hidden_norms: Vec<f64>,
}

/// Parameters of a vanilla RNN cell.
#[derive(Clone, Debug, PartialEq)]
pub struct Rnn {
    pub w_x: Array2<f64>, // (hidden × input)
    pub w_h: Array2<f64>, // (hidden × hidden)
    pub b: Array1<f64>,   // (hidden)
    pub activation: Activation,
}

/// Gradients with the same shapes as [`Rnn`]'s parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct RnnGrads {
    pub w_x: Array2<f64>, // (hidden × input)
    pub w_h: Array2<f64>, // (hidden × hidden)
    pub b: Array1<f64>,   // (hidden)
}

/// Everything the forward pass computed, kept for BPTT and for drawing.
#[derive(Clone, Debug, PartialEq)]
pub struct RnnTrace {
    pub inputs: Array3<f64>, // (steps × batch × input)
    /// `hidden[0]` is the initial state (zero unless given); `hidden[t + 1]` is the state after step t.
    pub hidden: Array3<f64>, // (steps + 1 × batch × hidden)
}

impl RnnTrace {
    pub fn steps(&self) -> usize {
        self.inputs.len_of(Axis(0))
    }
    /// The state after the last step `(batch × hidden)`.
    pub fn last_hidden(&self) -> ArrayView2<'_, f64> {
        self.hidden.index_axis(Axis(0), self.steps())
    }
}

/// The result of BPTT: parameter gradients plus the per-step norms the lab plots.
#[derive(Clone, Debug, PartialEq)]
pub struct RnnBackward {
    pub grads: RnnGrads,
    /// `‖∂L/∂h_t‖` over the whole batch (Frobenius), index 0 = first step.
    pub grad_norms: Vec<f64>,
}

impl Rnn {
    /// `W_h = scale × orthogonal`, `W_x ~ N(0, 1/input)`, `b = 0`.
    pub fn new(
        input_size: usize,
        hidden_size: usize,
        activation: Activation,
        scale: f64,
        seed: u64,
    ) -> Self {
        let mut rng = SplitMix64::new(seed);
        let w_h = random_orthogonal(hidden_size, &mut rng) * scale;
        let std = 1.0 / (input_size.max(1) as f64).sqrt();
        let w_x = Array2::from_shape_fn((hidden_size, input_size), |_| rng.normal() * std);
        Self {
            w_x,
            w_h,
            b: Array1::zeros(hidden_size),
            activation,
        }
    }

    pub fn hidden_size(&self) -> usize {
        self.w_h.nrows()
    }
    pub fn input_size(&self) -> usize {
        self.w_x.ncols()
    }

    /// Run the cell over `xs (steps × batch × input)` from a zero state.
    pub fn forward(&self, xs: ArrayView3<f64>) -> RnnTrace {
        let (_, batch, _) = xs.dim();
        self.forward_from(xs, Array2::zeros((batch, self.hidden_size())).view())
    }

    /// Run the cell from a given state `h0 (batch × hidden)`, e.g. to continue a sequence or
    /// to probe how a nudge to a hidden state changes the loss.
    pub fn forward_from(&self, xs: ArrayView3<f64>, h0: ArrayView2<f64>) -> RnnTrace {
        let (steps, batch, _) = xs.dim();
        let mut hidden = Array3::zeros((steps + 1, batch, self.hidden_size()));
        hidden.index_axis_mut(Axis(0), 0).assign(&h0);
        for t in 0..steps {
            let x = xs.index_axis(Axis(0), t); // (batch × input)
            let prev = hidden.index_axis(Axis(0), t); // (batch × hidden)
            let mut a = x.dot(&self.w_x.t()) + prev.dot(&self.w_h.t()) + &self.b; // (batch × hidden)
            let act = self.activation;
            a.mapv_inplace(|v| act.apply(v));
            hidden.index_axis_mut(Axis(0), t + 1).assign(&a);
        }
        RnnTrace {
            inputs: xs.to_owned(),
            hidden,
        }
    }

    /// Backpropagation through time from `d_last = ∂L/∂h_T (batch × hidden)`.
    ///
    /// With `clip = Some(c)`, ∂L/∂h_t is rescaled to norm ≤ c at every step before it flows
    /// further back: this tames explosions but cannot revive a vanished gradient.
    pub fn backward(
        &self,
        trace: &RnnTrace,
        d_last: ArrayView2<f64>,
        clip: Option<f64>,
    ) -> RnnBackward {
        let steps = trace.steps();
        let mut grads = RnnGrads {
            w_x: Array2::zeros(self.w_x.raw_dim()),
            w_h: Array2::zeros(self.w_h.raw_dim()),
            b: Array1::zeros(self.b.raw_dim()),
        };
        let mut grad_norms = vec![0.0; steps];
        let mut dh = d_last.to_owned(); // (batch × hidden)
        let act = self.activation;
        for t in (0..steps).rev() {
            clip_in_place(&mut dh, clip);
            grad_norms[t] = dh.iter().map(|x| x * x).sum::<f64>().sqrt();
            let h = trace.hidden.index_axis(Axis(0), t + 1); // (batch × hidden)
            let prev = trace.hidden.index_axis(Axis(0), t); // (batch × hidden)
            let x = trace.inputs.index_axis(Axis(0), t); // (batch × input)
            // ∂L/∂a_t = ∂L/∂h_t ⊙ f'(a_t)
            let mut da = dh;
            da.zip_mut_with(&h, |d, &y| *d *= act.derivative_from_output(y));
            grads.w_h += &da.t().dot(&prev); // (hidden × hidden)
            grads.w_x += &da.t().dot(&x); // (hidden × input)
            grads.b += &da.sum_axis(Axis(0));
            dh = da.dot(&self.w_h); // (batch × hidden) = ∂L/∂h_{t-1}
        }
        RnnBackward { grads, grad_norms }
    }

    /// Spectral norm of each step's Jacobian `∂h_t/∂h_{t−1} = diag(f'(a_t)) W_h` for batch
    /// row 0; index 0 is the first step (its Jacobian is taken w.r.t. the initial state).
    pub fn jacobian_norms(&self, trace: &RnnTrace) -> Vec<f64> {
        let act = self.activation;
        (0..trace.steps())
            .map(|t| {
                let h = trace.hidden.slice(s![t + 1, 0, ..]); // (hidden)
                let d = h.mapv(|y| act.derivative_from_output(y));
                let j = &self.w_h * &d.insert_axis(Axis(1)); // (hidden × hidden), row i scaled by d_i
                spectral_norm(j.view())
            })
            .collect()
    }
}

fn row_norms(a: &Array3<f64>) -> Vec<f64> {
    a.outer_iter()
        .skip(1)
        .map(|h| h.iter().map(|x| x * x).sum::<f64>().sqrt())
        .collect()
}

/// The RNN gradient lab on seeded random inputs (the CLI's `rnn-grad --cell rnn`).
pub fn rnn_gradient_profile(cfg: &GradientLabConfig) -> Result<GradientProfile, LabError> {
    cfg.validate()?;
    rnn_gradient_profile_for_inputs(cfg, cfg.random_inputs().view())
}

/// The RNN gradient lab on given inputs `(steps × input)`, e.g. the learner's sentence
/// embedded one vector per word. `cfg.steps` and `cfg.input_size` are taken from `xs`.
pub fn rnn_gradient_profile_for_inputs(
    cfg: &GradientLabConfig,
    xs: ArrayView2<f64>,
) -> Result<GradientProfile, LabError> {
    let cfg = GradientLabConfig {
        steps: xs.nrows(),
        input_size: xs.ncols(),
        ..cfg.clone()
    };
    cfg.validate()?;
    let rnn = Rnn::new(
        cfg.input_size,
        cfg.hidden,
        cfg.activation,
        cfg.scale,
        cfg.seed,
    );
    let xs3 = xs.insert_axis(Axis(1)); // (steps × 1 × input)
    let trace = rnn.forward(xs3);
    let r = cfg.readout().insert_axis(Axis(0)); // (1 × hidden)
    let back = rnn.backward(&trace, r.view(), cfg.clip);
    Ok(GradientProfile {
        grad_norms: back.grad_norms,
        jacobian_norms: rnn.jacobian_norms(&trace),
        cell_grad_norms: Vec::new(),
        hidden_norms: row_norms(&trace.hidden),
    })
}
