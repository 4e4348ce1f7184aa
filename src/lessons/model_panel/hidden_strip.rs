//! The hidden states at a glance: one row per layer (the input first), one column per
//! token, coloured by the vector's length; and the selected token's path through the
//! layers as its cosine with where it started.

use ndarray::ArrayView1;

use crate::lessons::playground::token_labels;
use crate::model::bert::trace::Trace;
use crate::widgets::bar::value_bar;
use crate::widgets::{Heatmap, Scale};

/// Cosine of two vectors (0 when either is zero).
pub fn cosine(a: ArrayView1<f32>, b: ArrayView1<f32>) -> f32 {
    let dot = a.dot(&b);
    let na = a.dot(&a).sqrt();
    let nb = b.dot(&b).sqrt();
    if na > 0.0 && nb > 0.0 {
        dot / (na * nb)
    } else {
        0.0
    }
}

/// Row names: "layer 0", "layer 1", …
fn row_labels(rows: usize) -> Vec<String> {
    (0..rows).map(|r| format!("layer {r}")).collect()
}

/// `layers × tokens`: how much each layer changed each token's vector, 1 − cosine
/// with the vector it was given (LayerNorm keeps every length near √d, so the
/// direction is what moves). Rows from `reached` on are NaN (grey: not computed yet
/// at this stage of the walk).
pub fn changes(trace: &Trace, reached: usize) -> (Vec<f32>, usize, usize) {
    let states = trace.hidden_states();
    let (rows, cols) = (states.len().saturating_sub(1), trace.len());
    let mut v = vec![f32::NAN; rows * cols];
    for r in 0..rows.min(reached) {
        let (before, after) = (&states[r], &states[r + 1]);
        for c in 0..cols.min(before.nrows()).min(after.nrows()) {
            v[r * cols + c] = 1.0 - cosine(before.row(c), after.row(c));
        }
    }
    (v, rows, cols)
}

/// Draws the strip and the selected token's path; `reached` counts the layers whose
/// output the walk has reached. Returns the column clicked, if any.
pub fn show(ui: &mut egui::Ui, trace: &Trace, reached: usize, token: usize) -> Option<usize> {
    let (values, rows, cols) = changes(trace, reached);
    let labels = row_labels(rows);
    let tokens = token_labels(trace);
    ui.label(egui::RichText::new("hidden states: how much each layer moved each token").strong());
    let r = Heatmap::new("hidden state changes per layer", &values, rows, cols)
        .labels(&labels, &tokens)
        .scale(Scale::sequential_for(&values))
        .unit("1 − cosine with the layer below")
        .max_cell(18.0)
        .clickable(true)
        .show(ui);
    let clicked = r.hovered.filter(|_| r.response.clicked()).map(|(_, c)| c);
    if reached < rows {
        ui.label(
            egui::RichText::new("Grey rows: layers the walk has not reached yet.")
                .weak()
                .small(),
        );
    }
    let states = trace.hidden_states();
    let Some(first) = states.first() else {
        return clicked;
    };
    if token >= first.nrows() {
        return clicked;
    }
    let name = trace.tokens.get(token).map_or("", String::as_str);
    ui.label(
        egui::RichText::new(format!(
            "'{name}' (position {token}) on its way: cosine with its input vector"
        ))
        .strong(),
    )
    .on_hover_text("Click a column above or a token chip to follow another token.");
    let start = first.row(token);
    let bar = ui.visuals().selection.bg_fill;
    for (r, h) in states.iter().enumerate().skip(1).take(reached.min(rows)) {
        let c = cosine(start, h.row(token));
        let name = &labels[r - 1];
        ui.horizontal(|ui| {
            ui.add_sized([60.0, 14.0], egui::Label::new(name));
            value_bar(
                ui,
                c.max(0.0),
                egui::vec2(120.0, 12.0),
                bar,
                None,
                format!("after {name}: cosine {c:.3} with the input vector"),
            );
            ui.monospace(format!("{c:+.2}"));
        });
    }
    clicked
}
