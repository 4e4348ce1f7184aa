//! The panel's main picture: the tensor the current stage of the pass computes, read
//! from the trace, drawn compactly (a click opens the same stage in the playground).

use ndarray::{ArrayView2, Axis, s};

use super::pass::{Part, PassStage};
use crate::lessons::playground::{dim_labels, token_labels};
use crate::model::bert::trace::Trace;
use crate::widgets::heatmap::HeatmapResponse;
use crate::widgets::{Heatmap, Scale};

/// Columns of a `(tokens × d)` matrix the panel draws: enough to see a pattern.
pub const PANEL_DIMS: usize = 24;
/// The panel's largest cell, so a short sentence does not fill the screen.
const MAX_CELL: f32 = 22.0;

/// What the stage heatmap shows: a title, the matrix, its labels and colour scale.
pub struct StageMatrix {
    pub title: String,
    /// `(rows × cols)`, row-major.
    pub values: Vec<f32>,
    pub rows: usize,
    pub cols: usize,
    pub col_labels: Vec<String>,
    pub scale: Scale,
    pub unit: &'static str,
    /// The tensor's full width when only its first columns are drawn.
    pub full_cols: usize,
}

/// The first [`PANEL_DIMS`] columns of a `(tokens × d)` matrix.
fn wide(title: String, a: ArrayView2<f32>, unit: &'static str) -> StageMatrix {
    let d = a.ncols().min(PANEL_DIMS);
    let values: Vec<f32> = a.slice(s![.., ..d]).iter().copied().collect();
    StageMatrix {
        title,
        scale: Scale::diverging_for(&values),
        values,
        rows: a.nrows(),
        cols: d,
        col_labels: dim_labels(d),
        unit,
        full_cols: a.ncols(),
    }
}

/// Head `head` of a `(heads × tokens × x)` tensor.
fn head_of(a: &ndarray::Array3<f32>, head: usize) -> ArrayView2<'_, f32> {
    a.index_axis(Axis(0), head.min(a.dim().0.saturating_sub(1)))
}

/// The matrix of `stage` (attention stages for `head`), or `None` at the predictions
/// stage and in a layer the ablation switched off.
pub fn stage_matrix(
    trace: &Trace,
    stage: PassStage,
    head: usize,
    positions: bool,
) -> Option<StageMatrix> {
    let labels = token_labels(trace);
    match stage {
        PassStage::Embeddings if positions => Some(wide(
            "position vectors added to each token".to_owned(),
            trace.embeddings.position.view(),
            "value",
        )),
        PassStage::Embeddings => Some(wide(
            "input vectors (token + position + segment, normalised)".to_owned(),
            trace.embeddings.normed.view(),
            "value",
        )),
        PassStage::Predictions => None,
        PassStage::Layer { layer, part } => {
            let lt = trace.layers.get(layer)?;
            let Some(st) = &lt.steps else {
                return None;
            };
            let at = |t: &str| format!("layer {layer} head {head}: {t}");
            Some(match part {
                Part::Qkv => wide(at("queries Q"), head_of(&st.q, head), "value"),
                Part::Scores => {
                    let m = head_of(&st.scores, head);
                    let values: Vec<f32> = m.iter().copied().collect();
                    StageMatrix {
                        title: at("scores QKᵀ/√d (query row, key column)"),
                        scale: Scale::diverging_for(&values),
                        values,
                        rows: m.nrows(),
                        cols: m.ncols(),
                        col_labels: labels,
                        unit: "score",
                        full_cols: m.ncols(),
                    }
                }
                Part::Weights => {
                    let m = head_of(&st.weights, head);
                    StageMatrix {
                        title: at("attention weights (each row sums to 1)"),
                        values: m.iter().copied().collect(),
                        rows: m.nrows(),
                        cols: m.ncols(),
                        col_labels: labels,
                        scale: Scale::Probability,
                        unit: "attention weight",
                        full_cols: m.ncols(),
                    }
                }
                Part::Context => wide(
                    at("weighted sum of the values"),
                    head_of(&st.context, head),
                    "value",
                ),
                Part::Ffn => wide(
                    format!("layer {layer}: FFN after GELU"),
                    st.ffn_intermediate.view(),
                    "activation",
                ),
                Part::Output => wide(
                    format!("layer {layer}: output, the hidden state"),
                    lt.output.view(),
                    "value",
                ),
            })
        }
    }
}

/// Draws `m` with the trace's tokens naming the rows.
pub fn show_matrix(ui: &mut egui::Ui, trace: &Trace, m: &StageMatrix) -> HeatmapResponse {
    ui.label(egui::RichText::new(&m.title).strong());
    if m.full_cols > m.cols {
        ui.label(
            egui::RichText::new(format!("first {} of {} columns", m.cols, m.full_cols))
                .weak()
                .small(),
        );
    }
    let rows = token_labels(trace);
    Heatmap::new(&m.title, &m.values, m.rows, m.cols)
        .labels(&rows, &m.col_labels)
        .scale(m.scale)
        .unit(m.unit)
        .max_cell(MAX_CELL)
        .clickable(true)
        .pin_rows(true)
        .token_window(egui::Id::unique("panel-token-window"))
        .show(ui)
}
