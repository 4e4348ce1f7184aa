//! Step 8: sizes and variants. A parameter calculator over a BERT config (with
//! ALBERT's two knobs: a factorised embedding and one layer shared by all), presets
//! for BERT-Base, BERT-Large, DistilBERT and the built-in model, and what RoBERTa,
//! DistilBERT and ALBERT changed.

use crate::model::bert::config::BertConfig;

/// The knobs of the calculator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub vocab: u64,
    pub hidden: u64,
    pub layers: u64,
    pub heads: u64,
    pub intermediate: u64,
    pub positions: u64,
    pub segments: u64,
    /// ALBERT: embeddings of this width, projected up to `hidden` (`None`: BERT's).
    pub embedding: Option<u64>,
    /// ALBERT: every layer uses the same weights.
    pub shared_layers: bool,
}

impl Shape {
    pub const BASE: Shape = Shape {
        vocab: 30_522,
        hidden: 768,
        layers: 12,
        heads: 12,
        intermediate: 3072,
        positions: 512,
        segments: 2,
        embedding: None,
        shared_layers: false,
    };
    pub const LARGE: Shape = Shape {
        hidden: 1024,
        layers: 24,
        heads: 16,
        intermediate: 4096,
        ..Shape::BASE
    };
    pub const DISTIL: Shape = Shape {
        layers: 6,
        ..Shape::BASE
    };
    pub const ALBERT_BASE: Shape = Shape {
        vocab: 30_000,
        embedding: Some(128),
        shared_layers: true,
        ..Shape::BASE
    };

    pub fn of(config: &BertConfig) -> Shape {
        Shape {
            vocab: config.vocab_size as u64,
            hidden: config.hidden_size as u64,
            layers: config.num_hidden_layers as u64,
            heads: config.num_attention_heads as u64,
            intermediate: config.intermediate_size as u64,
            positions: config.max_position_embeddings as u64,
            segments: config.type_vocab_size as u64,
            embedding: None,
            shared_layers: false,
        }
    }
}

/// Parameters by part (the encoder with its pooler, as `BertModel` counts them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub embeddings: u64,
    /// Q, K, V and output projections with biases, of all layers.
    pub attention: u64,
    pub feed_forward: u64,
    pub layer_norms: u64,
    pub pooler: u64,
}

impl Count {
    pub fn total(&self) -> u64 {
        self.embeddings + self.attention + self.feed_forward + self.layer_norms + self.pooler
    }
}

/// Counts every weight and bias.
pub fn count(s: &Shape) -> Count {
    let h = s.hidden;
    let e = s.embedding.unwrap_or(h);
    let projection = if e == h { 0 } else { e * h + h };
    let distinct_layers = if s.shared_layers { 1 } else { s.layers };
    Count {
        embeddings: (s.vocab + s.positions + s.segments) * e + projection,
        attention: distinct_layers * 4 * (h * h + h),
        feed_forward: distinct_layers * (2 * h * s.intermediate + s.intermediate + h),
        // One after the embeddings, two per layer; γ and β each.
        layer_norms: 2 * e + distinct_layers * 4 * h,
        pooler: h * h + h,
    }
}

/// "110.1 M", "1.9 M", "12,345".
pub fn short(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} M", n as f64 / 1e6)
    } else if n >= 10_000 {
        format!("{:.0} k", n as f64 / 1e3)
    } else {
        n.to_string()
    }
}

pub struct State {
    pub shape: Shape,
}

impl Default for State {
    fn default() -> Self {
        Self { shape: Shape::BASE }
    }
}

pub fn show(ui: &mut egui::Ui, state: &mut State, ours: Option<&BertConfig>) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Presets:");
        let mut preset = |ui: &mut egui::Ui, name: &str, shape: Shape, tip: &str| {
            if ui
                .selectable_label(state.shape == shape, name)
                .on_hover_text(tip)
                .clicked()
            {
                state.shape = shape;
            }
        };
        preset(
            ui,
            "BERT-Base",
            Shape::BASE,
            "12 layers, hidden 768, 12 heads, FFN 3,072",
        );
        preset(
            ui,
            "BERT-Large",
            Shape::LARGE,
            "24 layers, hidden 1,024, 16 heads, FFN 4,096",
        );
        preset(
            ui,
            "DistilBERT",
            Shape::DISTIL,
            "BERT-Base with half the layers",
        );
        preset(
            ui,
            "ALBERT-Base",
            Shape::ALBERT_BASE,
            "128-wide embeddings, one layer shared 12 times",
        );
        if let Some(c) = ours {
            preset(
                ui,
                "built-in model",
                Shape::of(c),
                "the model this app ships",
            );
        }
    });
    let s = &mut state.shape;
    egui::Grid::new("bert-size-knobs")
        .num_columns(4)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            let knob = |ui: &mut egui::Ui, name: &str, v: &mut u64, max: u64, tip: &str| {
                let label = ui.label(name).on_hover_text(tip);
                ui.add(egui::DragValue::new(v).range(1..=max).speed(1.0))
                    .labelled_by(label.id);
            };
            knob(ui, "layers", &mut s.layers, 96, "encoder layers stacked");
            knob(ui, "hidden", &mut s.hidden, 8192, "width of every token's vector");
            ui.end_row();
            knob(ui, "heads", &mut s.heads, 128, "attention heads per layer (they split the hidden width; no parameters of their own)");
            knob(ui, "FFN width", &mut s.intermediate, 32768, "the feed-forward block's inner width, usually 4 × hidden");
            ui.end_row();
            knob(ui, "vocabulary", &mut s.vocab, 1_000_000, "rows of the word-piece embedding table");
            knob(ui, "positions", &mut s.positions, 8192, "rows of the position table: the longest input");
            ui.end_row();
            let mut factorised = s.embedding.is_some();
            let check = ui
                .checkbox(&mut factorised, "factorised embedding")
                .on_hover_text("ALBERT: embeddings of width E, then one E × hidden projection");
            if factorised {
                let mut e = s.embedding.unwrap_or(128);
                ui.add(egui::DragValue::new(&mut e).range(1..=8192).prefix("E = "))
                    .labelled_by(check.id);
                s.embedding = Some(e);
            } else {
                s.embedding = None;
                ui.label("");
            }
            ui.checkbox(&mut s.shared_layers, "share one layer")
                .on_hover_text("ALBERT: every layer reuses the same weights");
            ui.end_row();
        });
    if !s.hidden.is_multiple_of(s.heads) {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "{} heads do not divide hidden {}: each head needs an equal slice.",
                s.heads, s.hidden
            ),
        );
    }
    let c = count(s);
    let total = c.total().max(1);
    ui.separator();
    ui.strong(format!(
        "{} parameters ({} )",
        short(c.total()),
        super::group_digits(c.total())
    ));
    let width = (ui.available_width() - 200.0).clamp(120.0, 320.0);
    egui::Grid::new("bert-size-parts")
        .num_columns(3)
        .spacing([8.0, 3.0])
        .show(ui, |ui| {
            for (name, n, tip) in [
                (
                    "embeddings",
                    c.embeddings,
                    "(vocabulary + positions + segments) × width",
                ),
                (
                    "attention",
                    c.attention,
                    "4 projections (Q, K, V, output) of hidden × hidden, per layer",
                ),
                (
                    "feed-forward",
                    c.feed_forward,
                    "hidden → FFN width → hidden, per layer",
                ),
                (
                    "LayerNorms",
                    c.layer_norms,
                    "a scale and a shift per width, 2 per layer + 1",
                ),
                (
                    "pooler",
                    c.pooler,
                    "hidden × hidden on [CLS], for NSP and classifiers",
                ),
            ] {
                ui.label(name).on_hover_text(tip);
                let share = n as f32 / total as f32;
                crate::widgets::bar::value_bar(
                    ui,
                    share,
                    egui::vec2(width, 12.0),
                    egui::Color32::from_rgb(31, 119, 180),
                    None,
                    format!(
                        "{} parameters, {:.1} % of the total",
                        super::group_digits(n),
                        100.0 * share
                    ),
                );
                ui.label(format!("{} ({:.0} %)", short(n), 100.0 * share));
                ui.end_row();
            }
        });
    ui.small("Bars: share of all parameters. The MLM and NSP heads add little more: the MLM decoder reuses the word-piece table.");
    ui.separator();
    ui.strong("What the variants changed");
    for (name, what, knob) in [
        (
            "RoBERTa (2019)",
            "no NSP; a new mask every time a sentence is seen (dynamic masking); 10× the data, bigger batches, longer training.",
            "In this app: step 4's Re-roll is dynamic masking; step 5 is the task it dropped.",
        ),
        (
            "DistilBERT (2019)",
            "6 layers trained to imitate BERT-Base's outputs (distillation): 40 % smaller, 60 % faster, 97 % of its scores.",
            "In this app: the DistilBERT preset (layers 12 → 6).",
        ),
        (
            "ALBERT (2019)",
            "128-wide embeddings projected up, one layer's weights shared by all 12, sentence-order prediction instead of NSP.",
            "In this app: the factorised-embedding and share-one-layer boxes above.",
        ),
    ] {
        ui.horizontal_wrapped(|ui| {
            ui.strong(name);
            ui.label(what);
            ui.weak(knob);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_match_the_published_sizes() {
        // bert-base-uncased's BertModel has 109,482,240 parameters; Large ~335 M.
        assert_eq!(count(&Shape::BASE).total(), 109_482_240);
        let large = count(&Shape::LARGE).total();
        assert!((334_000_000..336_000_000).contains(&large), "{large}");
        // DistilBERT ~66 M; ALBERT-Base ~12 M.
        let distil = count(&Shape::DISTIL).total();
        assert!((66_000_000..67_500_000).contains(&distil), "{distil}");
        let albert = count(&Shape::ALBERT_BASE).total();
        assert!((11_000_000..12_500_000).contains(&albert), "{albert}");
    }
}
