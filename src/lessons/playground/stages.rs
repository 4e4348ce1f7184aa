//! The stages of the forward pass, one view each, every tensor read from the trace:
//! tokens and ids, the three embeddings and their sum, then for the selected layer
//! and head: Q/K/V, raw scores, softmax weights, the weighted sum of values with the
//! output projection and Add & Norm, and the feed-forward network.

use egui::RichText;
use ndarray::{Array3, ArrayView2, Axis, s};

use super::view::Stage;
use super::{Playground, dim_labels, matrix, matrix_body, token_labels};
use crate::model::bert::trace::Trace;
use crate::widgets::{Scale, TokenChip, token_strip};

/// Columns of a wide `(tokens × d)` matrix drawn at most; more would be sub-pixel.
pub const MAX_DIMS: usize = 64;

/// The first `MAX_DIMS` columns of a `(tokens × d)` matrix, row-major.
fn first_dims(a: ArrayView2<f32>) -> (Vec<f32>, usize) {
    let d = a.ncols().min(MAX_DIMS);
    (a.slice(s![.., ..d]).iter().copied().collect(), d)
}

/// One head of a `(heads × tokens × x)` tensor as a row-major `(tokens × x)` matrix.
fn head_of(a: &Array3<f32>, head: usize) -> (Vec<f32>, usize, usize) {
    let h = head.min(a.dim().0.saturating_sub(1));
    let m = a.index_axis(Axis(0), h);
    (m.iter().copied().collect(), m.nrows(), m.ncols())
}

/// A `(tokens × d)` matrix under a title with its real shape, its first [`MAX_DIMS`]
/// columns drawn.
pub fn wide(ui: &mut egui::Ui, title: &str, a: ArrayView2<f32>, labels: &[String], unit: &str) {
    let (values, d) = first_dims(a);
    let cols = dim_labels(d);
    // The title gives the tensor's real shape; only the first columns are drawn.
    ui.label(
        RichText::new(format!(
            "{title} {}",
            crate::lessons::shared_views::shape(a.nrows(), a.ncols())
        ))
        .strong(),
    );
    matrix_body(
        ui,
        title,
        &values,
        a.nrows(),
        d,
        labels,
        &cols,
        Scale::diverging_for(&values),
        unit,
    );
    ui.add_space(4.0);
}

/// Said once above wide matrices: how many of their columns are drawn.
pub fn dims_note(ui: &mut egui::Ui, cols: usize) {
    if cols > MAX_DIMS {
        ui.label(
            RichText::new(format!(
                "Wide matrices show their first {MAX_DIMS} of {cols} columns; right-click one to export the drawn part."
            ))
            .weak(),
        );
    }
}

/// Tokens, ids and segments.
pub fn tokens(ui: &mut egui::Ui, trace: &Trace) {
    ui.label(RichText::new(format!("Your input as {} tokens", trace.len())).strong());
    let chips: Vec<TokenChip> = (0..trace.len())
        .map(|i| {
            TokenChip::new(trace.tokens[i].clone(), Some(trace.ids[i])).with_detail(format!(
                "position {i}, segment {}",
                if trace.type_ids[i] == 0 { "A" } else { "B" }
            ))
        })
        .collect();
    token_strip(ui, &chips, false);
    // One row per token, so any length fits the pane's width.
    egui::Grid::new("token-ids").striped(true).show(ui, |ui| {
        for h in ["position", "token", "id", "segment"] {
            ui.strong(h);
        }
        ui.end_row();
        for i in 0..trace.len() {
            ui.label(i.to_string());
            ui.monospace(&trace.tokens[i]);
            ui.label(trace.ids[i].to_string());
            ui.label(if trace.type_ids[i] == 0 { "A" } else { "B" });
            ui.end_row();
        }
    });
}

/// Token, position and segment embeddings, their sum and its LayerNorm.
pub fn embeddings(ui: &mut egui::Ui, trace: &Trace) {
    let labels = token_labels(trace);
    let e = &trace.embeddings;
    ui.label("Each token's vector is the sum of three looked-up rows: one for the token id, one for its position, one for its segment (sentence A or B).");
    // Stacked, not side by side: each needs the pane's width to stay readable.
    dims_note(ui, e.token.ncols());
    for (title, t) in [
        ("token embeddings", &e.token),
        ("position embeddings", &e.position),
        ("segment embeddings", &e.segment),
        ("sum of the three", &e.sum),
        ("after LayerNorm: the input of layer 0", &e.normed),
    ] {
        wide(ui, title, t.view(), &labels, "value");
    }
}

/// Q/K/V, scores, weights, context or FFN of the selected layer and head.
pub fn layer_stage(ui: &mut egui::Ui, st: &mut Playground, trace: &Trace, stage: Stage) {
    let with_head = stage != Stage::Ffn;
    st.layer_head_picker(ui, with_head);
    let (layer, head) = (st.layer, st.head);
    let Some(lt) = trace.layers.get(layer) else {
        return;
    };
    let Some(steps) = &lt.steps else {
        ui.label(format!(
            "Layer {layer} is switched off by the ablation step: its output equals its input."
        ));
        return;
    };
    let labels = token_labels(trace);
    let n = trace.len();
    match stage {
        Stage::Qkv => {
            ui.label(format!("Layer {layer}, head {head}: each token's vector is multiplied by three learned matrices. A query asks \"what am I looking for?\", a key says \"what do I offer?\", a value is what gets passed on."));
            for (title, t) in [
                ("queries Q", &steps.q),
                ("keys K", &steps.k),
                ("values V", &steps.v),
            ] {
                let (v, r, c) = head_of(t, head);
                let dims = dim_labels(c);
                matrix(
                    ui,
                    &format!("layer {layer} head {head} {title}"),
                    &v,
                    r,
                    c,
                    &labels,
                    &dims,
                    Scale::diverging_for(&v),
                    "value",
                );
                ui.add_space(4.0);
            }
        }
        Stage::Scores => {
            let (v, r, c) = head_of(&steps.scores, head);
            ui.label(format!("Row = query token, column = key token: the dot product of the query and the key, divided by √{} (the head size) so the numbers stay in a range softmax handles well.", steps.q.dim().2));
            let resp = matrix(
                ui,
                &format!("layer {layer} head {head} raw scores QKᵀ/√d"),
                &v,
                r,
                c,
                &labels,
                &labels,
                Scale::diverging_for(&v),
                "score",
            );
            let hovered = resp.hovered;
            worked_cell(ui, st, trace, steps, head, hovered);
        }
        Stage::Weights => {
            let (v, r, c) = head_of(&steps.weights, head);
            ui.label("Softmax turns each row of scores into weights that are positive and sum to 1: how much each query token takes from each key token.");
            let resp = matrix(
                ui,
                &format!("layer {layer} head {head} attention weights"),
                &v,
                r,
                c,
                &labels,
                &labels,
                Scale::Probability,
                "attention weight",
            );
            if let Some((q, k)) = resp.hovered {
                ui.label(format!(
                    "{} → {}: {:.3}",
                    trace.tokens.get(q).map_or("", String::as_str),
                    trace.tokens.get(k).map_or("", String::as_str),
                    v.get(q * n + k).copied().unwrap_or(f32::NAN)
                ));
            }
            let hovered = resp.hovered;
            worked_cell(ui, st, trace, steps, head, hovered);
        }
        Stage::Context => {
            let (v, r, c) = head_of(&steps.context, head);
            let dims = dim_labels(c);
            if steps.ablated_heads.contains(&head) {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "This head is ablated: its output is zero.",
                );
            }
            ui.label("Each token's new vector is the weighted sum of the value vectors, using its row of attention weights. The heads' results are joined side by side, projected back to the hidden size, added to the layer's input (the residual connection) and normalised.");
            matrix(
                ui,
                &format!("layer {layer} head {head} weighted sum of values"),
                &v,
                r,
                c,
                &labels,
                &dims,
                Scale::diverging_for(&v),
                "value",
            );
            dims_note(ui, steps.attention_output.ncols());
            for (title, t) in [
                (
                    format!("layer {layer} attention output (all heads, projected)"),
                    &steps.attention_output,
                ),
                (format!("layer {layer} Add & Norm"), &steps.attention_norm),
            ] {
                wide(ui, &title, t.view(), &labels, "value");
            }
        }
        Stage::Ffn => {
            ui.label(format!("Layer {layer}: every token alone passes through the same two-layer network: expand to {} dimensions, apply GELU, project back. Then Add & Norm again gives the layer's output, the hidden state.", steps.ffn_intermediate.ncols()));
            dims_note(ui, steps.ffn_intermediate.ncols());
            for (title, t, unit) in [
                (
                    format!("layer {layer} FFN after GELU"),
                    &steps.ffn_intermediate,
                    "activation",
                ),
                (
                    format!("layer {layer} FFN output"),
                    &steps.ffn_output,
                    "value",
                ),
                (
                    format!("layer {layer} output (hidden state)"),
                    &lt.output,
                    "value",
                ),
            ] {
                wide(ui, &title, t.view(), &labels, unit);
            }
        }
    }
}

/// The neuron view under the scores or weights: the cell last hovered, else the pinned
/// (or first word's) query with the key it attends to most.
fn worked_cell(
    ui: &mut egui::Ui,
    st: &mut Playground,
    trace: &Trace,
    steps: &crate::model::bert::trace::LayerSteps,
    head: usize,
    hovered: Option<(usize, usize)>,
) {
    if hovered.is_some() {
        st.neuron = hovered;
    }
    let n = trace.len();
    let pinned = crate::widgets::heatmap::pinned_row(ui.ctx()).filter(|&r| r < n);
    let (q, k) = match (st.neuron, pinned) {
        (Some((q, k)), None) if q < n && k < n => (q, k),
        (Some((q, k)), Some(p)) if q == p && k < n => (q, k),
        _ => {
            let q = pinned.unwrap_or(1.min(n.saturating_sub(1)));
            let k = super::neuron::strongest_key(steps, head, q).unwrap_or(0);
            (q, k)
        }
    };
    ui.add_space(6.0);
    super::neuron::show(ui, trace, steps, head, q, k);
}
