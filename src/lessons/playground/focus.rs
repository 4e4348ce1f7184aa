//! Which head the playground opens on: the one whose rows are most focused for the
//! input (lowest mean entropy of its weight rows), so that the softmax step shows a
//! row that "puts most of its weight on one or two tokens", as the prose says,
//! instead of layer 0 head 0, which is often close to uniform.

use crate::model::bert::trace::Trace;

/// Mean entropy in bits of the rows of head `h` in `weights` `(heads × n × n)`,
/// over the query rows that are real tokens.
fn mean_row_entropy(weights: &ndarray::Array3<f32>, h: usize, real: &[bool]) -> f64 {
    let head = weights.index_axis(ndarray::Axis(0), h);
    let mut total = 0.0;
    let mut rows = 0usize;
    for (i, row) in head.rows().into_iter().enumerate() {
        if !real.get(i).copied().unwrap_or(true) {
            continue;
        }
        total += row
            .iter()
            .filter(|&&p| p > 0.0)
            .map(|&p| -f64::from(p) * f64::from(p).log2())
            .sum::<f64>();
        rows += 1;
    }
    total / rows.max(1) as f64
}

/// `(layer, head, mean entropy in bits)` of the most focused head, or `None` when no
/// layer was computed (all ablated).
pub fn most_focused_head(trace: &Trace) -> Option<(usize, usize, f64)> {
    let mut best: Option<(usize, usize, f64)> = None;
    for (l, layer) in trace.layers.iter().enumerate() {
        let Some(steps) = &layer.steps else { continue };
        for h in 0..steps.weights.dim().0 {
            let e = mean_row_entropy(&steps.weights, h, &trace.attention_mask);
            if best.is_none_or(|b| e < b.2) {
                best = Some((l, h, e));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bert::pretrained::PretrainedBert;

    #[test]
    fn the_chosen_head_has_the_lowest_mean_entropy_of_all() {
        let bert = PretrainedBert::builtin().expect("model");
        let input = bert.fit(bert.model.encode("I withdrew money from the bank.", None));
        let trace = bert.run(&input, 0).expect("forward");
        let (l, h, e) = most_focused_head(&trace).expect("a head");
        let n = trace.tokens.len() as f64;
        assert!(e >= 0.0 && e <= n.log2() + 1e-9);
        for layer in &trace.layers {
            let w = &layer.steps.as_ref().expect("computed").weights;
            for head in 0..w.dim().0 {
                assert!(mean_row_entropy(w, head, &trace.attention_mask) >= e - 1e-12);
            }
        }
        assert!(l < trace.layers.len() && h < 4);
    }
}
