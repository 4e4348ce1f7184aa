//! Hidden states: each token's vector after the embeddings and after every layer, as a
//! heatmap, as norms across layers, as token–token cosine similarity, and as 2-D PCA
//! trajectories through the layers (the same word in two contexts drifts apart).

use std::sync::Arc;

use egui::{Color32, RichText, Sense, Stroke, pos2, vec2};

use super::{matrix, token_labels};
use crate::lessons::cache_key::ArcKey;
use crate::model::bert::attention_summary::{cosine_matrix, row_norms};
use crate::model::bert::trace::Trace;
use crate::model::word2vec::pca::{Pca2d, pca_2d};
use crate::widgets::Scale;
use crate::widgets::chart::{ChartSpec, ChartView, PALETTE, Series, SeriesKind};
use crate::widgets::export::chart_menu;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Trajectories,
    Heatmap,
    Norms,
    Cosine,
}

/// PCA of every (layer, token) hidden state, cached per trace.
struct Projection {
    key: (ArcKey<Trace>, bool),
    /// Token positions drawn.
    tokens: Vec<usize>,
    /// `points[layer][k]` for token `tokens[k]`.
    pca: Pca2d,
    layers: usize,
}

#[derive(Default)]
pub struct HiddenView {
    pub mode: Mode,
    /// Which hidden state: 0 = embeddings, i = after layer i.
    pub index: usize,
    pub hide_specials: bool,
    projection: Option<Projection>,
    chart: ChartView,
}

impl HiddenView {
    pub fn show(&mut self, ui: &mut egui::Ui, trace: &Arc<Trace>, _layer: usize) {
        let states = trace.hidden_states();
        let last = states.len().saturating_sub(1);
        self.index = self.index.min(last);
        ui.horizontal_wrapped(|ui| {
            for (m, label, tip) in [
                (
                    Mode::Trajectories,
                    "trajectories",
                    "Every token's hidden state after each layer, projected to 2-D by PCA",
                ),
                (
                    Mode::Heatmap,
                    "values",
                    "The hidden states of one layer as a (tokens × dimensions) heatmap",
                ),
                (
                    Mode::Norms,
                    "norms",
                    "Each token's vector length after each layer",
                ),
                (
                    Mode::Cosine,
                    "similarity",
                    "Cosine similarity of every pair of tokens after one layer",
                ),
            ] {
                ui.radio_value(&mut self.mode, m, label).on_hover_text(tip);
            }
            ui.separator();
            ui.checkbox(&mut self.hide_specials, "hide [CLS] and [SEP]");
        });
        let labels = token_labels(trace);
        match self.mode {
            Mode::Heatmap | Mode::Cosine => {
                ui.add(
                    egui::Slider::new(&mut self.index, 0..=last)
                        .text("after layer (0 = embeddings)"),
                );
                let h = &states[self.index];
                if self.mode == Mode::Heatmap {
                    super::stages::dims_note(ui, h.ncols());
                    super::stages::wide(
                        ui,
                        &format!("hidden states after layer {}", self.index),
                        *h,
                        &labels,
                        "value",
                    );
                } else {
                    let c = cosine_matrix(*h);
                    let values: Vec<f32> = c.iter().copied().collect();
                    ui.label("1 = pointing the same way, 0 = unrelated, −1 = opposite. In later layers, tokens of the same sentence often grow more alike.");
                    matrix(
                        ui,
                        &format!("cosine similarity after layer {}", self.index),
                        &values,
                        c.nrows(),
                        c.ncols(),
                        &labels,
                        &labels,
                        Scale::Diverging { max_abs: 1.0 },
                        "cosine",
                    );
                }
            }
            Mode::Norms => {
                let keep: Vec<usize> = super::attention::kept_positions(trace, self.hide_specials);
                // Each layer's norms once, not once per token.
                let norms: Vec<Vec<f32>> = states.iter().map(|h| row_norms(*h)).collect();
                let series: Vec<Series> = keep
                    .iter()
                    .take(12)
                    .enumerate()
                    .map(|(k, &t)| Series {
                        name: labels[t].clone(),
                        points: norms
                            .iter()
                            .enumerate()
                            .map(|(l, n)| (l as f64, n[t] as f64))
                            .collect(),
                        kind: SeriesKind::Line,
                        color: PALETTE[k % PALETTE.len()],
                    })
                    .collect();
                if keep.len() > 12 {
                    ui.label(RichText::new("Showing the first 12 tokens.").weak());
                }
                let spec = ChartSpec {
                    title: "Length of each token's vector".to_owned(),
                    x_label: "after layer (0 = embeddings)".to_owned(),
                    y_label: "‖hidden state‖".to_owned(),
                    log_y: false,
                    series,
                };
                let w = ui.available_width().clamp(320.0, 760.0);
                let r = self.chart.show(ui, &spec, vec2(w, 280.0));
                chart_menu(&r, &spec);
            }
            Mode::Trajectories => self.trajectories(ui, trace, &labels),
        }
    }

    fn trajectories(&mut self, ui: &mut egui::Ui, trace: &Arc<Trace>, labels: &[String]) {
        let key = (ArcKey::of(trace), self.hide_specials);
        if self.projection.as_ref().is_none_or(|p| p.key != key) {
            let tokens = super::attention::kept_positions(trace, self.hide_specials);
            let states = trace.hidden_states();
            let dim = states.first().map_or(0, |h| h.ncols());
            // ((layers + 1) · kept tokens × hidden), layer-major.
            let mut data = Vec::with_capacity(states.len() * tokens.len() * dim);
            for h in &states {
                for &t in &tokens {
                    data.extend(h.row(t).iter().copied());
                }
            }
            let pca = pca_2d(&data, states.len() * tokens.len(), dim, None);
            self.projection = Some(Projection {
                key,
                tokens,
                pca,
                layers: states.len(),
            });
        }
        let Some(p) = &self.projection else { return };
        let k = p.tokens.len();
        ui.label(format!(
            "Each line is one token, from its embedding (small dot) to its final hidden state (large dot), projected on the two directions of greatest variance ({:.0} % and {:.0} % of it). A word that occurs twice starts at nearly the same point and ends wherever its context takes it.",
            p.pca.explained[0] * 100.0,
            p.pca.explained[1] * 100.0
        ));
        if k == 0 {
            return;
        }
        let size = vec2(ui.available_width().min(760.0), 420.0);
        let (rect, resp) = ui.allocate_exact_size(size, Sense::hover());
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 4.0, ui.visuals().extreme_bg_color);
        let (mut lo, mut hi) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
        for q in &p.pca.points {
            for a in 0..2 {
                lo[a] = lo[a].min(q[a]);
                hi[a] = hi[a].max(q[a]);
            }
        }
        let inner = rect.shrink(30.0);
        let to_screen = |q: [f32; 2]| {
            let fx = (q[0] - lo[0]) / (hi[0] - lo[0]).max(1e-6);
            let fy = (q[1] - lo[1]) / (hi[1] - lo[1]).max(1e-6);
            pos2(
                inner.left() + fx * inner.width(),
                inner.bottom() - fy * inner.height(),
            )
        };
        // Words occurring more than once get a strong colour, the rest a grey.
        let repeated = |t: usize| {
            let w = &trace.tokens[t];
            p.tokens.iter().filter(|&&u| &trace.tokens[u] == w).count() > 1
        };
        // One colour per repeated word, so both "bank"s share it.
        let mut words: Vec<&str> = Vec::new();
        for &t in &p.tokens {
            if repeated(t) && !words.contains(&trace.tokens[t].as_str()) {
                words.push(&trace.tokens[t]);
            }
        }
        let mut hovered: Option<(f32, usize)> = None;
        for (j, &t) in p.tokens.iter().enumerate() {
            let color = if repeated(t) {
                let w = words
                    .iter()
                    .position(|w| *w == trace.tokens[t])
                    .unwrap_or(0);
                let c = PALETTE[w % PALETTE.len()];
                Color32::from_rgb(c[0], c[1], c[2])
            } else {
                ui.visuals().weak_text_color()
            };
            let pts: Vec<egui::Pos2> = (0..p.layers)
                .map(|l| to_screen(p.pca.points[l * k + j]))
                .collect();
            painter.add(egui::Shape::line(
                pts.clone(),
                Stroke::new(if repeated(t) { 2.5 } else { 1.0 }, color),
            ));
            for (l, q) in pts.iter().enumerate() {
                let r = if l + 1 == p.layers { 5.0 } else { 2.0 };
                painter.circle_filled(*q, r, color);
                if let Some(pos) = resp.hover_pos() {
                    let d = pos.distance(*q);
                    if d < 12.0 && hovered.is_none_or(|(bd, _)| d < bd) {
                        hovered = Some((d, l * k + j));
                    }
                }
            }
            if let Some(end) = pts.last() {
                painter.text(
                    *end + vec2(6.0, -6.0),
                    egui::Align2::LEFT_BOTTOM,
                    &labels[t],
                    egui::FontId::proportional(12.0),
                    color,
                );
            }
        }
        if let Some((_, idx)) = hovered {
            let (l, j) = (idx / k, idx % k);
            resp.on_hover_text(format!(
                "{} after layer {l}{}",
                labels[p.tokens[j]],
                if l == 0 { " (embeddings)" } else { "" }
            ));
        }
    }
}
