//! The limited-context experiment of the lesson's step 6: "remember the first symbol after N
//! distractors", trained live for a vanilla RNN, an LSTM and a single attention layer.
//!
//! A sequence is `[s_0, s_1, …, s_N, ?]`: N + 1 random letters and a query token. The model
//! must answer the *first* letter `s_0` at `?`; the N letters after it are distractors drawn
//! from the same alphabet, so the model must latch onto the first one and ignore the rest.
//! The recurrent models carry it through N updates of their hidden state; the attention
//! layer looks straight back at position 0 (it has a learned key per position, like BERT's
//! position embeddings), so distance costs it nothing within the trained lengths.
//!
//! Training is deterministic for a seed, reports progress through a callback and stops
//! early when the cancel flag is set, so a UI worker thread can drive it:
//!
//! ```
//! use std::sync::atomic::AtomicBool;
//! use llm_lens::model::recurrent::recall::{RecallConfig, RecallModel, train_and_evaluate};
//! let cfg = RecallConfig { hidden: 8, max_distance: 4, eval_distances: vec![0, 4], train_steps: 30,
//!     ..RecallConfig::default() };
//! let mut last = 0;
//! let curve = train_and_evaluate(&cfg, RecallModel::Attention, &mut |p| last = p.step,
//!     &AtomicBool::new(false)).unwrap();
//! assert_eq!(last, 30);
//! assert_eq!(curve.accuracy.len(), 2);
//! ```

use std::sync::atomic::{AtomicBool, Ordering};

use ndarray::{Array1, Array2, Array3, ArrayView2, Axis};
use serde::{Deserialize, Serialize};
use thiserror::Error;

mod attention;
mod run;

use attention::AttentionLayer;
pub use run::RecallRun;

use super::lstm::Lstm;
use super::rnn::{Activation, Rnn};
use crate::model::numerics::nn::{
    Adam, clip_global, cross_entropy, softmax_cross_entropy, softmax_rows,
};
use crate::model::numerics::range::{OutOfRange, check_range};
use crate::model::numerics::rng::SplitMix64;

/// Which learner to train.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecallModel {
    Rnn,
    Lstm,
    Attention,
}

impl RecallModel {
    pub const ALL: [RecallModel; 3] = [RecallModel::Rnn, RecallModel::Lstm, RecallModel::Attention];
    pub fn name(self) -> &'static str {
        match self {
            RecallModel::Rnn => "RNN",
            RecallModel::Lstm => "LSTM",
            RecallModel::Attention => "attention",
        }
    }
}

/// Task and training settings. With the defaults (release build, shared 2-core machine) the RNN
/// trains in ~0.6 s, the LSTM in ~3.5 s and the attention layer in ~0.4 s.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecallConfig {
    /// Letters (A, B, …) used for the first symbol and the distractors; chance is `1 / symbols`.
    pub symbols: usize,
    /// Hidden size of the RNN and LSTM; width of the attention layer.
    pub hidden: usize,
    /// Training distances N are drawn uniformly from `0..=max_distance`.
    pub max_distance: usize,
    /// Distances at which accuracy is measured.
    pub eval_distances: Vec<usize>,
    /// Number of Adam updates.
    pub train_steps: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    /// Test sequences per distance (the same ones for every model).
    pub eval_samples: usize,
    /// Spectral radius of the recurrent weights at initialisation (0.5 ≈ common library
    /// defaults). Below 1, an untrained RNN's gradients vanish with distance.
    pub init_scale: f64,
    /// Global gradient-norm clip, so a vanilla RNN's explosions do not wreck training.
    pub clip: f64,
    pub seed: u64,
}

impl Default for RecallConfig {
    fn default() -> Self {
        Self {
            symbols: 4,
            hidden: 16,
            max_distance: 40,
            eval_distances: vec![0, 1, 2, 5, 10, 20, 30, 40],
            train_steps: 1000,
            batch_size: 32,
            learning_rate: 0.01,
            eval_samples: 256,
            clip: 1.0,
            init_scale: 0.5,
            seed: 1,
        }
    }
}

#[derive(Debug, Error, PartialEq)]
pub enum RecallError {
    #[error("training was cancelled")]
    Cancelled,
    #[error("{name} must be between {min} and {max}, got {got}")]
    OutOfRange {
        name: &'static str,
        got: f64,
        min: f64,
        max: f64,
    },
    #[error("at least one evaluation distance is needed")]
    NoDistances,
}

impl From<OutOfRange> for RecallError {
    fn from(e: OutOfRange) -> Self {
        let OutOfRange {
            name,
            got,
            min,
            max,
        } = e;
        RecallError::OutOfRange {
            name,
            got,
            min,
            max,
        }
    }
}

impl RecallConfig {
    pub fn validate(&self) -> Result<(), RecallError> {
        check_range("symbols", self.symbols as f64, 2.0, 26.0)?;
        check_range("hidden", self.hidden as f64, 1.0, 256.0)?;
        check_range("max distance", self.max_distance as f64, 0.0, 500.0)?;
        check_range("train steps", self.train_steps as f64, 1.0, 100_000.0)?;
        check_range("batch size", self.batch_size as f64, 1.0, 1024.0)?;
        check_range("learning rate", self.learning_rate, 1e-6, 1.0)?;
        check_range("eval samples", self.eval_samples as f64, 1.0, 10_000.0)?;
        check_range("clip", self.clip, 1e-6, 1e6)?;
        check_range("init scale", self.init_scale, 0.0, 10.0)?;
        if self.eval_distances.is_empty() {
            return Err(RecallError::NoDistances);
        }
        for &d in &self.eval_distances {
            check_range("evaluation distance", d as f64, 0.0, 1000.0)?;
        }
        Ok(())
    }

    /// Vocabulary: letters `0..symbols`, then the query token.
    pub fn vocab_size(&self) -> usize {
        self.symbols + 1
    }
    pub fn query_token(&self) -> usize {
        self.symbols
    }

    /// Longest sequence seen in training or evaluation (first letter + N + query).
    pub fn max_len(&self) -> usize {
        self.max_distance
            .max(self.eval_distances.iter().copied().max().unwrap_or(0))
            + 2
    }

    /// How a token is shown: letters `A, B, …` and the query `?`.
    pub fn token_label(&self, id: usize) -> String {
        if id < self.symbols {
            char::from(b'A' + id as u8).to_string()
        } else {
            "?".to_string()
        }
    }

    /// A batch of sequences at one distance: tokens `(batch × (distance + 2))` and answers.
    ///
    /// `sample(rng, 3, 2)` might give rows like `[B, D, B, ?]` → answer `B` (id 1).
    pub fn sample(
        &self,
        rng: &mut SplitMix64,
        batch: usize,
        distance: usize,
    ) -> (Array2<usize>, Vec<usize>) {
        let len = distance + 2;
        let mut tokens = Array2::zeros((batch, len));
        let mut answers = Vec::with_capacity(batch);
        for mut row in tokens.outer_iter_mut() {
            let symbol = rng.below(self.symbols);
            answers.push(symbol);
            row[0] = symbol;
            for j in 1..=distance {
                row[j] = rng.below(self.symbols);
            }
            row[len - 1] = self.query_token();
        }
        (tokens, answers)
    }
}

/// Sent to the progress callback every ~1% of training and at the end.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecallProgress {
    pub model: RecallModel,
    pub step: usize,
    pub total_steps: usize,
    /// Running average of the cross-entropy loss (nats); chance is `ln(symbols)`.
    pub loss: f64,
}

/// One test sequence and what the trained model did with it, for the lesson's view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecallExample {
    pub tokens: Vec<String>,
    pub answer: String,
    pub predicted: String,
    /// Attention weights of the query over every position (attention model only).
    pub attention: Vec<f64>,
}

/// Accuracy against distance for one trained model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecallCurve {
    pub model: RecallModel,
    pub distances: Vec<usize>,
    /// Fraction correct in [0, 1], one per distance.
    pub accuracy: Vec<f64>,
    /// `1 / symbols`: what guessing scores.
    pub chance: f64,
    pub final_loss: f64,
    /// A test sequence at the longest evaluated distance.
    pub example: RecallExample,
    pub train_seconds: f64,
}

/// Train all three models in turn (RNN, LSTM, attention) on the same data stream.
pub fn run_all(
    cfg: &RecallConfig,
    progress: &mut dyn FnMut(RecallProgress),
    cancel: &AtomicBool,
) -> Result<Vec<RecallCurve>, RecallError> {
    RecallModel::ALL
        .into_iter()
        .map(|m| train_and_evaluate(cfg, m, progress, cancel))
        .collect()
}

/// Train one model on the recall task and measure its accuracy at every evaluation distance.
pub fn train_and_evaluate(
    cfg: &RecallConfig,
    model: RecallModel,
    progress: &mut dyn FnMut(RecallProgress),
    cancel: &AtomicBool,
) -> Result<RecallCurve, RecallError> {
    let mut run = RecallRun::new(cfg, model)?;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(RecallError::Cancelled);
        }
        if !run.train(1, progress) {
            break;
        }
    }
    run.evaluate(cancel)
}

fn argmax(it: impl Iterator<Item = f64>) -> usize {
    let mut best = (0, f64::NEG_INFINITY);
    for (i, v) in it.enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}

/// One-hot `(len × batch × vocab)` for the recurrent models.
fn one_hot_time_major(tokens: &Array2<usize>, vocab: usize) -> Array3<f64> {
    let (batch, len) = tokens.dim();
    let mut x = Array3::zeros((len, batch, vocab));
    for ((b, t), &tok) in tokens.indexed_iter() {
        x[[t, b, tok]] = 1.0;
    }
    x
}

/// Runs BPTT for a given `∂L/∂h_T`, returning `[w_x, w_h, b]` gradients (b as one row).
type Backprop = Box<dyn Fn(ArrayView2<f64>) -> Vec<Array2<f64>>>;

enum Cell {
    Rnn(Rnn),
    Lstm(Lstm),
}

/// The three learners behind one interface.
enum Net {
    Recurrent {
        cell: Cell,
        w_y: Array2<f64>, // (symbols × hidden)
        b_y: Array1<f64>, // (symbols)
    },
    Attention(AttentionLayer),
}

impl Net {
    fn new(cfg: &RecallConfig, model: RecallModel) -> Self {
        let mut rng = SplitMix64::new(cfg.seed ^ 0x1417_0000_0000_0003);
        let (v, h, k) = (cfg.vocab_size(), cfg.hidden, cfg.symbols);
        let cell_seed = rng.next_u64();
        let readout = |rng: &mut SplitMix64| {
            let std = 1.0 / (h as f64).sqrt();
            (
                Array2::from_shape_fn((k, h), |_| rng.normal() * std),
                Array1::zeros(k),
            )
        };
        match model {
            RecallModel::Rnn => {
                let (w_y, b_y) = readout(&mut rng);
                Net::Recurrent {
                    cell: Cell::Rnn(Rnn::new(v, h, Activation::Tanh, cfg.init_scale, cell_seed)),
                    w_y,
                    b_y,
                }
            }
            RecallModel::Lstm => {
                let (w_y, b_y) = readout(&mut rng);
                Net::Recurrent {
                    cell: Cell::Lstm(Lstm::new(v, h, cfg.init_scale, 1.0, cell_seed)),
                    w_y,
                    b_y,
                }
            }
            RecallModel::Attention => Net::Attention(AttentionLayer::new(cfg, &mut rng)),
        }
    }

    /// Class probabilities `(batch × symbols)` and, for attention, the weights `(batch × len)`.
    fn forward(
        &self,
        cfg: &RecallConfig,
        tokens: &Array2<usize>,
    ) -> (Array2<f64>, Option<Array2<f64>>) {
        match self {
            Net::Recurrent { cell, w_y, b_y } => {
                let x = one_hot_time_major(tokens, cfg.vocab_size());
                let h_last = match cell {
                    Cell::Rnn(r) => r.forward(x.view()).last_hidden().to_owned(),
                    Cell::Lstm(l) => l.forward(x.view()).last_hidden().to_owned(),
                };
                let mut p = h_last.dot(&w_y.t()) + b_y;
                softmax_rows(&mut p);
                (p, None)
            }
            Net::Attention(att) => {
                let (p, cache) = att.forward(tokens);
                (p, Some(cache.a))
            }
        }
    }

    /// One Adam update on a batch; returns the batch loss before the update.
    fn train_step(
        &mut self,
        cfg: &RecallConfig,
        tokens: &Array2<usize>,
        answers: &[usize],
        adam: &mut Adam<f64>,
    ) -> f64 {
        adam.tick();
        match self {
            Net::Recurrent { cell, w_y, b_y } => {
                let x = one_hot_time_major(tokens, cfg.vocab_size());
                // Forward through the cell, then the readout on the last state.
                let (h_last, back): (Array2<f64>, Backprop) = match cell {
                    Cell::Rnn(r) => {
                        let trace = r.forward(x.view());
                        let h = trace.last_hidden().to_owned();
                        let r2 = r.clone();
                        (
                            h,
                            Box::new(move |d| {
                                let g = r2.backward(&trace, d, None).grads;
                                vec![g.w_x, g.w_h, g.b.insert_axis(Axis(0))]
                            }),
                        )
                    }
                    Cell::Lstm(l) => {
                        let trace = l.forward(x.view());
                        let h = trace.last_hidden().to_owned();
                        let l2 = l.clone();
                        (
                            h,
                            Box::new(move |d| {
                                let g = l2.backward(&trace, d, None).grads;
                                vec![g.w_x, g.w_h, g.b.insert_axis(Axis(0))]
                            }),
                        )
                    }
                };
                let logits = h_last.dot(&w_y.t()) + &*b_y; // (batch × symbols)
                let (loss, d_logits) = softmax_cross_entropy(logits, answers);
                let d_wy = d_logits.t().dot(&h_last); // (symbols × hidden)
                let d_by = d_logits.sum_axis(Axis(0)); // (symbols)
                let d_h = d_logits.dot(&*w_y); // (batch × hidden)
                let mut grads = back(d_h.view());
                grads.push(d_wy);
                grads.push(d_by.insert_axis(Axis(0)));
                clip_global(&mut grads, cfg.clip);
                let [gx, gh, gb, gwy, gby] = match <[Array2<f64>; 5]>::try_from(grads) {
                    Ok(g) => g,
                    Err(_) => return loss,
                };
                let (wx, wh, b) = match cell {
                    Cell::Rnn(r) => (&mut r.w_x, &mut r.w_h, &mut r.b),
                    Cell::Lstm(l) => (&mut l.w_x, &mut l.w_h, &mut l.b),
                };
                adam.update(0, wx, &gx);
                adam.update(1, wh, &gh);
                adam.update(2, b, &gb.index_axis_move(Axis(0), 0));
                adam.update(3, w_y, &gwy);
                adam.update(4, b_y, &gby.index_axis_move(Axis(0), 0));
                loss
            }
            Net::Attention(att) => {
                let (p, cache) = att.forward(tokens);
                let (loss, d_logits) = cross_entropy(&p, answers);
                let mut grads = att.backward(&cache, &d_logits).to_vec();
                clip_global(&mut grads, cfg.clip);
                let [gq, gk, gp, gv, go, gb] = match <[Array2<f64>; 6]>::try_from(grads) {
                    Ok(g) => g,
                    Err(_) => return loss,
                };
                adam.update(0, &mut att.e_q, &gq);
                adam.update(1, &mut att.e_k, &gk);
                adam.update(2, &mut att.p_k, &gp);
                adam.update(3, &mut att.e_v, &gv);
                adam.update(4, &mut att.w_o, &go);
                adam.update(5, &mut att.b_o, &gb.index_axis_move(Axis(0), 0));
                loss
            }
        }
    }
}
