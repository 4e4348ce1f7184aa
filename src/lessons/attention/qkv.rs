//! Step "qkv": why three matrices. The learner's words as small vectors times seeded
//! W_Q, W_K, W_V give Q, K and V with every number on screen; then the same three
//! products for one head of the built-in model on the learner's sentence.

use std::sync::Arc;

use ndarray::Array2;

use crate::job::Recompute;
use crate::lessons::LessonContext;
use crate::lessons::cache_key::ArcKey;
use crate::model::bert::pretrained::PretrainedBert;
use crate::model::bert::trace::Trace;
use crate::model::qkv::{MAX_D_MODEL, SmallHead, model_head_qkv};
use crate::widgets::Heatmap;
use crate::widgets::colormap::Scale;

/// Words of the learner's sentence that the small head takes (every number must fit).
pub const MAX_WORDS: usize = 8;

/// The small head's settings, shared with the softmax-and-weighted-sum step so both
/// show the same numbers.
pub struct HeadSettings {
    pub d_model: usize,
    pub d_k: usize,
    pub seed: u64,
}

impl Default for HeadSettings {
    fn default() -> Self {
        Self {
            d_model: 8,
            d_k: 4,
            seed: 1,
        }
    }
}

impl HeadSettings {
    /// The learner's first [`MAX_WORDS`] words, lower-cased, and whether some were cut.
    pub fn words(sentence: &str) -> (Vec<String>, bool) {
        let all = crate::model::text::split_words(sentence);
        let cut = all.len() > MAX_WORDS;
        let words = all
            .into_iter()
            .take(MAX_WORDS)
            .map(|p| p.text.to_lowercase())
            .collect();
        (words, cut)
    }

    pub fn head(&self, sentence: &str) -> SmallHead {
        SmallHead::new(&Self::words(sentence).0, self.d_model, self.d_k, self.seed)
    }

    /// Sliders for d_model and d_k and a button for new weights.
    pub fn controls(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let l = ui.label("d_model");
            ui.add(egui::Slider::new(&mut self.d_model, 4..=MAX_D_MODEL))
                .labelled_by(l.id)
                .on_hover_text("How many numbers describe each word");
            self.d_k = self.d_k.min(self.d_model);
            let l = ui.label("d_k");
            ui.add(egui::Slider::new(&mut self.d_k, 1..=self.d_model))
                .labelled_by(l.id)
                .on_hover_text("How many numbers each query, key and value has");
            if ui
                .button("🎲 New weights")
                .on_hover_text("Draw other random W_Q, W_K and W_V")
                .clicked()
            {
                self.seed += 1;
            }
            ui.label(format!("seed {}", self.seed));
        });
    }
}

#[derive(Default)]
pub struct State {
    pub head: HeadSettings,
    pub layer: usize,
    pub model_head: usize,
    /// The model's trace of the learner's sentence.
    trace: Recompute<super::TraceKey, Result<Trace, String>>,
}

fn labels(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{}", i + 1)).collect()
}

/// Cell size of the small matrices, in points.
const CELL: f32 = 34.0;

/// A titled matrix with its row and column labels.
pub type Titled<'a> = (&'a str, &'a Array2<f32>, &'a [String], &'a [String]);

/// Matrices side by side, as many per row as fit the pane (it may be narrow).
pub fn matrix_rows(ui: &mut egui::Ui, items: &[Titled<'_>]) {
    let width = ui.available_width();
    let mut row: Vec<usize> = Vec::new();
    let mut used = 0.0;
    let mut rows: Vec<Vec<usize>> = Vec::new();
    for (i, (_, m, labels, _)) in items.iter().enumerate() {
        let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let w = (longest.min(20) as f32) * 7.0 + 16.0 + m.ncols() as f32 * CELL;
        if !row.is_empty() && used + w > width {
            rows.push(std::mem::take(&mut row));
            used = 0.0;
        }
        row.push(i);
        used += w;
    }
    rows.push(row);
    for r in rows {
        ui.horizontal_top(|ui| {
            for i in r {
                let (title, m, rl, cl) = items[i];
                matrix(ui, title, m, rl, cl);
            }
        });
    }
}

/// A matrix with its numbers printed, titled with its name and shape.
pub fn matrix(ui: &mut egui::Ui, title: &str, m: &Array2<f32>, rows: &[String], cols: &[String]) {
    let values: Vec<f32> = m.iter().copied().collect();
    ui.vertical(|ui| {
        ui.strong(format!("{title}  ({} × {})", m.nrows(), m.ncols()));
        Heatmap::new(title, &values, m.nrows(), m.ncols())
            .labels(rows, cols)
            .scale(Scale::diverging_for(&values))
            .max_cell(CELL)
            .show_values(true)
            .legend(false)
            .token_window(egui::Id::unique("attention-token-window"))
            .show(ui);
    });
}

pub fn show(
    ui: &mut egui::Ui,
    state: &mut State,
    cx: &LessonContext<'_>,
    model: Option<&Arc<PretrainedBert>>,
) {
    state.head.controls(ui);
    let (words, cut) = HeadSettings::words(cx.sentence);
    if cut {
        ui.label(format!(
            "The small example takes the first {MAX_WORDS} words of your sentence."
        ));
    }
    let h = state.head.head(cx.sentence);
    let (n, d, dk) = (h.words.len(), h.x.ncols(), h.d_k());
    let dims = labels("x", d);
    let kdims = labels("", dk);
    ui.label(format!(
        "X · W = (n × d_model)·(d_model × d_k) = ({n} × {d})·({d} × {dk}) → ({n} × {dk}): one query, one key and one value of {dk} numbers per word."
    ));
    matrix_rows(
        ui,
        &[
            ("X: your words", &h.x, &words, &dims),
            ("W_Q", &h.w_q, &dims, &kdims),
            ("W_K", &h.w_k, &dims, &kdims),
            ("W_V", &h.w_v, &dims, &kdims),
        ],
    );
    ui.add_space(6.0);
    matrix_rows(
        ui,
        &[
            ("Q = X·W_Q", &h.q, &words, &kdims),
            ("K = X·W_K", &h.k, &words, &kdims),
            ("V = X·W_V", &h.v, &words, &kdims),
        ],
    );
    ui.add_space(10.0);
    model_part(ui, state, cx, model);
}

/// A slider over a layer or head of the built-in model, numbered from 0 as in the
/// playground and the live model panel.
pub fn model_index(value: &mut usize, last: usize) -> egui::Slider<'_> {
    egui::Slider::new(value, 0..=last)
}

/// The same three products in one head of the built-in model.
fn model_part(
    ui: &mut egui::Ui,
    state: &mut State,
    cx: &LessonContext<'_>,
    model: Option<&Arc<PretrainedBert>>,
) {
    ui.strong("The same three products in the built-in model");
    let Some(bert) = model else {
        super::loading_notice(ui);
        return;
    };
    let config = &bert.model.config;
    let heads = config.num_attention_heads.max(1);
    let head_dim = config.hidden_size / heads;
    ui.horizontal(|ui| {
        let l = ui.label("layer");
        ui.add(model_index(
            &mut state.layer,
            config.num_hidden_layers.saturating_sub(1),
        ))
        .labelled_by(l.id);
        let l = ui.label("head");
        ui.add(model_index(&mut state.model_head, heads - 1))
            .labelled_by(l.id);
    });
    let key = (ArcKey::of(bert), cx.sentence.to_owned());
    let Some(trace) = state.trace.get(ui.ctx(), &key, super::run_model) else {
        super::loading_notice(ui);
        return;
    };
    let trace = match trace {
        Ok(t) => t,
        Err(e) => {
            ui.colored_label(ui.visuals().warn_fg_color, e);
            return;
        }
    };
    let layer = state.layer.min(trace.layers.len().saturating_sub(1));
    let x = if layer == 0 {
        &trace.embeddings.normed
    } else {
        &trace.layers[layer - 1].output
    };
    let Some([q, k, v]) = model_head_qkv(&bert.model.weights, layer, state.model_head, &x.view())
    else {
        return;
    };
    ui.label(format!(
        "Its hidden size is d_model = {}, split into {heads} heads of d_k = {head_dim}: W_Q, W_K and W_V are {h} × {h} each, and head {} uses {head_dim} of their columns. Here X is the input of layer {} for your {} tokens ({} × {}), and each of Q, K, V is {} × {head_dim}. These are the model's trained weights, not random ones.",
        config.hidden_size,
        state.model_head,
        layer,
        x.nrows(),
        x.nrows(),
        x.ncols(),
        x.nrows(),
        h = config.hidden_size,
    ));
    let dims = labels("", head_dim);
    ui.horizontal_wrapped(|ui| {
        for (name, m) in [("Q", &q), ("K", &k), ("V", &v)] {
            let values: Vec<f32> = m.iter().copied().collect();
            ui.vertical(|ui| {
                ui.strong(format!(
                    "{name} of head {}  ({} × {head_dim})",
                    state.model_head,
                    m.nrows()
                ));
                Heatmap::new(name, &values, m.nrows(), m.ncols())
                    .labels(&trace.tokens, &dims)
                    .scale(Scale::diverging_for(&values))
                    .max_cell(5.0)
                    .unit("value")
                    .draw_labels(name == "Q")
                    .show(ui);
            });
        }
    });
}
