//! The pictures a lesson step's focus adds to the panel: the last word reaching the
//! first, every head of a layer, a token's nearest embedding rows, and the MLM head's
//! guesses.

use ndarray::Axis;

use super::hidden_strip::cosine;
use crate::lessons::playground::token_labels;
use crate::model::bert::model_dir::Model;
use crate::model::bert::trace::Trace;
use crate::widgets::bar::value_bar;
use crate::widgets::{Heatmap, Scale};

/// `(first word, last word)` positions: the real tokens after `[CLS]` and before the
/// first `[SEP]`, or `None` with fewer than two.
pub fn first_and_last_word(trace: &Trace) -> Option<(usize, usize)> {
    // Words only: punctuation and special tokens are not what a reader calls a word.
    let real = |i: usize| {
        let t = trace.tokens[i].as_str();
        trace.attention_mask.get(i).copied().unwrap_or(false)
            && !matches!(t, "[CLS]" | "[SEP]" | "[PAD]" | "[MASK]" | "[UNK]")
            && t.chars().any(char::is_alphanumeric)
    };
    let first = (0..trace.len()).find(|&i| real(i))?;
    let end = (first..trace.len())
        .find(|&i| trace.tokens[i] == "[SEP]")
        .unwrap_or(trace.len());
    let last = (first..end).rev().find(|&i| real(i))?;
    (last > first).then_some((first, last))
}

/// Per layer: the largest weight any head gives from `from` to `to`, and that head.
pub fn reach(trace: &Trace, from: usize, to: usize) -> Vec<Option<(f32, usize)>> {
    trace
        .layers
        .iter()
        .map(|l| {
            let w = &l.steps.as_ref()?.weights;
            (0..w.dim().0)
                .filter_map(|h| w.get((h, from, to)).map(|&x| (x, h)))
                .max_by(|a, b| a.0.total_cmp(&b.0))
        })
        .collect()
}

/// The last word's attention to the first, layer by layer, against the even share.
pub fn long_range(ui: &mut egui::Ui, trace: &Trace) {
    let Some((first, last)) = first_and_last_word(trace) else {
        ui.label("Type at least two words to see the last one reach the first.");
        return;
    };
    let distance = last - first;
    let (a, b) = (&trace.tokens[last], &trace.tokens[first]);
    ui.label(egui::RichText::new(format!("'{a}' → '{b}': {distance} tokens apart")).strong());
    ui.label(format!(
        "Attention joins them directly in every layer (one step). A recurrent network carries '{b}' through {distance} steps, and its gradient is multiplied by the recurrent weights at each."
    ));
    let even = 1.0 / trace.len().max(1) as f32;
    let bar = ui.visuals().selection.bg_fill;
    for (layer, r) in reach(trace, last, first).into_iter().enumerate() {
        ui.horizontal(|ui| {
            ui.add_sized([60.0, 14.0], egui::Label::new(format!("layer {layer}")));
            match r {
                Some((w, head)) => {
                    value_bar(
                        ui,
                        w,
                        egui::vec2(120.0, 12.0),
                        bar,
                        None,
                        format!("the strongest head, {head}, gives '{b}' {w:.3} of '{a}''s attention (an even share would be {even:.3})"),
                    );
                    ui.monospace(format!("{w:.2} (head {head})"));
                }
                None => {
                    ui.label("switched off");
                }
            }
        });
    }
    ui.label(
        egui::RichText::new(format!(
            "Bar: attention weight (0–1) from '{a}' to '{b}', strongest head; an even share would be {even:.2}."
        ))
        .weak()
        .small(),
    );
}

/// Every head of `layer` as small heatmaps; returns the head clicked, if any.
pub fn heads(ui: &mut egui::Ui, trace: &Trace, layer: usize) -> Option<usize> {
    let steps = trace.layers.get(layer)?.steps.as_ref()?;
    let labels = token_labels(trace);
    let mut clicked = None;
    ui.label(egui::RichText::new(format!("layer {layer}: the weights of every head")).strong());
    let heads = steps.weights.dim().0;
    ui.horizontal_wrapped(|ui| {
        for h in 0..heads {
            let m = steps.weights.index_axis(Axis(0), h);
            let values: Vec<f32> = m.iter().copied().collect();
            ui.vertical(|ui| {
                ui.label(format!("head {h}"));
                let title = format!("live model L{layer} H{h}: attention weights");
                let r = Heatmap::new(&title, &values, m.nrows(), m.ncols())
                    .labels(&labels, &labels)
                    .draw_labels(false)
                    .legend(false)
                    .scale(Scale::Probability)
                    .unit("attention weight")
                    .max_cell(7.0)
                    .clickable(true)
                    .show(ui);
                if r.response.clicked() {
                    clicked = Some(h);
                }
            });
        }
    });
    // One legend for all: inside the last head it would widen the row past the panel.
    crate::widgets::heatmap::color_legend(ui, Scale::Probability, "attention weight");
    clicked
}

/// The `k` rows of the model's token-embedding table nearest (by cosine) to the row
/// of token `id`, itself left out: `(token, cosine)`.
pub fn nearest_rows(model: &Model, id: u32, k: usize) -> Vec<(String, f32)> {
    let table = &model.weights.embeddings.word; // (vocab × hidden)
    let Some(me) = table.outer_iter().nth(id as usize) else {
        return Vec::new();
    };
    let mut scored: Vec<(u32, f32)> = table
        .outer_iter()
        .enumerate()
        .filter(|&(i, _)| i != id as usize)
        .map(|(i, row)| (i as u32, cosine(me, row)))
        .collect();
    let k = k.min(scored.len());
    if k == 0 {
        return Vec::new();
    }
    scored.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1));
    scored.truncate(k);
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    scored
        .into_iter()
        .map(|(i, c)| {
            let t = model.tokenizer.id_to_token(i).unwrap_or("?").to_owned();
            (t, c)
        })
        .collect()
}

/// The selected token's embedding row and its nearest rows.
pub fn embedding(ui: &mut egui::Ui, trace: &Trace, token: usize, near: &[(String, f32)]) {
    let (Some(t), Some(id)) = (trace.tokens.get(token), trace.ids.get(token)) else {
        return;
    };
    ui.label(egui::RichText::new(format!("'{t}' is row {id} of the embedding table")).strong());
    if let Some(row) = trace.embeddings.token.outer_iter().nth(token) {
        let d = row.len().min(super::stage_view::PANEL_DIMS);
        let values: Vec<f32> = row.iter().take(d).copied().collect();
        let cols = crate::lessons::playground::dim_labels(d);
        let rows = vec![format!("{token} {t}")];
        ui.label(
            egui::RichText::new(format!("its first {d} of {} numbers", row.len()))
                .weak()
                .small(),
        );
        Heatmap::new("token embedding row", &values, 1, d)
            .labels(&rows, &cols)
            .scale(Scale::diverging_for(&values))
            .unit("value")
            .max_cell(12.0)
            .show(ui);
    }
    if near.is_empty() {
        return;
    }
    ui.label(egui::RichText::new("nearest rows of the model's table (cosine)").strong());
    neighbour_bars(ui, t, near);
}

/// `(word, cosine)` rows as bars, each with its exact value.
pub fn neighbour_bars(ui: &mut egui::Ui, of: &str, near: &[(String, f32)]) {
    let bar = ui.visuals().selection.bg_fill;
    for (w, c) in near {
        ui.horizontal(|ui| {
            ui.add_sized(
                [90.0, 14.0],
                egui::Label::new(egui::RichText::new(w).monospace()),
            );
            value_bar(
                ui,
                c.max(0.0),
                egui::vec2(100.0, 12.0),
                bar,
                None,
                format!("cosine {c:.3} between '{of}' and '{w}'"),
            );
            ui.monospace(format!("{c:.2}"));
        });
    }
}

/// The MLM head's top guesses at every `[MASK]`, or a line saying how to make one.
pub fn predictions(ui: &mut egui::Ui, trace: &Trace, model: &Model) {
    let Some(mlm) = &trace.mlm else {
        ui.label("This model has no MLM head, so it makes no guesses.");
        return;
    };
    let masks: Vec<usize> = (0..trace.len())
        .filter(|&i| trace.tokens[i] == "[MASK]")
        .collect();
    if masks.is_empty() {
        ui.label(
            egui::RichText::new(
                "Put [MASK] in your sentence (\"I withdrew money from the [MASK].\") to see the model's guesses.",
            )
            .weak(),
        );
        return;
    }
    let bar = ui.visuals().selection.bg_fill;
    for &p in masks.iter().take(4) {
        ui.label(egui::RichText::new(format!("[MASK] at position {p}")).strong());
        for guess in mlm.top_k.get(p).into_iter().flatten().take(5) {
            let w = model.tokenizer.id_to_token(guess.id).unwrap_or("?");
            ui.horizontal(|ui| {
                ui.add_sized(
                    [90.0, 14.0],
                    egui::Label::new(egui::RichText::new(w).monospace()),
                );
                value_bar(
                    ui,
                    guess.prob,
                    egui::vec2(100.0, 12.0),
                    bar,
                    None,
                    format!(
                        "probability {:.3} that '{w}' fills position {p}",
                        guess.prob
                    ),
                );
                ui.monospace(format!("{:.1} %", guess.prob * 100.0));
            });
        }
    }
    if masks.len() > 4 {
        ui.label(format!(
            "…and {} more [MASK]s (the playground shows all).",
            masks.len() - 4
        ));
    }
}
