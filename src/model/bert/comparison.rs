//! How far apart two traces are: the measure the GPU must keep within 1e-4 of the CPU.
//!
//! Absolute difference for ordinary values, relative for large ones (a raw attention
//! score of 300 carries f32 rounding of about 3·10⁻⁵ on its own), so the measure is
//! `|a − b| / max(1, |b|)`, the largest over every tensor of the trace.

use super::trace::{LayerSteps, Trace};

/// The largest difference between `a` and `b` and where it is, or why they cannot be
/// compared (different tokens, shapes, skipped layers or predictions).
pub fn max_difference(a: &Trace, b: &Trace) -> Result<(f32, String), String> {
    if a.ids != b.ids || a.type_ids != b.type_ids || a.attention_mask != b.attention_mask {
        return Err("the traces are of different inputs".to_owned());
    }
    if a.layers.len() != b.layers.len() {
        return Err("the traces have different numbers of layers".to_owned());
    }
    let mut worst = (0.0f32, String::from("nothing"));
    let mut check = |name: String, x: &[f32], y: &[f32]| -> Result<(), String> {
        if x.len() != y.len() {
            return Err(format!("{name}: {} values vs {}", x.len(), y.len()));
        }
        for (p, q) in x.iter().zip(y) {
            let d = (p - q).abs() / q.abs().max(1.0);
            // NaN anywhere is the worst difference there is.
            if d.is_nan() || d > worst.0 {
                worst = (if d.is_nan() { f32::INFINITY } else { d }, name.clone());
            }
        }
        Ok(())
    };
    let flat = |t: &ndarray::ArrayBase<ndarray::OwnedRepr<f32>, _>| -> Vec<f32> {
        t.iter().copied().collect()
    };
    let (ea, eb) = (&a.embeddings, &b.embeddings);
    for (name, x, y) in [
        ("token embedding", &ea.token, &eb.token),
        ("position embedding", &ea.position, &eb.position),
        ("segment embedding", &ea.segment, &eb.segment),
        ("embedding sum", &ea.sum, &eb.sum),
        ("embedding output", &ea.normed, &eb.normed),
    ] {
        check(name.to_owned(), &flat(x), &flat(y))?;
    }
    for (i, (la, lb)) in a.layers.iter().zip(&b.layers).enumerate() {
        check(
            format!("layer {i} output"),
            &flat(&la.output),
            &flat(&lb.output),
        )?;
        match (&la.steps, &lb.steps) {
            (None, None) => {}
            (Some(sa), Some(sb)) => compare_steps(i, sa, sb, &mut check)?,
            _ => return Err(format!("layer {i} is skipped in one trace only")),
        }
    }
    match (&a.mlm, &b.mlm) {
        (None, None) => {}
        (Some(ma), Some(mb)) => {
            if ma.top_k.len() != mb.top_k.len() {
                return Err("the predictions cover different positions".to_owned());
            }
            for (pos, (pa, pb)) in ma.top_k.iter().zip(&mb.top_k).enumerate() {
                if pa.len() != pb.len() {
                    return Err(format!("position {pos}: different numbers of predictions"));
                }
                let logits = |p: &[crate::model::bert::trace::Prediction]| {
                    p.iter().map(|x| x.logit).collect::<Vec<f32>>()
                };
                let probs = |p: &[crate::model::bert::trace::Prediction]| {
                    p.iter().map(|x| x.prob).collect::<Vec<f32>>()
                };
                check(
                    format!("position {pos} prediction logits"),
                    &logits(pa),
                    &logits(pb),
                )?;
                check(
                    format!("position {pos} prediction probabilities"),
                    &probs(pa),
                    &probs(pb),
                )?;
            }
        }
        _ => return Err("only one trace has predictions".to_owned()),
    }
    Ok(worst)
}

fn compare_steps(
    i: usize,
    a: &LayerSteps,
    b: &LayerSteps,
    check: &mut impl FnMut(String, &[f32], &[f32]) -> Result<(), String>,
) -> Result<(), String> {
    if a.ablated_heads != b.ablated_heads {
        return Err(format!("layer {i}: different heads ablated"));
    }
    let three = |t: &ndarray::Array3<f32>| t.iter().copied().collect::<Vec<f32>>();
    let two = |t: &ndarray::Array2<f32>| t.iter().copied().collect::<Vec<f32>>();
    for (name, x, y) in [
        ("queries", &a.q, &b.q),
        ("keys", &a.k, &b.k),
        ("values", &a.v, &b.v),
        ("scores", &a.scores, &b.scores),
        ("attention weights", &a.weights, &b.weights),
        ("context", &a.context, &b.context),
    ] {
        if x.shape() != y.shape() {
            return Err(format!("layer {i} {name}: shapes differ"));
        }
        check(format!("layer {i} {name}"), &three(x), &three(y))?;
    }
    for (name, x, y) in [
        ("attention output", &a.attention_output, &b.attention_output),
        ("attention norm", &a.attention_norm, &b.attention_norm),
        ("FFN intermediate", &a.ffn_intermediate, &b.ffn_intermediate),
        ("FFN output", &a.ffn_output, &b.ffn_output),
    ] {
        if x.shape() != y.shape() {
            return Err(format!("layer {i} {name}: shapes differ"));
        }
        check(format!("layer {i} {name}"), &two(x), &two(y))?;
    }
    Ok(())
}
