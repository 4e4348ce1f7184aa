//! `llm-lens rnn-grad`: the vanishing/exploding-gradient lab from the command line.
//!
//! ```text
//! llm-lens rnn-grad --cell rnn --activation tanh --hidden 32 --steps 100 --scale 0.9 --seed 1 --json
//! {"grad_norms":[…],"jacobian_norms":[…]}
//! ```
//! Index 0 is the first time step. Norms too large for `f64` print as `null` in JSON.

use serde::Serialize;

use crate::model::recurrent::lstm::lstm_gradient_profile;
use crate::model::recurrent::rnn::{
    Activation, GradientLabConfig, MAX_HIDDEN, MAX_STEPS, rnn_gradient_profile,
};

/// Which recurrent cell to probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CellArg {
    Rnn,
    Lstm,
}

/// The RNN cell's non-linearity (ignored for the LSTM, whose gates are fixed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ActivationArg {
    Tanh,
    Sigmoid,
    Relu,
}

impl From<ActivationArg> for Activation {
    fn from(a: ActivationArg) -> Self {
        match a {
            ActivationArg::Tanh => Activation::Tanh,
            ActivationArg::Sigmoid => Activation::Sigmoid,
            ActivationArg::Relu => Activation::Relu,
        }
    }
}

#[derive(Clone, Debug, clap::Args)]
pub struct RnnGradArgs {
    #[arg(long, value_enum, default_value = "rnn")]
    pub cell: CellArg,
    #[arg(long, value_enum, default_value = "tanh")]
    pub activation: ActivationArg,
    /// Hidden size (1..=512).
    #[arg(long, default_value_t = 32)]
    pub hidden: usize,
    /// Sequence length (1..=1000).
    #[arg(long, default_value_t = 100)]
    pub steps: usize,
    /// Spectral radius of the recurrent weights (0..=10).
    #[arg(long, default_value_t = 0.9)]
    pub scale: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Clip ∂L/∂h_t to this norm at every step (> 0).
    #[arg(long)]
    pub clip: Option<f64>,
    /// LSTM forget-gate bias (−10..=10).
    #[arg(long, default_value_t = 1.0)]
    pub forget_bias: f64,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Output<'a> {
    grad_norms: &'a [f64],
    jacobian_norms: &'a [f64],
}

impl RnnGradArgs {
    /// The lab settings, range-checked with messages that name the flag.
    pub fn to_config(&self) -> Result<GradientLabConfig, String> {
        if !(1..=MAX_HIDDEN).contains(&self.hidden) {
            return Err(format!(
                "--hidden must be between 1 and {MAX_HIDDEN}, got {}",
                self.hidden
            ));
        }
        if !(1..=MAX_STEPS).contains(&self.steps) {
            return Err(format!(
                "--steps must be between 1 and {MAX_STEPS}, got {}",
                self.steps
            ));
        }
        let cfg = GradientLabConfig {
            activation: self.activation.into(),
            hidden: self.hidden,
            steps: self.steps,
            scale: self.scale,
            seed: self.seed,
            clip: self.clip,
            forget_bias: self.forget_bias,
            ..GradientLabConfig::default()
        };
        cfg.validate()
            .map_err(|e| format!("invalid settings: {e}"))?;
        Ok(cfg)
    }
}

/// Compute the profile and print it (JSON with `--json`, otherwise a table).
pub fn run(args: &RnnGradArgs) -> Result<(), String> {
    let (text, overflowed) = render(args)?;
    crate::outln!("{text}");
    if overflowed {
        eprintln!(
            "note: some gradient norms overflowed f64 (null in JSON, inf in the table); try --clip"
        );
    }
    Ok(())
}

/// What `run` prints, and whether any norm overflowed.
pub fn render(args: &RnnGradArgs) -> Result<(String, bool), String> {
    let cfg = args.to_config()?;
    let profile = match args.cell {
        CellArg::Rnn => rnn_gradient_profile(&cfg),
        CellArg::Lstm => lstm_gradient_profile(&cfg),
    }
    .map_err(|e| e.to_string())?;
    let overflowed = profile.grad_norms.iter().any(|g| !g.is_finite());
    let text = if args.json {
        let out = Output {
            grad_norms: &profile.grad_norms,
            jacobian_norms: &profile.jacobian_norms,
        };
        serde_json::to_string(&out).map_err(|e| e.to_string())?
    } else {
        let mut lines = vec![format!(
            "{:>5}  {:>14}  {:>14}",
            "step", "|dL/dh_t|", "|dh_t/dh_t-1|"
        )];
        for (t, (g, j)) in profile
            .grad_norms
            .iter()
            .zip(&profile.jacobian_norms)
            .enumerate()
        {
            lines.push(format!("{t:>5}  {g:>14.6e}  {j:>14.6e}"));
        }
        lines.join("\n")
    };
    Ok((text, overflowed))
}
