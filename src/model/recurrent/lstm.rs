//! A long short-term memory (LSTM) cell with BPTT, gate traces and the same gradient lab as
//! [`super::rnn`].
//!
//! Why it helps: the cell state is updated *additively*, `c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t`,
//! so along the cell path the Jacobian is just `diag(f_t)`. With the forget gate near 1
//! gradients pass back almost unchanged, instead of being multiplied by `W_h` every step.
//!
//! Gates (rows of the stacked weights, in this order): input `i = σ(·)`, forget `f = σ(·)`,
//! candidate `g = tanh(·)`, output `o = σ(·)`; then `h_t = o_t ⊙ tanh(c_t)`.
//!
//! ```
//! use llm_lens::model::recurrent::rnn::GradientLabConfig;
//! use llm_lens::model::recurrent::lstm::lstm_gradient_profile;
//! let cfg = GradientLabConfig { hidden: 8, steps: 20, scale: 0.5, forget_bias: 3.0,
//!     ..GradientLabConfig::default() };
//! let p = lstm_gradient_profile(&cfg).unwrap();
//! assert_eq!(p.cell_grad_norms.len(), 20);
//! assert!(p.grad_norms[0] > 0.0);
//! ```

use ndarray::{Array1, Array2, Array3, ArrayView1, ArrayView2, ArrayView3, Axis, s};

use super::rnn::{GradientLabConfig, GradientProfile, LabError, random_orthogonal, sigmoid};
use crate::model::numerics::linalg::spectral_norm;
use crate::model::numerics::nn::clip_in_place;
use crate::model::numerics::rng::SplitMix64;

/// Parameters of an LSTM cell; gate blocks are stacked `[i; f; g; o]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Lstm {
    pub w_x: Array2<f64>, // (4·hidden × input)
    pub w_h: Array2<f64>, // (4·hidden × hidden)
    pub b: Array1<f64>,   // (4·hidden)
}

/// Gradients with the same shapes as [`Lstm`]'s parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct LstmGrads {
    pub w_x: Array2<f64>, // (4·hidden × input)
    pub w_h: Array2<f64>, // (4·hidden × hidden)
    pub b: Array1<f64>,   // (4·hidden)
}

/// Everything the forward pass computed.
#[derive(Clone, Debug, PartialEq)]
pub struct LstmTrace {
    pub inputs: Array3<f64>, // (steps × batch × input)
    /// Gate outputs after their non-linearity, stacked `[i, f, g, o]`.
    pub gates: Array3<f64>, // (steps × batch × 4·hidden)
    /// `hidden[0]`, `cell[0]` are the initial state (zero unless given); index t + 1 is after step t.
    pub hidden: Array3<f64>, // (steps + 1 × batch × hidden)
    pub cell: Array3<f64>,   // (steps + 1 × batch × hidden)
}

impl LstmTrace {
    pub fn steps(&self) -> usize {
        self.inputs.len_of(Axis(0))
    }
    pub fn last_hidden(&self) -> ArrayView2<'_, f64> {
        self.hidden.index_axis(Axis(0), self.steps())
    }
}

/// BPTT result: gradients and per-step norms (index 0 = first step).
#[derive(Clone, Debug, PartialEq)]
pub struct LstmBackward {
    pub grads: LstmGrads,
    /// `‖∂L/∂h_t‖` (total derivative, all paths into the future).
    pub grad_norms: Vec<f64>,
    /// `‖∂L/∂c_t‖` (total derivative, including the path through `h_t`).
    pub cell_grad_norms: Vec<f64>,
}

/// Gate activations for one sequence, for the lesson's heatmap. Every array is
/// `(steps × hidden)`, values in (0, 1) for gates, (−1, 1) for `candidate` and `hidden`.
#[derive(Clone, Debug, PartialEq)]
pub struct GateActivations {
    pub input: Array2<f64>,
    pub forget: Array2<f64>,
    pub candidate: Array2<f64>,
    pub output: Array2<f64>,
    pub cell: Array2<f64>,
    pub hidden: Array2<f64>,
}

impl Lstm {
    /// Each recurrent gate block is `scale ×` its own random orthogonal matrix,
    /// `W_x ~ N(0, 1/input)`, biases 0 except the forget gate's, which is `forget_bias`.
    pub fn new(
        input_size: usize,
        hidden_size: usize,
        scale: f64,
        forget_bias: f64,
        seed: u64,
    ) -> Self {
        let mut rng = SplitMix64::new(seed);
        let h = hidden_size;
        let mut w_h = Array2::zeros((4 * h, h));
        for k in 0..4 {
            let q = random_orthogonal(h, &mut rng) * scale;
            w_h.slice_mut(s![k * h..(k + 1) * h, ..]).assign(&q);
        }
        let std = 1.0 / (input_size.max(1) as f64).sqrt();
        let w_x = Array2::from_shape_fn((4 * h, input_size), |_| rng.normal() * std);
        let mut b = Array1::zeros(4 * h);
        b.slice_mut(s![h..2 * h]).fill(forget_bias);
        Self { w_x, w_h, b }
    }

    pub fn hidden_size(&self) -> usize {
        self.w_h.ncols()
    }
    pub fn input_size(&self) -> usize {
        self.w_x.ncols()
    }

    /// Run the cell over `xs (steps × batch × input)` from a zero state.
    pub fn forward(&self, xs: ArrayView3<f64>) -> LstmTrace {
        let (_, batch, _) = xs.dim();
        let zero = Array2::zeros((batch, self.hidden_size()));
        self.forward_from(xs, zero.view(), zero.view())
    }

    /// Run the cell from a given state `h0, c0 (batch × hidden)`.
    pub fn forward_from(
        &self,
        xs: ArrayView3<f64>,
        h0: ArrayView2<f64>,
        c0: ArrayView2<f64>,
    ) -> LstmTrace {
        let (steps, batch, _) = xs.dim();
        let h = self.hidden_size();
        let mut gates = Array3::zeros((steps, batch, 4 * h));
        let mut hidden = Array3::zeros((steps + 1, batch, h));
        let mut cell = Array3::zeros((steps + 1, batch, h));
        hidden.index_axis_mut(Axis(0), 0).assign(&h0);
        cell.index_axis_mut(Axis(0), 0).assign(&c0);
        for t in 0..steps {
            let x = xs.index_axis(Axis(0), t); // (batch × input)
            let prev_h = hidden.index_axis(Axis(0), t); // (batch × hidden)
            let mut z = x.dot(&self.w_x.t()) + prev_h.dot(&self.w_h.t()) + &self.b; // (batch × 4·hidden)
            z.slice_mut(s![.., 0..2 * h]).mapv_inplace(sigmoid);
            z.slice_mut(s![.., 2 * h..3 * h]).mapv_inplace(f64::tanh);
            z.slice_mut(s![.., 3 * h..]).mapv_inplace(sigmoid);
            let (i, f, g, o) = split4(z.view(), h);
            let c = &f * &cell.index_axis(Axis(0), t) + &i * &g; // (batch × hidden)
            let hn = &o * &c.mapv(f64::tanh);
            cell.index_axis_mut(Axis(0), t + 1).assign(&c);
            hidden.index_axis_mut(Axis(0), t + 1).assign(&hn);
            gates.index_axis_mut(Axis(0), t).assign(&z);
        }
        LstmTrace {
            inputs: xs.to_owned(),
            gates,
            hidden,
            cell,
        }
    }

    /// BPTT from `d_last = ∂L/∂h_T (batch × hidden)`. With `clip = Some(c)`, the pair
    /// (∂L/∂h_t, ∂L/∂c_t flowing back from step t+1) is rescaled to joint norm ≤ c each step.
    pub fn backward(
        &self,
        trace: &LstmTrace,
        d_last: ArrayView2<f64>,
        clip: Option<f64>,
    ) -> LstmBackward {
        let steps = trace.steps();
        let h = self.hidden_size();
        let batch = d_last.nrows();
        let mut grads = LstmGrads {
            w_x: Array2::zeros(self.w_x.raw_dim()),
            w_h: Array2::zeros(self.w_h.raw_dim()),
            b: Array1::zeros(self.b.raw_dim()),
        };
        let mut grad_norms = vec![0.0; steps];
        let mut cell_grad_norms = vec![0.0; steps];
        // dstate = [∂L/∂h_t | ∂L/∂c_t (only via step t+1)]
        let mut dstate = Array2::<f64>::zeros((batch, 2 * h)); // (batch × 2·hidden)
        dstate.slice_mut(s![.., ..h]).assign(&d_last);
        for t in (0..steps).rev() {
            clip_in_place(&mut dstate, clip);
            let dh = dstate.slice(s![.., ..h]);
            let dc_next = dstate.slice(s![.., h..]);
            let z = trace.gates.index_axis(Axis(0), t); // (batch × 4·hidden)
            let (i, f, g, o) = split4(z, h);
            let c = trace.cell.index_axis(Axis(0), t + 1);
            let c_prev = trace.cell.index_axis(Axis(0), t);
            let h_prev = trace.hidden.index_axis(Axis(0), t);
            let x = trace.inputs.index_axis(Axis(0), t);
            let tc = c.mapv(f64::tanh);
            // c_t reaches L through h_t = o ⊙ tanh(c_t) and through c_{t+1}.
            let dc = &dc_next + &(&dh * &o * &tc.mapv(|v| 1.0 - v * v)); // (batch × hidden)
            grad_norms[t] = frob(dh);
            cell_grad_norms[t] = frob(dc.view());
            let mut dz = Array2::<f64>::zeros((batch, 4 * h)); // (batch × 4·hidden)
            dz.slice_mut(s![.., ..h])
                .assign(&(&dc * &g * &i.mapv(|v| v * (1.0 - v))));
            dz.slice_mut(s![.., h..2 * h])
                .assign(&(&dc * &c_prev * &f.mapv(|v| v * (1.0 - v))));
            dz.slice_mut(s![.., 2 * h..3 * h])
                .assign(&(&dc * &i * &g.mapv(|v| 1.0 - v * v)));
            dz.slice_mut(s![.., 3 * h..])
                .assign(&(&dh * &tc * &o.mapv(|v| v * (1.0 - v))));
            grads.w_h += &dz.t().dot(&h_prev);
            grads.w_x += &dz.t().dot(&x);
            grads.b += &dz.sum_axis(Axis(0));
            let mut next = Array2::<f64>::zeros((batch, 2 * h));
            next.slice_mut(s![.., ..h]).assign(&dz.dot(&self.w_h)); // ∂L/∂h_{t−1}
            next.slice_mut(s![.., h..]).assign(&(&dc * &f)); // ∂L/∂c_{t−1} via c_t
            dstate = next;
        }
        LstmBackward {
            grads,
            grad_norms,
            cell_grad_norms,
        }
    }

    /// Spectral norm of `∂(h_t, c_t)/∂(h_{t−1}, c_{t−1})`, a `(2·hidden × 2·hidden)` matrix,
    /// per step for batch row 0. Its `c → c` block is `diag(f_t)`: the forget gate.
    pub fn jacobian_norms(&self, trace: &LstmTrace) -> Vec<f64> {
        let h = self.hidden_size();
        let block = |k: usize| self.w_h.slice(s![k * h..(k + 1) * h, ..]); // (hidden × hidden)
        let scale_rows = |d: &Array1<f64>, m: ArrayView2<f64>| &m * &d.view().insert_axis(Axis(1));
        (0..trace.steps())
            .map(|t| {
                let z = trace.gates.slice(s![t, 0, ..]);
                let (i, f, g, o) = split4_1d(z, h);
                let c = trace.cell.slice(s![t + 1, 0, ..]);
                let c_prev = trace.cell.slice(s![t, 0, ..]);
                let tc = c.mapv(f64::tanh);
                let dtc = tc.mapv(|v| 1.0 - v * v);
                let dc_dh = scale_rows(&(&c_prev * &f.mapv(|v| v * (1.0 - v))), block(1))
                    + scale_rows(&(&g * &i.mapv(|v| v * (1.0 - v))), block(0))
                    + scale_rows(&(&i * &g.mapv(|v| 1.0 - v * v)), block(2)); // (hidden × hidden)
                let dh_dh = scale_rows(&(&tc * &o.mapv(|v| v * (1.0 - v))), block(3))
                    + scale_rows(&(&o * &dtc), dc_dh.view());
                let mut j = Array2::zeros((2 * h, 2 * h));
                j.slice_mut(s![..h, ..h]).assign(&dh_dh);
                j.slice_mut(s![h.., ..h]).assign(&dc_dh);
                let dh_dc = &(&o * &dtc) * &f;
                for k in 0..h {
                    j[[k, h + k]] = dh_dc[k];
                    j[[h + k, h + k]] = f[k];
                }
                spectral_norm(j.view())
            })
            .collect()
    }

    /// Gate activations for one sequence `xs (steps × input)`.
    pub fn gate_activations(&self, xs: ArrayView2<f64>) -> GateActivations {
        let h = self.hidden_size();
        let trace = self.forward(xs.insert_axis(Axis(1)));
        let z = trace.gates.index_axis(Axis(1), 0); // (steps × 4·hidden)
        GateActivations {
            input: z.slice(s![.., ..h]).to_owned(),
            forget: z.slice(s![.., h..2 * h]).to_owned(),
            candidate: z.slice(s![.., 2 * h..3 * h]).to_owned(),
            output: z.slice(s![.., 3 * h..]).to_owned(),
            cell: trace.cell.slice(s![1.., 0, ..]).to_owned(),
            hidden: trace.hidden.slice(s![1.., 0, ..]).to_owned(),
        }
    }
}

type Quad<'a> = (
    ArrayView2<'a, f64>,
    ArrayView2<'a, f64>,
    ArrayView2<'a, f64>,
    ArrayView2<'a, f64>,
);

fn split4(z: ArrayView2<'_, f64>, h: usize) -> Quad<'_> {
    let (a, rest) = z.split_at(Axis(1), h);
    let (b, rest) = rest.split_at(Axis(1), h);
    let (c, d) = rest.split_at(Axis(1), h);
    (a, b, c, d)
}

fn split4_1d(
    z: ArrayView1<'_, f64>,
    h: usize,
) -> (
    ArrayView1<'_, f64>,
    ArrayView1<'_, f64>,
    ArrayView1<'_, f64>,
    ArrayView1<'_, f64>,
) {
    let (a, rest) = z.split_at(Axis(0), h);
    let (b, rest) = rest.split_at(Axis(0), h);
    let (c, d) = rest.split_at(Axis(0), h);
    (a, b, c, d)
}

fn frob(a: ArrayView2<f64>) -> f64 {
    a.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// The LSTM gradient lab on seeded random inputs (`rnn-grad --cell lstm`).
/// `cfg.activation` is ignored: an LSTM's non-linearities are fixed.
pub fn lstm_gradient_profile(cfg: &GradientLabConfig) -> Result<GradientProfile, LabError> {
    cfg.validate()?;
    lstm_gradient_profile_for_inputs(cfg, cfg.random_inputs().view())
}

/// The LSTM gradient lab on given inputs `(steps × input)`.
pub fn lstm_gradient_profile_for_inputs(
    cfg: &GradientLabConfig,
    xs: ArrayView2<f64>,
) -> Result<GradientProfile, LabError> {
    let cfg = GradientLabConfig {
        steps: xs.nrows(),
        input_size: xs.ncols(),
        ..cfg.clone()
    };
    cfg.validate()?;
    let lstm = Lstm::new(
        cfg.input_size,
        cfg.hidden,
        cfg.scale,
        cfg.forget_bias,
        cfg.seed,
    );
    let trace = lstm.forward(xs.insert_axis(Axis(1)));
    let r = cfg.readout().insert_axis(Axis(0)); // (1 × hidden)
    let back = lstm.backward(&trace, r.view(), cfg.clip);
    Ok(GradientProfile {
        grad_norms: back.grad_norms,
        jacobian_norms: lstm.jacobian_norms(&trace),
        cell_grad_norms: back.cell_grad_norms,
        hidden_norms: trace
            .hidden
            .outer_iter()
            .skip(1)
            .map(|h| h.iter().map(|x| x * x).sum::<f64>().sqrt())
            .collect(),
    })
}

/// How many numbers a recurrent layer learns, by kind: what the LSTM's memory costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeightCount {
    /// `W_x`: input → hidden (the LSTM has one block per gate and for the candidate).
    pub input: usize,
    /// `W_h`: hidden → hidden, the recurrent weights.
    pub recurrent: usize,
    pub bias: usize,
}

impl WeightCount {
    pub fn total(&self) -> usize {
        self.input + self.recurrent + self.bias
    }

    /// Multiply-adds per word: each weight matrix is used once per time step.
    pub fn multiply_adds_per_step(&self) -> usize {
        self.input + self.recurrent
    }

    /// A plain RNN layer: `W_x (hidden × input)`, `W_h (hidden × hidden)`, `b (hidden)`.
    pub fn rnn(input: usize, hidden: usize) -> Self {
        Self {
            input: hidden * input,
            recurrent: hidden * hidden,
            bias: hidden,
        }
    }

    /// An LSTM layer: the same three blocks for each of the input, forget and output gates
    /// and the candidate, stacked: `W_x (4·hidden × input)`, `W_h (4·hidden × hidden)`.
    pub fn lstm(input: usize, hidden: usize) -> Self {
        let one = Self::rnn(input, hidden);
        Self {
            input: 4 * one.input,
            recurrent: 4 * one.recurrent,
            bias: 4 * one.bias,
        }
    }

    /// The counts of a built LSTM, read from its arrays.
    pub fn of_lstm(l: &Lstm) -> Self {
        Self {
            input: l.w_x.len(),
            recurrent: l.w_h.len(),
            bias: l.b.len(),
        }
    }
}

#[cfg(test)]
mod weight_count_tests {
    use super::*;
    use crate::model::recurrent::rnn::{Activation, Rnn};

    #[test]
    fn counts_match_the_arrays_of_built_networks() {
        for (input, hidden) in [(8, 32), (3, 5), (1, 1)] {
            let lstm = Lstm::new(input, hidden, 0.9, 1.0, 7);
            assert_eq!(
                WeightCount::of_lstm(&lstm),
                WeightCount::lstm(input, hidden)
            );
            let rnn = Rnn::new(input, hidden, Activation::Tanh, 0.9, 7);
            let rc = WeightCount::rnn(input, hidden);
            assert_eq!(
                (rc.input, rc.recurrent, rc.bias),
                (rnn.w_x.len(), rnn.w_h.len(), rnn.b.len())
            );
            let l = WeightCount::lstm(input, hidden);
            assert_eq!(l.recurrent, 4 * rc.recurrent);
            assert_eq!(l.total(), 4 * rc.total());
        }
        // The lab's default sizes: 8 inputs, 32 hidden units.
        assert_eq!(WeightCount::rnn(8, 32).total(), 8 * 32 + 32 * 32 + 32);
        assert_eq!(WeightCount::lstm(8, 32).total(), 4 * 1312);
    }
}
