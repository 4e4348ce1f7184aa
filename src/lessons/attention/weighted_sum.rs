//! Step "weighted-sum": the scores of the Q, K, V step turned into weights row by row
//! (each row summing to 1, shown), a hovered cell's arithmetic, and the selected
//! word's output built up one value row at a time.

use std::sync::Arc;

use crate::lessons::LessonContext;
use crate::model::bert::pretrained::PretrainedBert;
use crate::model::qkv::SmallHead;
use crate::widgets::Heatmap;
use crate::widgets::bar::value_bar;
use crate::widgets::colormap::Scale;

use super::qkv::{HeadSettings, matrix};

/// Seconds between two terms of the animated sum.
const TICK_S: f64 = 0.7;

#[derive(Default)]
pub struct State {
    /// The query word whose output is built.
    pub query: Option<usize>,
    /// Terms of the sum added so far (`None`: all of them).
    pub terms: Option<usize>,
    pub playing: bool,
    last_tick: f64,
}

fn fmt(v: &[f32]) -> String {
    let parts: Vec<String> = v.iter().map(|x| format!("{x:+.2}")).collect();
    format!("[{}]", parts.join(", "))
}

/// The arithmetic behind one weight, for the tooltip.
pub fn cell_arithmetic(h: &SmallHead, i: usize, j: usize) -> String {
    let dk = h.d_k();
    let dot: f32 = h.q.row(i).dot(&h.k.row(j));
    let row = h.scores.row(i);
    let max = row.fold(f32::MIN, |m, &v| m.max(v));
    let z: f32 = row.iter().map(|v| (v - max).exp()).sum();
    format!(
        "query '{}' · key '{}' = {dot:+.3}\n÷ √{dk} = {:+.3}\nweight = e^({:+.3} − {max:.3}) / {z:.3} = {:.4}\n(the denominator sums e^(score − max) over the row, so the row adds up to 1)",
        h.words[i],
        h.words[j],
        h.scores[[i, j]],
        h.scores[[i, j]],
        h.weights[[i, j]],
    )
}

/// The default query: "bank" if the sentence has it, else the last word.
fn default_query(words: &[String]) -> usize {
    words
        .iter()
        .position(|w| w == "bank")
        .unwrap_or(words.len().saturating_sub(1))
}

pub fn show(
    ui: &mut egui::Ui,
    state: &mut State,
    settings: &mut HeadSettings,
    cx: &LessonContext<'_>,
    _model: Option<&Arc<PretrainedBert>>,
) {
    settings.controls(ui);
    let h = settings.head(cx.sentence);
    let n = h.words.len();
    if n == 0 {
        return;
    }
    let query = state
        .query
        .filter(|&q| q < n)
        .unwrap_or_else(|| default_query(&h.words));
    ui.horizontal_wrapped(|ui| {
        ui.label("Follow the word");
        for (i, w) in h.words.iter().enumerate() {
            if ui.selectable_label(i == query, w).clicked() {
                state.query = Some(i);
                state.terms = None;
                state.playing = false;
            }
        }
    });
    ui.add_space(4.0);
    matrix(ui, "scores QKᵀ/√d_k", &h.scores, &h.words, &h.words);
    ui.add_space(6.0);
    weights_grid(ui, &h);
    ui.add_space(8.0);
    build_output(ui, state, &h, query, cx.reproducible);
}

/// The weights with each row's sum beside it; hovering a cell explains it.
fn weights_grid(ui: &mut egui::Ui, h: &SmallHead) {
    let n = h.words.len();
    let values: Vec<f32> = h.weights.iter().copied().collect();
    ui.vertical(|ui| {
        ui.strong(format!("weights = softmax by row  ({n} × {n})"));
        let r = Heatmap::new("attention weights", &values, n, n)
            .labels(&h.words, &h.words)
            .scale(Scale::Probability)
            .max_cell(34.0)
            .show_values(true)
            .unit("weight")
            .show(ui);
        if let Some((i, j)) = r.hovered {
            r.response
                .on_hover_text_at_pointer(cell_arithmetic(h, i, j));
        }
        ui.horizontal_wrapped(|ui| {
            ui.label("Row sums, top to bottom:");
            for row in h.weights.rows() {
                ui.monospace(format!("{:.6}", row.sum()));
            }
        });
    });
}

/// `output[query] = Σ_j weight[query, j] · V[j]`, one term at a time.
fn build_output(
    ui: &mut egui::Ui,
    state: &mut State,
    h: &SmallHead,
    query: usize,
    reproducible: bool,
) {
    let n = h.words.len();
    let word = &h.words[query];
    ui.strong(format!("Building the output of '{word}'"));
    let now = ui.input(|i| i.time);
    if state.playing && !reproducible {
        let shown = state.terms.unwrap_or(n);
        if now - state.last_tick >= TICK_S {
            state.last_tick = now;
            if shown >= n {
                state.playing = false;
            } else {
                state.terms = Some(shown + 1);
            }
        }
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_secs_f64(TICK_S / 2.0));
    }
    let mut shown = state.terms.unwrap_or(n).min(n);
    ui.horizontal(|ui| {
        let label = if state.playing {
            "⏸ Pause"
        } else {
            "▶ Play"
        };
        if ui
            .button(label)
            .on_hover_text("Add the weighted value rows one at a time")
            .clicked()
        {
            state.playing = !state.playing;
            if state.playing && shown >= n {
                state.terms = Some(0);
            }
            state.last_tick = now;
        }
        let l = ui.label("terms added");
        if ui
            .add(egui::Slider::new(&mut shown, 0..=n))
            .labelled_by(l.id)
            .changed()
        {
            state.terms = Some(shown);
            state.playing = false;
        }
    });
    let sums = h.running_sum(query);
    egui::ScrollArea::horizontal()
        .id_salt("weighted-sum-terms")
        .show(ui, |ui| terms_grid(ui, h, query, shown, &sums));
    if shown >= n {
        ui.label(format!(
            "Output of '{word}' = {}: the weights add up to {:.6}, so it is a weighted average of the {n} value rows, its own included.",
            fmt(&h.output.row(query).to_vec()),
            h.weights.row(query).sum()
        ));
    } else {
        ui.label(format!("{shown} of {n} terms added."));
    }
}

/// One row per word: its weight, weight × its value row, and the sum so far (the
/// rows not yet added are drawn faint).
fn terms_grid(ui: &mut egui::Ui, h: &SmallHead, query: usize, shown: usize, sums: &[Vec<f32>]) {
    let word = &h.words[query];
    let color = ui.visuals().selection.bg_fill;
    egui::Grid::new("weighted-sum-terms")
        .striped(true)
        .show(ui, |ui| {
            ui.strong("value of");
            ui.strong("weight");
            ui.strong("");
            ui.strong("weight × V row");
            ui.strong("running sum");
            ui.end_row();
            for (j, sum) in sums.iter().enumerate() {
                let w = h.weights[[query, j]];
                let added = j < shown;
                let text = |s: String| {
                    if added {
                        egui::RichText::new(s).monospace()
                    } else {
                        egui::RichText::new(s).monospace().weak()
                    }
                };
                ui.label(&h.words[j]);
                ui.label(text(format!("{w:.3}")));
                value_bar(
                    ui,
                    w,
                    egui::vec2(80.0, 10.0),
                    color,
                    None,
                    format!("'{word}' gives '{}' a weight of {w:.4}", h.words[j]),
                );
                let term: Vec<f32> = h.v.row(j).iter().map(|v| w * v).collect();
                ui.label(text(fmt(&term)));
                ui.label(text(if added { fmt(sum) } else { String::new() }));
                ui.end_row();
            }
        });
}
