//! Step 3: one recurrent neuron unrolled over the learner's sentence, step by step with its
//! numbers (`x_t·w_x + y_t−1·w_y + b → tanh → y_t`), then one neuron per embedding
//! dimension as a heatmap. All numbers come from [`crate::model::recurrent::neuron`].

use egui::RichText;

use crate::lessons::shared_views::shape;
use crate::model::recurrent::neuron::{
    NeuronLayer, NeuronParams, NeuronStep, unroll, word_scalar, word_vector,
};
use crate::model::text::split_words;
use crate::widgets::{Heatmap, Scale};

/// Dimensions of the word vectors in the vector version.
const VECTOR_DIM: usize = 8;
/// Seconds between steps while playing.
const PLAY_INTERVAL: f64 = 0.9;

/// The neuron's weights, the step shown and whether it is playing.
pub struct NeuronView {
    pub params: NeuronParams,
    /// 0-based step shown; clamped to the sentence length when drawn.
    pub step: usize,
    pub playing: bool,
    last_advance: f64,
}

impl Default for NeuronView {
    fn default() -> Self {
        Self {
            params: NeuronParams::default(),
            step: 0,
            playing: false,
            last_advance: 0.0,
        }
    }
}

impl NeuronView {
    pub fn show(&mut self, ui: &mut egui::Ui, sentence: &str) {
        let words = split_words(sentence);
        if words.is_empty() {
            return;
        }
        let xs: Vec<f64> = words.iter().map(|w| word_scalar(&w.text)).collect();
        let steps = unroll(&self.params, &xs, 0.0);
        let last = steps.len() - 1;
        self.advance(ui, last);
        self.step = self.step.min(last);

        egui::Grid::new("neuron-weights")
            .num_columns(2)
            .show(ui, |ui| {
                for (name, value, help) in [
                    ("w_x", &mut self.params.w_x, "weight on this step's input"),
                    (
                        "w_y",
                        &mut self.params.w_y,
                        "weight on the previous output (the loop)",
                    ),
                    ("b", &mut self.params.b, "bias, added every step"),
                ] {
                    let l = ui.label(name).on_hover_text(help);
                    ui.add(egui::Slider::new(value, -2.0..=2.0).step_by(0.05))
                        .labelled_by(l.id);
                    ui.end_row();
                }
            });
        ui.horizontal(|ui| {
            if ui.button("⏮").on_hover_text("first word").clicked() {
                self.step = 0;
                self.playing = false;
            }
            if ui.button("◀ step").clicked() {
                self.step = self.step.saturating_sub(1);
                self.playing = false;
            }
            let label = if self.playing {
                "⏸ pause"
            } else {
                "▶ play"
            };
            if ui.button(label).clicked() {
                self.playing = !self.playing;
                if self.step == last {
                    self.step = 0;
                }
            }
            if ui.button("step ▶").clicked() {
                self.step = (self.step + 1).min(last);
                self.playing = false;
            }
            ui.label(format!("time step {} of {}", self.step + 1, steps.len()));
        });
        unrolled(ui, &words_text(&words), &steps, self.step);
        ui.add_space(6.0);
        if let Some(s) = steps.get(self.step) {
            arithmetic(ui, s, &self.params, &words[self.step].text);
        }
        ui.separator();
        vector_version(ui, &words_text(&words), &self.params, self.step);
    }

    /// Moves one step forward every [`PLAY_INTERVAL`] seconds while playing.
    fn advance(&mut self, ui: &egui::Ui, last: usize) {
        if !self.playing {
            return;
        }
        let now = ui.input(|i| i.time);
        if now - self.last_advance >= PLAY_INTERVAL {
            self.last_advance = now;
            if self.step >= last {
                self.playing = false;
            } else {
                self.step += 1;
            }
        }
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_secs_f64(PLAY_INTERVAL / 3.0));
    }
}

fn words_text(words: &[crate::model::text::Piece]) -> Vec<String> {
    words.iter().map(|w| w.text.clone()).collect()
}

/// The network unrolled in time: one column per word, future steps greyed out.
fn unrolled(ui: &mut egui::Ui, words: &[String], steps: &[NeuronStep], current: usize) {
    egui::ScrollArea::horizontal()
        .id_salt("neuron-unrolled")
        .show(ui, |ui| {
            egui::Grid::new("neuron-unrolled-grid")
                .spacing([10.0, 2.0])
                .show(ui, |ui| {
                    ui.label("");
                    for (t, w) in words.iter().enumerate() {
                        let text = RichText::new(format!("t={} {w}", t + 1)).strong();
                        ui.label(if t == current {
                            text.color(ui.visuals().selection.stroke.color)
                        } else {
                            text
                        });
                    }
                    ui.end_row();
                    for (row, get) in [
                        (
                            "x_t (input)",
                            (|s: &NeuronStep| s.x) as fn(&NeuronStep) -> f64,
                        ),
                        ("y_t (output)", |s: &NeuronStep| s.y),
                    ] {
                        ui.label(row);
                        for (t, s) in steps.iter().enumerate() {
                            let text = RichText::new(format!("{:+.3}", get(s))).monospace();
                            if t > current && row.starts_with('y') {
                                ui.label(text.weak()).on_hover_text("not computed yet");
                            } else {
                                ui.label(text);
                            }
                        }
                        ui.end_row();
                    }
                });
        });
    ui.label(
        RichText::new(
            "x_t is a fixed number per word (a hash of its letters, in [−1, 1]); \
             each y_t is fed back in at the next step.",
        )
        .weak(),
    );
}

/// One step's arithmetic, with every term written out.
fn arithmetic(ui: &mut egui::Ui, s: &NeuronStep, p: &NeuronParams, word: &str) {
    let mono = |t: String| RichText::new(t).monospace();
    let accent = ui.visuals().selection.stroke.color;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(RichText::new(format!("Step {}: reading {word:?}", s.t + 1)).strong());
        ui.label(mono(format!(
            "  x_t · w_x   = {:+.3} · {:+.2} = {:+.3}",
            s.x, p.w_x, s.input_term
        )))
        .on_hover_text("this word's input, weighted");
        ui.label(mono(format!(
            "+ y_t−1 · w_y = {:+.3} · {:+.2} = {:+.3}",
            s.y_prev, p.w_y, s.recurrent_term
        )))
        .on_hover_text("the previous output coming back round the loop (0 before the first word)");
        ui.label(mono(format!("+ b          = {:+.3}", p.b)));
        ui.label(mono(format!("= {:+.3}", s.pre_activation)));
        ui.label(
            mono(format!(
                "y_t = tanh({:+.3}) = {:+.3}",
                s.pre_activation, s.y
            ))
            .color(accent)
            .strong(),
        )
        .on_hover_text("tanh squashes any number into (−1, 1)");
    });
}

/// The same loop with one neuron per embedding dimension (the preface's picture).
fn vector_version(ui: &mut egui::Ui, words: &[String], p: &NeuronParams, current: usize) {
    let xs: Vec<_> = words.iter().map(|w| word_vector(w, VECTOR_DIM)).collect();
    let layer = NeuronLayer::independent(VECTOR_DIM, p);
    let steps = layer.unroll(&xs);
    ui.strong(format!(
        "The vector version: {VECTOR_DIM} neurons, one per embedding dimension, hidden states {}",
        shape(words.len(), VECTOR_DIM)
    ));
    let shown = (current + 1).min(steps.len());
    let mut values: Vec<f32> = Vec::with_capacity(words.len() * VECTOR_DIM);
    for (t, s) in steps.iter().enumerate() {
        for d in 0..VECTOR_DIM {
            // Steps not reached yet are left blank (NaN draws as grey).
            values.push(if t < shown {
                s.y.get(d).copied().unwrap_or(f64::NAN) as f32
            } else {
                f32::NAN
            });
        }
    }
    let rows: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(t, w)| format!("t={} {w}", t + 1))
        .collect();
    let cols: Vec<String> = (1..=VECTOR_DIM).map(|d| format!("d{d}")).collect();
    Heatmap::new("hidden state y_t", &values, words.len(), VECTOR_DIM)
        .labels(&rows, &cols)
        .scale(Scale::Diverging { max_abs: 1.0 })
        .unit("y_t (tanh output)")
        .max_cell(22.0)
        .show(ui);
}
