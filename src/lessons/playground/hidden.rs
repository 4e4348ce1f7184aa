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
    cosine_chart: ChartView,
}

/// Cosine similarity of rows `a` and `b` of `h` (0 when either is all zeros).
pub fn row_cosine(h: &ndarray::ArrayView2<f32>, a: usize, b: usize) -> f32 {
    let (x, y) = (h.row(a), h.row(b));
    let d = x.dot(&x).sqrt() * y.dot(&y).sqrt();
    if d > 0.0 { x.dot(&y) / d } else { 0.0 }
}

/// Each word (token) that occurs more than once, with the positions of its first two
/// occurrences; special tokens and punctuation-only pieces are left out.
pub fn repeated_pairs(trace: &Trace) -> Vec<(String, usize, usize)> {
    let mut out: Vec<(String, usize, usize)> = Vec::new();
    for (a, w) in trace.tokens.iter().enumerate() {
        let word_like = w.chars().any(char::is_alphanumeric) && !w.starts_with('[');
        if !word_like || out.iter().any(|(x, ..)| x == w) {
            continue;
        }
        if let Some(b) = (a + 1..trace.tokens.len()).find(|&b| &trace.tokens[b] == w) {
            out.push((w.clone(), a, b));
        }
    }
    out
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
            Mode::Trajectories => {
                self.trajectories(ui, trace, &labels);
                ui.add_space(8.0);
                self.repeated_words(ui, trace);
            }
        }
    }

    /// The measure behind the picture: for each word that occurs twice, the cosine
    /// similarity of its two hidden states after every layer, in all dimensions.
    fn repeated_words(&mut self, ui: &mut egui::Ui, trace: &Arc<Trace>) {
        let pairs = repeated_pairs(trace);
        if pairs.is_empty() {
            ui.label("No word occurs twice in your input: put one word in both sentences (as \"bank\" in the default pair) to compare its two vectors layer by layer.");
            return;
        }
        let states = trace.hidden_states();
        let series: Vec<Series> = pairs
            .iter()
            .take(PALETTE.len())
            .enumerate()
            .map(|(k, (word, a, b))| Series {
                name: format!("'{word}' ({a} and {b})"),
                points: states
                    .iter()
                    .enumerate()
                    .map(|(l, h)| (l as f64, f64::from(row_cosine(h, *a, *b))))
                    .collect(),
                kind: SeriesKind::Line,
                color: PALETTE[k],
            })
            .collect();
        ui.label(format!(
            "The picture above keeps only two directions of {}, so two points can look close while the vectors are not. The chart measures in all of them: the cosine similarity of the two occurrences of each repeated word after every layer (1 = pointing the same way). A model that tells the two senses apart lowers it.",
            states.first().map_or(0, |h| h.ncols())
        ));
        let spec = ChartSpec {
            title: "How alike a repeated word's two vectors are".to_owned(),
            x_label: "after layer (0 = embeddings)".to_owned(),
            y_label: "cosine similarity".to_owned(),
            log_y: false,
            series,
        };
        let w = ui.available_width().clamp(320.0, 760.0);
        let r = self.cosine_chart.show(ui, &spec, vec2(w, 240.0));
        chart_menu(&r, &spec);
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
            "Each line is one token, from its embedding (small dot) to its final hidden state (large dot), projected on the two directions of greatest variance ({:.0} % and {:.0} % of it). A word that occurs twice starts from the same token embedding (only its position and segment differ) and ends wherever its context takes it.",
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
        // End labels never cover each other.
        let mut placer = crate::widgets::label_placer::LabelPlacer::new(rect);
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
                placer.place(
                    &painter,
                    *end,
                    6.0,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bert::pretrained::PretrainedBert;

    #[test]
    fn the_two_banks_are_found_and_their_cosine_is_the_plain_formula() {
        let bert = PretrainedBert::builtin().expect("model");
        let input = bert.fit(bert.model.encode(
            "I withdrew money from the bank.",
            Some("We sat on the bank and started fishing."),
        ));
        let trace = bert.run(&input, 0).expect("forward");
        let pairs = repeated_pairs(&trace);
        let (_, a, b) = pairs
            .iter()
            .find(|(w, ..)| w == "bank")
            .cloned()
            .expect("bank twice");
        assert_eq!(trace.tokens[a], trace.tokens[b]);
        assert!(pairs.iter().all(|(w, ..)| !w.starts_with('[')));
        for h in trace.hidden_states() {
            let (x, y) = (h.row(a).to_vec(), h.row(b).to_vec());
            let dot: f32 = x.iter().zip(&y).map(|(p, q)| p * q).sum();
            let nx: f32 = x.iter().map(|p| p * p).sum::<f32>().sqrt();
            let ny: f32 = y.iter().map(|p| p * p).sum::<f32>().sqrt();
            assert!((row_cosine(&h, a, b) - dot / (nx * ny)).abs() < 1e-5);
        }
        let alone = bert.run(&bert.fit(bert.model.encode("one two three", None)), 0);
        assert!(repeated_pairs(&alone.expect("forward")).is_empty());
    }
}
