//! Step "scaling": why the scores are divided by √d_k. Random queries and keys
//! (N(0, 1) entries, seeded) for the learner's tokens at a chosen width d_k; the
//! weights with and without the division side by side; and the mean row entropy
//! against d_k, which falls to zero without the scaling.

use crate::model::scaling::{EntropyRow, entropy_by_width, random_qk, row_entropy, weights};
use crate::widgets::Heatmap;
use crate::widgets::chart::{ChartSpec, ChartView, PALETTE, Series, SeriesKind};
use crate::widgets::colormap::Scale;

/// Tokens drawn in the weight grids.
const MAX_TOKENS: usize = 12;

pub struct State {
    /// log₂ of d_k.
    pub width_power: u32,
    pub seed: u64,
    chart: ChartView,
    /// The entropy table, per token count.
    table: Option<(usize, Vec<EntropyRow>)>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            width_power: 6,
            seed: 1,
            chart: ChartView::default(),
            table: None,
        }
    }
}

pub fn show(ui: &mut egui::Ui, state: &mut State, sentence: &str) {
    let tokens: Vec<String> = crate::model::text::split_words(sentence)
        .into_iter()
        .map(|p| p.text)
        .take(MAX_TOKENS)
        .collect();
    let n = tokens.len().max(1);
    let d_k = 1usize << state.width_power;
    ui.horizontal(|ui| {
        let l = ui.label("d_k");
        ui.add(
            egui::Slider::new(&mut state.width_power, 1..=9)
                .custom_formatter(|v, _| format!("{}", 1u32 << (v as u32))),
        )
        .labelled_by(l.id);
        if ui
            .button("🎲 New Q and K")
            .on_hover_text("Draw other random queries and keys")
            .clicked()
        {
            state.seed += 1;
        }
    });
    let (q, k) = random_qk(n, d_k, state.seed);
    let raw = weights(&q, &k, false);
    let scaled = weights(&q, &k, true);
    ui.label(format!(
        "Q and K: {n} × {d_k}, every entry drawn from N(0, 1), so each raw score QKᵀ has variance {d_k} (standard deviation {:.1}).",
        (d_k as f64).sqrt()
    ));
    ui.columns(2, |cols| {
        for (col, (title, w)) in cols.iter_mut().zip([
            ("softmax(QKᵀ): no scaling", &raw),
            ("softmax(QKᵀ / √d_k)", &scaled),
        ]) {
            col.label(format!("{title}: {:.2} bits per row", row_entropy(w)));
            let values: Vec<f32> = w.iter().copied().collect();
            Heatmap::new(title, &values, n, n)
                .labels(&tokens, &tokens)
                .scale(Scale::Probability)
                .max_cell(24.0)
                .show_values(n <= 8)
                .unit("weight")
                .show(col);
        }
    });
    if state.table.as_ref().map(|t| t.0) != Some(n) {
        state.table = Some((n, entropy_by_width(n, 20)));
    }
    if let Some((_, table)) = &state.table {
        let series = |name: &str, pick: fn(&EntropyRow) -> f64, color| Series {
            name: name.to_owned(),
            points: table
                .iter()
                .map(|r| ((r.0 as f64).log2(), pick(r)))
                .collect(),
            kind: SeriesKind::Line,
            color,
        };
        let spec = ChartSpec {
            title: format!("Row entropy against d_k ({n} tokens, 20 draws)"),
            x_label: "log₂ d_k (1 = 2 … 9 = 512)".to_owned(),
            y_label: "row entropy (bits)".to_owned(),
            log_y: false,
            series: vec![
                series("no scaling", |r| r.1, PALETTE[1]),
                series("÷ √d_k", |r| r.2, PALETTE[0]),
                Series {
                    name: format!("uniform (log₂ {n})"),
                    points: vec![(1.0, (n as f64).log2()), (9.0, (n as f64).log2())],
                    kind: SeriesKind::Line,
                    color: [128, 128, 128],
                },
            ],
        };
        state.chart.show(
            ui,
            &spec,
            egui::vec2(ui.available_width().max(320.0), 190.0),
        );
    }
}
