//! Attention across the whole model: a layers × heads grid of small heatmaps (click one
//! to enlarge), BertViz-style lines for the selected head, the mean over heads, and
//! attention rollout across layers. [CLS] and [SEP] columns can be hidden, since many
//! heads park most of their attention there.

use egui::{Color32, Pos2, RichText, Sense, Stroke, pos2, vec2};
use ndarray::{Array2, ArrayView2, Axis};

use super::matrix;
use crate::model::bert::attention_summary::{mean_over_heads, rollout};
use crate::model::bert::trace::Trace;
use crate::widgets::Scale;
use crate::widgets::matrix_image::MatrixImage;

/// What the view shows below the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    #[default]
    Heatmap,
    Lines,
    MeanOverHeads,
    Rollout,
}

#[derive(Default)]
pub struct AttentionView {
    pub detail: Detail,
    pub hide_specials: bool,
    /// Grid thumbnails, one texture per (layer, head).
    tiles: std::collections::HashMap<(usize, usize), MatrixImage>,
    /// Rollout of the trace of this generation: computed once per trace, not per frame.
    rollout: Option<(u64, Vec<Array2<f32>>)>,
}

/// Positions kept when special tokens are hidden.
pub fn kept_positions(trace: &Trace, hide_specials: bool) -> Vec<usize> {
    (0..trace.len())
        .filter(|&i| {
            !hide_specials || !matches!(trace.tokens[i].as_str(), "[CLS]" | "[SEP]" | "[PAD]")
        })
        .collect()
}

/// The `(kept × kept)` submatrix, row-major.
fn select(m: ArrayView2<f32>, kept: &[usize]) -> Vec<f32> {
    let mut out = Vec::with_capacity(kept.len() * kept.len());
    for &r in kept {
        for &c in kept {
            out.push(m[(r, c)]);
        }
    }
    out
}

impl AttentionView {
    /// `generation` identifies the trace (see `Runner::generation`), for the thumbnails.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        trace: &Trace,
        generation: u64,
        layer: &mut usize,
        head: &mut usize,
    ) {
        ui.horizontal_wrapped(|ui| {
            ui.checkbox(&mut self.hide_specials, "hide [CLS] and [SEP]")
                .on_hover_text("Many heads send most of their attention to [CLS] or [SEP] when they have nothing better to do; hiding them shows the rest (rows then no longer sum to 1).");
            ui.separator();
            ui.label("below the grid:");
            for (d, label, tip) in [
                (Detail::Heatmap, "selected head", "The selected head's weights, large"),
                (Detail::Lines, "lines", "Tokens on two sides, a line for each weight: thicker = more attention (as BertViz draws it)"),
                (Detail::MeanOverHeads, "mean over heads", "The layer's heads averaged"),
                (Detail::Rollout, "rollout", "Attention rollout up to the selected layer: attention multiplied through the layers, counting the residual connection"),
            ] {
                ui.radio_value(&mut self.detail, d, label).on_hover_text(tip);
            }
        });
        let kept = kept_positions(trace, self.hide_specials);
        let labels: Vec<String> = kept
            .iter()
            .map(|&i| format!("{i} {}", trace.tokens[i]))
            .collect();
        let n = kept.len();
        if n == 0 {
            ui.label("Nothing left to show: every token is special.");
            return;
        }

        ui.label(
            RichText::new("Every layer (rows) and head (columns): click one to select it").strong(),
        );
        let heads = trace
            .layers
            .iter()
            .find_map(|l| l.steps.as_ref().map(|s| s.weights.dim().0))
            .unwrap_or(0);
        let avail = ui.available_width() - 60.0;
        let tile = (avail / heads.max(1) as f32 - 6.0).clamp(24.0, 64.0);
        egui::Grid::new("attention-grid")
            .spacing(vec2(4.0, 4.0))
            .show(ui, |ui| {
                ui.label("");
                for h in 0..heads {
                    ui.label(RichText::new(format!("head {h}")).small());
                }
                ui.end_row();
                for (l, lt) in trace.layers.iter().enumerate() {
                    ui.label(RichText::new(format!("layer {l}")).small());
                    match &lt.steps {
                        Some(steps) => {
                            for h in 0..heads {
                                let w = steps.weights.index_axis(Axis(0), h);
                                let values = select(w, &kept);
                                let title = format!("layer {l} head {h}");
                                let selected = l == *layer && h == *head;
                                let key = {
                                    use std::hash::{Hash, Hasher};
                                    let mut hasher =
                                        std::collections::hash_map::DefaultHasher::new();
                                    (generation, self.hide_specials, n).hash(&mut hasher);
                                    hasher.finish()
                                };
                                let side = (tile / n as f32).max(1.0) * n as f32;
                                let response = self.tiles.entry((l, h)).or_default().show(
                                    ui,
                                    key,
                                    &title,
                                    &values,
                                    n,
                                    n,
                                    Scale::Probability,
                                    vec2(side.min(tile), side.min(tile)),
                                    |r, c| {
                                        format!(
                                            "{} → {}: {:.4} attention weight",
                                            labels[r],
                                            labels[c],
                                            values[r * n + c]
                                        )
                                    },
                                );
                                let r = crate::widgets::heatmap::HeatmapResponse {
                                    response,
                                    hovered: None,
                                };
                                if selected {
                                    ui.painter().rect_stroke(
                                        r.response.rect.expand(2.0),
                                        2.0,
                                        Stroke::new(2.0, ui.visuals().selection.stroke.color),
                                        egui::StrokeKind::Outside,
                                    );
                                }
                                if r.response.clicked() {
                                    *layer = l;
                                    *head = h;
                                }
                            }
                        }
                        None => {
                            ui.label(RichText::new("skipped").small().weak());
                        }
                    }
                    ui.end_row();
                }
            });
        crate::widgets::heatmap::color_legend(ui, Scale::Probability, "attention weight");
        ui.add_space(8.0);

        let (l, h) = (*layer, *head);
        match self.detail {
            Detail::Heatmap | Detail::Lines => {
                let Some(w) = trace.attention(l) else {
                    ui.label(format!("Layer {l} is skipped by the ablation."));
                    return;
                };
                let m = w.index_axis(Axis(0), h.min(w.dim().0.saturating_sub(1)));
                let values = select(m, &kept);
                if self.detail == Detail::Heatmap {
                    matrix(
                        ui,
                        &format!("layer {l} head {h} attention weights"),
                        &values,
                        n,
                        n,
                        &labels,
                        &labels,
                        Scale::Probability,
                        "attention weight",
                    );
                } else {
                    ui.label(
                        RichText::new(format!(
                            "layer {l} head {h}: queries on the left, keys on the right"
                        ))
                        .strong(),
                    );
                    lines(ui, &labels, &values, n);
                }
            }
            Detail::MeanOverHeads => {
                let Some(w) = trace.attention(l) else {
                    ui.label(format!("Layer {l} is skipped by the ablation."));
                    return;
                };
                let mean: Array2<f32> = mean_over_heads(w);
                let values = select(mean.view(), &kept);
                matrix(
                    ui,
                    &format!("layer {l} mean over heads"),
                    &values,
                    n,
                    n,
                    &labels,
                    &labels,
                    Scale::Probability,
                    "attention weight",
                );
            }
            Detail::Rollout => {
                if self.rollout.as_ref().is_none_or(|(g, _)| *g != generation) {
                    self.rollout = Some((generation, rollout(trace)));
                }
                let all = self.rollout.as_ref().map_or(&[][..], |(_, r)| r.as_slice());
                if let Some(r) = all.get(l) {
                    let values = select(r.view(), &kept);
                    ui.label("Row i: how much each input token has flowed into token i's vector by the end of this layer, counting the residual connection (Abnar & Zuidema, 2020).");
                    matrix(
                        ui,
                        &format!("attention rollout through layer {l}"),
                        &values,
                        n,
                        n,
                        &labels,
                        &labels,
                        Scale::Probability,
                        "share of input",
                    );
                }
            }
        }
    }
}

/// BertViz-style lines: token `i` on the left to token `j` on the right, opacity and
/// width from the weight; hovering a left token shows only its lines.
fn lines(ui: &mut egui::Ui, labels: &[String], values: &[f32], n: usize) {
    let row_h = 20.0;
    let width = ui.available_width().min(560.0);
    let (rect, resp) = ui.allocate_exact_size(vec2(width, row_h * n as f32 + 4.0), Sense::hover());
    let painter = ui.painter_at(rect);
    let font = egui::FontId::proportional(13.0);
    let text = ui.visuals().text_color();
    let left_x = rect.left() + 150.0;
    let right_x = rect.right() - 150.0;
    let y = |i: usize| rect.top() + row_h * (i as f32 + 0.5);
    let focus = resp.hover_pos().and_then(|p| {
        (p.x < left_x + 10.0)
            .then(|| ((p.y - rect.top()) / row_h).floor() as usize)
            .filter(|&i| i < n)
    });
    let base = if ui.visuals().dark_mode {
        Color32::from_rgb(120, 170, 255)
    } else {
        Color32::from_rgb(30, 90, 200)
    };
    for i in 0..n {
        if focus.is_some_and(|f| f != i) {
            continue;
        }
        for j in 0..n {
            let w = values.get(i * n + j).copied().unwrap_or(0.0);
            if w < 0.02 {
                continue;
            }
            let a: Pos2 = pos2(left_x + 6.0, y(i));
            let b: Pos2 = pos2(right_x - 6.0, y(j));
            painter.line_segment(
                [a, b],
                Stroke::new(0.5 + 3.5 * w, base.gamma_multiply(w.clamp(0.1, 1.0))),
            );
        }
    }
    for (i, l) in labels.iter().enumerate() {
        let strong = focus == Some(i);
        let color = if strong {
            ui.visuals().strong_text_color()
        } else {
            text
        };
        painter.text(
            pos2(left_x, y(i)),
            egui::Align2::RIGHT_CENTER,
            l,
            font.clone(),
            color,
        );
        painter.text(
            pos2(right_x, y(i)),
            egui::Align2::LEFT_CENTER,
            l,
            font.clone(),
            text,
        );
    }
    resp.on_hover_text("Hover a token on the left to see only its lines.");
}
