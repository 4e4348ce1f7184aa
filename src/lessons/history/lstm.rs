//! Step 5: the LSTM. The same gradient lab as step 4 run for an LSTM and a vanilla RNN with
//! the same settings, and the LSTM's gate activations on the learner's sentence.

use egui::RichText;
use ndarray::Array2;

use super::gradients::{gradient_chart, series};
use crate::job::Recompute;
use crate::lessons::shared_views::shape;
use crate::model::recurrent::lstm::{Lstm, WeightCount, lstm_gradient_profile};
use crate::model::recurrent::neuron::word_vector;
use crate::model::recurrent::rnn::{GradientLabConfig, GradientProfile, rnn_gradient_profile};
use crate::model::text::split_words;
use crate::widgets::chart::{ChartView, PALETTE};
use crate::widgets::{Heatmap, Scale};

/// Embedding size and LSTM width for the sentence heatmap: small enough to read.
const GATE_DIM: usize = 8;

/// Which of the LSTM's per-step vectors the heatmap shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GateView {
    #[default]
    Forget,
    Input,
    Output,
    Cell,
}

impl GateView {
    const ALL: [GateView; 4] = [Self::Forget, Self::Input, Self::Output, Self::Cell];

    fn label(self) -> &'static str {
        match self {
            Self::Forget => "forget gate f_t",
            Self::Input => "input gate i_t",
            Self::Output => "output gate o_t",
            Self::Cell => "cell state c_t",
        }
    }

    fn help(self) -> &'static str {
        match self {
            Self::Forget => "How much of the old cell state is kept (1 = keep everything).",
            Self::Input => "How much of the new candidate is written into the cell.",
            Self::Output => "How much of the cell is shown as the hidden state.",
            Self::Cell => "The memory itself: c_t = f_t·c_t−1 + i_t·candidate_t.",
        }
    }
}

type Profiles = Result<(GradientProfile, GradientProfile), String>;

fn compute(cfg: &GradientLabConfig) -> Profiles {
    let rnn = rnn_gradient_profile(cfg).map_err(|e| e.to_string())?;
    let lstm = lstm_gradient_profile(cfg).map_err(|e| e.to_string())?;
    Ok((rnn, lstm))
}

/// The step-5 lab.
#[derive(Default)]
pub struct LstmLab {
    pub config: GradientLabConfig,
    pub gate: GateView,
    result: Recompute<GradientLabConfig, Profiles>,
    chart: ChartView,
}

impl LstmLab {
    pub fn show(&mut self, ui: &mut egui::Ui, sentence: &str) {
        ui.strong("LSTM against RNN, same weights scale, same inputs");
        egui::Grid::new("lstm-controls")
            .num_columns(2)
            .show(ui, |ui| {
                let l = ui.label("forget-gate bias");
                ui.add(egui::Slider::new(&mut self.config.forget_bias, -3.0..=5.0).step_by(0.1))
                    .labelled_by(l.id)
                    .on_hover_text(
                        "Added before the forget gate's sigmoid: higher means the cell keeps \
                     its memory unless the input says otherwise.",
                    );
                ui.end_row();
                let l = ui.label("scale (spectral radius)");
                ui.add(egui::Slider::new(&mut self.config.scale, 0.0..=2.0).step_by(0.01))
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label("steps");
                ui.add(egui::Slider::new(&mut self.config.steps, 2..=200))
                    .labelled_by(l.id);
                ui.end_row();
            });
        let cfg = self.config.clone();
        match self.result.get(ui.ctx(), &cfg, compute) {
            None => {
                ui.spinner();
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().warn_fg_color, e);
            }
            Some(Ok((rnn, lstm))) => {
                let spec = gradient_chart(
                    "Gradient reaching each step: LSTM vs RNN",
                    vec![
                        series("RNN ‖∂L/∂h_t‖", &rnn.grad_norms, PALETTE[0]),
                        series("LSTM ‖∂L/∂h_t‖", &lstm.grad_norms, PALETTE[2]),
                        series("LSTM ‖∂L/∂c_t‖ (cell)", &lstm.cell_grad_norms, PALETTE[3]),
                    ],
                );
                let size = egui::vec2(ui.available_width().clamp(240.0, 640.0), 230.0);
                self.chart.show(ui, &spec, size).on_hover_text(
                    "Both computed by backpropagation through time (model/recurrent/rnn.rs, \
                     model/recurrent/lstm.rs). Log scale.",
                );
                let first = |p: &GradientProfile| p.grad_norms.first().copied().unwrap_or(0.0);
                ui.label(format!(
                    "At step 1 the LSTM still receives {:.2e}; the RNN receives {:.2e}.",
                    first(lstm),
                    first(rnn)
                ));
                if self.result.busy() {
                    ui.label(RichText::new("computing the new settings…").weak());
                }
            }
        }
        ui.separator();
        weight_costs(ui, &self.config);
        ui.separator();
        self.gates(ui, sentence);
    }

    /// The gates of a small LSTM (same scale, bias and seed) reading the sentence.
    fn gates(&mut self, ui: &mut egui::Ui, sentence: &str) {
        let words = split_words(sentence);
        if words.is_empty() {
            return;
        }
        let mut xs = Array2::zeros((words.len(), GATE_DIM));
        for (mut row, w) in xs.outer_iter_mut().zip(&words) {
            row.assign(&word_vector(&w.text, GATE_DIM));
        }
        let lstm = Lstm::new(
            GATE_DIM,
            GATE_DIM,
            self.config.scale,
            self.config.forget_bias,
            self.config.seed,
        );
        let acts = lstm.gate_activations(xs.view());
        ui.strong(format!(
            "The gates on your sentence {}: one row per word, one column per unit",
            shape(words.len(), GATE_DIM)
        ));
        ui.horizontal_wrapped(|ui| {
            for g in GateView::ALL {
                ui.selectable_value(&mut self.gate, g, g.label())
                    .on_hover_text(g.help());
            }
        });
        let m = match self.gate {
            GateView::Forget => &acts.forget,
            GateView::Input => &acts.input,
            GateView::Output => &acts.output,
            GateView::Cell => &acts.cell,
        };
        let values: Vec<f32> = m.iter().map(|v| *v as f32).collect();
        let rows: Vec<String> = words.iter().map(|w| w.text.clone()).collect();
        let cols: Vec<String> = (1..=GATE_DIM).map(|u| format!("u{u}")).collect();
        let (scale, unit) = match self.gate {
            GateView::Cell => (Scale::Diverging { max_abs: 1.0 }, "cell value"),
            _ => (Scale::Probability, "gate value (0 = closed, 1 = open)"),
        };
        Heatmap::new(self.gate.label(), &values, words.len(), GATE_DIM)
            .labels(&rows, &cols)
            .scale(scale)
            .unit(unit)
            .max_cell(24.0)
            .show(ui);
        let mean = acts.forget.mean().unwrap_or(f64::NAN);
        ui.label(format!(
            "Average forget gate over your sentence: {mean:.2} (sigmoid of the bias {:.1} is {:.2}).",
            self.config.forget_bias,
            1.0 / (1.0 + (-self.config.forget_bias).exp())
        ));
        ui.label(
            RichText::new(
                "Inputs are fixed random word vectors and the weights are untrained: the gates \
                 show how the machinery moves, not what a trained LSTM has learned.",
            )
            .weak(),
        );
    }
}

/// The LSTM's price in weights and work, counted for the chart's sizes.
fn weight_costs(ui: &mut egui::Ui, cfg: &GradientLabConfig) {
    let (input, hidden) = (cfg.input_size, cfg.hidden);
    let rnn = WeightCount::rnn(input, hidden);
    let lstm = WeightCount::lstm(input, hidden);
    ui.strong(format!(
        "What the memory costs, for the chart's sizes ({input} inputs, {hidden} hidden units)"
    ));
    egui::Grid::new("lstm-weight-costs")
        .striped(true)
        .num_columns(6)
        .show(ui, |ui| {
            for h in [
                "",
                "input weights W_x",
                "recurrent weights W_h",
                "biases",
                "total",
                "multiply-adds per word",
            ] {
                ui.strong(h);
            }
            ui.end_row();
            for (name, c) in [("RNN", rnn), ("LSTM", lstm)] {
                ui.label(name);
                ui.label(c.input.to_string());
                ui.label(c.recurrent.to_string());
                ui.label(c.bias.to_string());
                ui.label(c.total().to_string());
                ui.label(c.multiply_adds_per_step().to_string());
                ui.end_row();
            }
        });
    let ratio = |a: usize, b: usize| a as f64 / b.max(1) as f64;
    ui.label(format!(
        "The LSTM learns {:.1}× the recurrent weights and {:.1}× the weights in all: one set \
         each for the input, forget and output gates and for the candidate. Each word costs \
         {:.1}× the multiply-adds; the next step's recall run times both in training.",
        ratio(lstm.recurrent, rnn.recurrent),
        ratio(lstm.total(), rnn.total()),
        ratio(lstm.multiply_adds_per_step(), rnn.multiply_adds_per_step()),
    ));
}
