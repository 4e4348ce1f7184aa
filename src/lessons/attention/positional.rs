//! Step "positional-encoding": why order must be added (attention without positions
//! on two orderings of the same words), the sinusoid with a calculator, a heatmap
//! and a few dimensions as waves, how alike two positions are by distance, and the
//! built-in model's learned positions beside it.

use std::sync::Arc;

use ndarray::{Array2, s};

use crate::model::bert::pretrained::PretrainedBert;
use crate::model::positional::{dot_with_first, permutation_test, sinusoid};
use crate::widgets::Heatmap;
use crate::widgets::chart::{ChartSpec, ChartView, PALETTE, Series, SeriesKind};
use crate::widgets::colormap::Scale;

/// Width of the toy word vectors in the permutation test.
pub const TOY_D: usize = 16;
/// Positions and width of the heatmap (the course draws d = 400; 128 fits a pane).
pub const MAP_LEN: usize = 100;
pub const MAP_D: usize = 128;

pub struct State {
    pub first: String,
    pub second: String,
    pub d: usize,
    pub len: usize,
    waves: ChartView,
    distance: ChartView,
}

impl Default for State {
    fn default() -> Self {
        Self {
            first: "the cat ate the mouse".to_owned(),
            second: "the mouse ate the cat".to_owned(),
            d: 3,
            len: 5,
            waves: ChartView::default(),
            distance: ChartView::default(),
        }
    }
}

fn words(s: &str) -> Vec<String> {
    crate::model::text::split_words(s)
        .into_iter()
        .map(|p| p.text.to_lowercase())
        .take(40)
        .collect()
}

pub fn show(ui: &mut egui::Ui, state: &mut State, bert: Option<&Arc<PretrainedBert>>) {
    permutation(ui, state);
    ui.separator();
    calculator(ui, state);
    ui.separator();
    let pe = sinusoid(MAP_LEN, MAP_D);
    let values: Vec<f32> = pe.iter().copied().collect();
    ui.strong(format!(
        "The sinusoid for {MAP_LEN} positions (rows) × {MAP_D} dimensions (columns)"
    ));
    Heatmap::new("sinusoidal positional encoding", &values, MAP_LEN, MAP_D)
        .scale(Scale::Diverging { max_abs: 1.0 })
        .max_cell(4.0)
        .unit("PE value (−1 to 1)")
        .show(ui);
    waves(ui, &mut state.waves, &pe);
    distance(ui, &mut state.distance, &pe, bert);
}

fn permutation(ui: &mut egui::Ui, state: &mut State) {
    ui.strong("Same words, another order: what attention without positions sees");
    egui::Grid::new("pe-sentences")
        .num_columns(2)
        .show(ui, |ui| {
            let l = ui.label("first");
            ui.add(egui::TextEdit::singleline(&mut state.first).char_limit(200))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("second");
            ui.add(egui::TextEdit::singleline(&mut state.second).char_limit(200))
                .labelled_by(l.id);
            ui.end_row();
        });
    match permutation_test(&words(&state.first), &words(&state.second), TOY_D) {
        None => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "The second sentence must use exactly the words of the first, in another order.",
            );
        }
        Some(rows) => {
            ui.label(format!(
                "Each word gets a fixed random {TOY_D}-number vector; attention (S = XXᵀ/√d, softmax, Y = WX) runs on both sentences. The table gives the largest change of each word's output between them:"
            ));
            egui::Grid::new("pe-permutation")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    ui.strong("word");
                    ui.strong("without positions");
                    ui.strong("with the sinusoid added");
                    ui.end_row();
                    for (w, plain, with) in rows {
                        ui.monospace(w);
                        ui.label(format!("{plain:.6}"));
                        ui.label(format!("{with:.3}"));
                        ui.end_row();
                    }
                });
            ui.small("0 means identical: without positions every word's output is the same in both orders, so the model cannot tell who ate whom.");
        }
    }
}

fn calculator(ui: &mut egui::Ui, state: &mut State) {
    ui.horizontal(|ui| {
        ui.strong("Calculator:");
        let l = ui.label("d");
        ui.add(egui::Slider::new(&mut state.d, 1..=16))
            .labelled_by(l.id);
        let l = ui.label("positions");
        ui.add(egui::Slider::new(&mut state.len, 1..=20))
            .labelled_by(l.id);
    });
    let pe = sinusoid(state.len, state.d);
    egui::ScrollArea::horizontal()
        .id_salt("pe-calculator")
        .show(ui, |ui| {
            egui::Grid::new("pe-table").striped(true).show(ui, |ui| {
                ui.label("pos");
                for j in 0..state.d {
                    let kind = if j % 2 == 0 { "sin" } else { "cos" };
                    ui.label(format!("{kind} {j}")).on_hover_text(format!(
                        "PE(pos, {j}) = {kind}(pos / 10000^({}/{}))",
                        j - j % 2,
                        state.d
                    ));
                }
                ui.end_row();
                for (pos, row) in pe.rows().into_iter().enumerate() {
                    ui.monospace(pos.to_string());
                    for v in row {
                        ui.monospace(format!("{v:+.2}"));
                    }
                    ui.end_row();
                }
            });
        });
}

fn waves(ui: &mut egui::Ui, view: &mut ChartView, pe: &Array2<f32>) {
    let dims = [6usize, 16, 30, 60];
    let series = dims
        .iter()
        .zip(PALETTE)
        .map(|(&j, color)| Series {
            name: format!("dimension {j}"),
            points: pe
                .column(j)
                .iter()
                .enumerate()
                .map(|(p, &v)| (p as f64, f64::from(v)))
                .collect(),
            kind: SeriesKind::Line,
            color,
        })
        .collect();
    let spec = ChartSpec {
        title: "Four dimensions as waves".to_owned(),
        x_label: "position (low dimensions turn fast, high ones slowly)".to_owned(),
        y_label: "PE value".to_owned(),
        log_y: false,
        series,
    };
    view.show(
        ui,
        &spec,
        egui::vec2(ui.available_width().max(320.0), 180.0),
    );
}

fn distance(
    ui: &mut egui::Ui,
    view: &mut ChartView,
    pe: &Array2<f32>,
    bert: Option<&Arc<PretrainedBert>>,
) {
    let norm = |v: Vec<f32>| -> Vec<(f64, f64)> {
        let first = v.first().copied().unwrap_or(1.0).max(f32::MIN_POSITIVE);
        v.iter()
            .enumerate()
            .map(|(k, &x)| (k as f64, f64::from(x / first)))
            .collect()
    };
    let mut series = vec![Series {
        name: "sinusoid".to_owned(),
        points: norm(dot_with_first(pe)),
        kind: SeriesKind::Line,
        color: PALETTE[0],
    }];
    if let Some(b) = bert {
        let table = &b.model.weights.embeddings.position;
        let rows = table.nrows().min(MAP_LEN);
        series.push(Series {
            name: "learned (built-in)".to_owned(),
            points: norm(dot_with_first(&table.slice(s![..rows, ..]).to_owned())),
            kind: SeriesKind::Line,
            color: PALETTE[1],
        });
    }
    let spec = ChartSpec {
        title: "Position 0 against position k".to_owned(),
        x_label: "distance k (positions)".to_owned(),
        y_label: "PE(0)·PE(k) / PE(0)·PE(0)".to_owned(),
        log_y: false,
        series,
    };
    view.show(
        ui,
        &spec,
        egui::vec2(ui.available_width().max(320.0), 180.0),
    );
    if bert.is_none() {
        ui.weak("The built-in model's learned positions appear once it has loaded.");
    }
}
