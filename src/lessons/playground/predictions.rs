//! Predictions of the masked-language-model head: for each `[MASK]` (or any token the
//! learner hovers or clicks), the ten most probable tokens with their probabilities.

use egui::{RichText, Sense, vec2};

use super::runner::LoadedModel;
use crate::model::bert::trace::Trace;
use crate::widgets::{TokenChip, token_strip};

#[derive(Default)]
pub struct PredictionsView {
    /// A position the learner picked; `None` = every `[MASK]`.
    pub picked: Option<usize>,
}

/// Draws one position's top predictions as horizontal bars.
pub fn bars(ui: &mut egui::Ui, trace: &Trace, model: &LoadedModel, pos: usize) {
    let Some(mlm) = &trace.mlm else { return };
    let Some(preds) = mlm.top_k.get(pos) else {
        return;
    };
    ui.label(RichText::new(format!("position {pos}: {}", trace.tokens[pos])).strong());
    let bar = ui.visuals().selection.bg_fill;
    egui::Grid::new(("predictions", pos))
        .num_columns(2)
        .show(ui, |ui| {
            for p in preds {
                let token = model.model.tokenizer.id_to_token(p.id).unwrap_or("?");
                ui.monospace(token);
                let (cell, resp) = ui.allocate_exact_size(vec2(260.0, 16.0), Sense::hover());
                let mut fill = egui::Rect::from_min_size(
                    cell.min,
                    vec2(200.0 * p.prob.clamp(0.0, 1.0), cell.height()),
                );
                fill.set_height(cell.height());
                ui.painter().rect_filled(
                    egui::Rect::from_min_size(cell.min, vec2(200.0, cell.height())),
                    2.0,
                    ui.visuals().extreme_bg_color,
                );
                ui.painter().rect_filled(fill, 2.0, bar);
                ui.painter().text(
                    cell.min + vec2(206.0, cell.height() / 2.0),
                    egui::Align2::LEFT_CENTER,
                    format!("{:.1} %", p.prob * 100.0),
                    egui::FontId::proportional(12.0),
                    ui.visuals().text_color(),
                );
                resp.on_hover_text(format!(
                    "{token:?}: id {}, logit {:.2}, probability {:.4}",
                    p.id, p.logit, p.prob
                ));
                ui.end_row();
            }
        });
}

impl PredictionsView {
    pub fn show(&mut self, ui: &mut egui::Ui, trace: &Trace, model: Option<&LoadedModel>) {
        let Some(model) = model else { return };
        if trace.mlm.is_none() {
            ui.label("This model has no masked-language-model head (e.g. a sentence-embedding model such as MiniLM), so it makes no predictions. The built-in model has one.");
            return;
        }
        ui.label("Click a token to see what the model would put in its place; every [MASK] is shown by default.");
        let chips: Vec<TokenChip> = (0..trace.len())
            .map(|i| {
                TokenChip::new(trace.tokens[i].clone(), Some(trace.ids[i]))
                    .with_detail(format!("position {i}: click for its predictions"))
            })
            .collect();
        let hovered = token_strip(ui, &chips, false);
        if let Some(i) = hovered
            && ui.input(|inp| inp.pointer.primary_clicked())
        {
            self.picked = Some(i);
        }
        let masks: Vec<usize> = (0..trace.len())
            .filter(|&i| trace.tokens[i] == "[MASK]")
            .collect();
        // Hovering previews a token; clicking keeps it.
        let mut positions: Vec<usize> = match (hovered, self.picked) {
            (Some(h), _) => vec![h],
            (None, Some(p)) if p < trace.len() => vec![p],
            _ => masks.clone(),
        };
        if positions.is_empty()
            && let Some(p) = example_position(trace)
        {
            // Never a blank step: an example until the learner types [MASK] or clicks.
            ui.label(format!(
                "No [MASK] in your input, so here is an example: what the model would put at position {p}, '{}' (it sees the word itself there, so it mostly guesses it back). Type [MASK] in your sentence (e.g. \"I withdrew money from the [MASK].\") or click a token.",
                trace.tokens[p]
            ));
            positions.push(p);
        }
        if self.picked.is_some() && ui.button("Show the [MASK] positions").clicked() {
            self.picked = None;
        }
        ui.horizontal_wrapped(|ui| {
            for p in positions.iter().take(6) {
                ui.vertical(|ui| bars(ui, trace, model, *p));
                ui.add_space(16.0);
            }
        });
    }
}

/// The example shown when there is no [MASK]: the first word of four or more letters
/// that occurs twice (the default pair's "bank"), else the longest word.
fn example_position(trace: &Trace) -> Option<usize> {
    let word = |i: &usize| {
        let t = &trace.tokens[*i];
        !t.starts_with('[') && !t.starts_with("##") && t.chars().any(char::is_alphanumeric)
    };
    let n = trace.len();
    (0..n)
        .filter(word)
        .filter(|&i| trace.tokens[i].chars().count() >= 4)
        .find(|&i| (i + 1..n).any(|j| trace.tokens[j] == trace.tokens[i]))
        .or_else(|| {
            (0..n)
                .filter(word)
                .max_by_key(|&i| (trace.tokens[i].chars().count(), std::cmp::Reverse(i)))
        })
}
