//! The neuron view of one query–key pair: the query and key vectors of one head, their
//! element-wise product, its sum divided by √d (the score the matrix shows) and the
//! softmax weight, all read from the trace, so a learner sees where one cell comes from.

use egui::RichText;
use ndarray::Axis;

use super::{dim_labels, token_labels};
use crate::model::bert::trace::LayerSteps;
use crate::model::bert::trace::Trace;
use crate::widgets::{Heatmap, Scale};

/// Query `q` and key `k` of head `head`: `(q, k, q ⊙ k, Σ/√d, score, weight)`.
pub struct Pair {
    pub q: Vec<f32>,
    pub k: Vec<f32>,
    pub product: Vec<f32>,
    /// Σ (q ⊙ k) / √d, computed here.
    pub scaled_sum: f32,
    /// The score the trace holds for the pair.
    pub score: f32,
    pub weight: f32,
}

/// The pair `(query, key)` of `head` in `steps`, or `None` out of range.
pub fn pair(steps: &LayerSteps, head: usize, query: usize, key: usize) -> Option<Pair> {
    let qh = steps.q.index_axis(Axis(0), head);
    let kh = steps.k.index_axis(Axis(0), head);
    if query >= qh.nrows() || key >= kh.nrows() {
        return None;
    }
    let q: Vec<f32> = qh.row(query).to_vec();
    let k: Vec<f32> = kh.row(key).to_vec();
    let product: Vec<f32> = q.iter().zip(&k).map(|(a, b)| a * b).collect();
    let d = q.len().max(1) as f32;
    let scaled_sum = product.iter().sum::<f32>() / d.sqrt();
    Some(Pair {
        scaled_sum,
        score: *steps.scores.get((head, query, key))?,
        weight: *steps.weights.get((head, query, key))?,
        q,
        k,
        product,
    })
}

/// The key a query attends to most (its row's largest weight).
pub fn strongest_key(steps: &LayerSteps, head: usize, query: usize) -> Option<usize> {
    let w = steps.weights.index_axis(Axis(0), head);
    let row = w.rows().into_iter().nth(query)?;
    row.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)
}

/// Draws the pair under its matrix.
pub fn show(
    ui: &mut egui::Ui,
    trace: &Trace,
    steps: &LayerSteps,
    head: usize,
    query: usize,
    key: usize,
) {
    let Some(p) = pair(steps, head, query, key) else {
        return;
    };
    let labels = token_labels(trace);
    let (qn, kn) = (&labels[query], &labels[key]);
    ui.label(RichText::new(format!("One cell, worked out: query '{qn}' · key '{kn}'")).strong())
        .on_hover_text("Hover another cell to work it out; click a row to pin its query.");
    let d = p.q.len();
    let rows = vec![format!("q ({qn})"), format!("k ({kn})"), "q ⊙ k".to_owned()];
    let values: Vec<f32> = p.q.iter().chain(&p.k).chain(&p.product).copied().collect();
    Heatmap::new("query, key and their product", &values, 3, d)
        .labels(&rows, &dim_labels(d))
        .scale(Scale::diverging_for(&values))
        .unit("value")
        .max_cell(14.0)
        .show(ui);
    let sum: f32 = p.product.iter().sum();
    ui.label(format!(
        "Σ (q ⊙ k) = {sum:.3};  ÷ √{d} = {:.3}  (the scores matrix: {:.3});  softmax over the row → weight {:.3}",
        p.scaled_sum, p.score, p.weight
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bert::pretrained::PretrainedBert;

    #[test]
    fn the_worked_sum_is_the_score_the_model_computed_for_every_pair() {
        let bert = PretrainedBert::builtin().expect("model");
        let input = bert.fit(bert.model.encode("The river bank was muddy.", None));
        let trace = bert.run(&input, 0).expect("forward");
        let n = trace.len();
        for layer in &trace.layers {
            let steps = layer.steps.as_ref().expect("computed");
            for h in 0..steps.q.dim().0 {
                for q in 0..n {
                    for k in 0..n {
                        let p = pair(steps, h, q, k).expect("in range");
                        assert!(
                            (p.scaled_sum - p.score).abs() < 1e-4,
                            "{} vs {}",
                            p.scaled_sum,
                            p.score
                        );
                    }
                }
                let best = strongest_key(steps, h, 1).expect("a key");
                let w = steps.weights.index_axis(Axis(0), h);
                assert!(w.row(1).iter().all(|&x| x <= w[[1, best]]));
            }
        }
        assert!(pair(trace.layers[0].steps.as_ref().expect("computed"), 0, n, 0).is_none());
    }
}
