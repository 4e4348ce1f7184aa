//! Forward and backward of many sequences at once, packed row after row into one
//! `(all tokens × hidden)` matrix. Every step that treats tokens independently
//! (embeddings, the linear layers, LayerNorm, GELU, the MLM head) runs once on
//! the whole pack, so each weight's product has hundreds of rows instead of one
//! sequence's few dozen; only attention, which mixes the tokens of one sequence,
//! runs sequence by sequence on its rows. The arithmetic is the per-sequence
//! pass's ([`super::forward`], [`super::backward`]), which the tests compare it to.

use ndarray::{Array2, ArrayView2, Axis, s};

use super::backward::{BatchLosses, BatchTotals, UpperCaches, upper_backward};
use super::forward::{PretrainExample, check_example, decoder, mlm_transform};
use super::grads::Grads;
use super::loss::cross_entropy_rows;
use super::model::{PretrainModel, TrainError};
use super::ops::{
    LayerNormCache, activation_backward, layer_norm_backward, layer_norm_forward, linear_backward,
};
use crate::model::bert::activation::activate;
use crate::model::bert::config::BertConfig;
use crate::model::bert::layer::Layer;
use crate::model::numerics::matmul::{mat_mul, mat_mul_add, mat_mul_into};
use crate::model::numerics::softmax::softmax_rows_masked;

/// What one layer's backward reads, for the whole pack.
struct LayerCache {
    /// The layer's input, `(T × hidden)`.
    input: Array2<f32>,
    /// Projections, `(T × hidden)` (head `h` is columns `h·d..(h+1)·d`).
    q: Array2<f32>,
    k: Array2<f32>,
    v: Array2<f32>,
    /// Softmax weights per sequence, `(heads × n × n)` each.
    weights: Vec<ndarray::Array3<f32>>,
    /// The heads' contexts side by side, `(T × hidden)`.
    merged: Array2<f32>,
    attention_ln: LayerNormCache,
    attention_norm: Array2<f32>,
    ffn_pre: Array2<f32>,
    ffn_act: Array2<f32>,
    output_ln: LayerNormCache,
}

/// Where each sequence's rows are in the pack.
fn ranges(part: &[PretrainExample]) -> Vec<std::ops::Range<usize>> {
    let mut start = 0;
    part.iter()
        .map(|ex| {
            let r = start..start + ex.ids.len();
            start = r.end;
            r
        })
        .collect()
}

/// Attention of one sequence from its projected rows: softmax weights per head
/// `(heads × n × n)` and the contexts written into `merged` `(n × hidden)`.
fn attend(
    config: &BertConfig,
    q: ArrayView2<f32>,
    k: ArrayView2<f32>,
    v: ArrayView2<f32>,
    mask: &[bool],
    mut merged: ndarray::ArrayViewMut2<f32>,
) -> ndarray::Array3<f32> {
    let n = q.nrows();
    let heads = config.num_attention_heads;
    let d = config.head_dim();
    let scale = 1.0 / (d as f32).sqrt();
    let mut weights = ndarray::Array3::<f32>::zeros((heads, n, n));
    for h in 0..heads {
        let cols = s![.., h * d..(h + 1) * d];
        let mut w = weights.index_axis_mut(Axis(0), h);
        mat_mul_into(scale, &q.slice(cols), &k.slice(cols).t(), &mut w);
        for mut row in w.rows_mut() {
            if let Some(r) = row.as_slice_mut() {
                softmax_rows_masked(r, n, Some(mask));
            }
        }
        mat_mul_into(1.0, &w.view(), &v.slice(cols), &mut merged.slice_mut(cols));
    }
    weights
}

/// The attention backward of one sequence: `∂L/∂Q, K, V` rows from `∂L/∂merged`
/// (the same formulas as [`super::attention::attention_backward`]).
#[allow(clippy::too_many_arguments)]
fn attend_backward(
    config: &BertConfig,
    q: ArrayView2<f32>,
    k: ArrayView2<f32>,
    v: ArrayView2<f32>,
    weights: &ndarray::Array3<f32>,
    d_merged: ArrayView2<f32>,
    mut dq: ndarray::ArrayViewMut2<f32>,
    mut dk: ndarray::ArrayViewMut2<f32>,
    mut dv: ndarray::ArrayViewMut2<f32>,
) {
    let d = config.head_dim();
    let scale = 1.0 / (d as f32).sqrt();
    for h in 0..config.num_attention_heads {
        let cols = s![.., h * d..(h + 1) * d];
        let dc = d_merged.slice(cols); // (n × head_dim)
        let p = weights.index_axis(Axis(0), h); // (n × n)
        let mut ds = mat_mul(&dc, &v.slice(cols).t()); // ∂L/∂P, then ∂L/∂S
        mat_mul_into(1.0, &p.t(), &dc, &mut dv.slice_mut(cols));
        for (mut ds_row, p_row) in ds.rows_mut().into_iter().zip(p.rows()) {
            let dot: f32 = ds_row.iter().zip(p_row.iter()).map(|(a, b)| a * b).sum();
            ds_row.zip_mut_with(&p_row, |g, &pr| *g = pr * (*g - dot));
        }
        mat_mul_into(scale, &ds.view(), &k.slice(cols), &mut dq.slice_mut(cols));
        mat_mul_into(scale, &ds.t(), &q.slice(cols), &mut dk.slice_mut(cols));
    }
}

/// Forward and backward over `part` of a batch whose totals are `totals`: the
/// same result as [`super::backward::accumulate`], computed on the packed rows.
pub fn accumulate_packed(
    model: &PretrainModel,
    part: &[PretrainExample],
    totals: BatchTotals,
    grads: &mut Grads,
) -> Result<BatchLosses, TrainError> {
    for ex in part {
        check_example(model, ex)?;
    }
    let mut out = BatchLosses {
        mlm_count: totals.mlm,
        nsp_count: totals.nsp,
        ..BatchLosses::default()
    };
    if part.is_empty() {
        return Ok(out);
    }
    let config = &model.config;
    let eps = config.layer_norm_eps;
    let emb = &model.embeddings;
    let spans = ranges(part);
    let ids: Vec<usize> = part
        .iter()
        .flat_map(|e| e.ids.iter().map(|&i| i as usize))
        .collect();
    let types: Vec<usize> = part
        .iter()
        .flat_map(|e| e.type_ids.iter().map(|&i| i as usize))
        .collect();
    let positions: Vec<usize> = part.iter().flat_map(|e| 0..e.ids.len()).collect();

    // Forward.
    let sum = emb.word.select(Axis(0), &ids)
        + emb.position.select(Axis(0), &positions)
        + emb.token_type.select(Axis(0), &types); // (T × hidden)
    let (mut x, embeddings_ln) = layer_norm_forward(&emb.layer_norm, &sum.view(), eps);
    let mut caches = Vec::with_capacity(model.layers.len());
    for layer in &model.layers {
        let a = &layer.attention;
        let (q, k, v) = (
            a.query.forward(&x.view()),
            a.key.forward(&x.view()),
            a.value.forward(&x.view()),
        );
        let mut merged = Array2::<f32>::zeros(x.dim());
        let weights = part
            .iter()
            .zip(&spans)
            .map(|(ex, r)| {
                attend(
                    config,
                    q.slice(s![r.clone(), ..]),
                    k.slice(s![r.clone(), ..]),
                    v.slice(s![r.clone(), ..]),
                    &ex.attention_mask,
                    merged.slice_mut(s![r.clone(), ..]),
                )
            })
            .collect();
        let projected = layer.attention_output.dense.forward(&merged.view());
        let (attention_norm, attention_ln) = layer_norm_forward(
            &layer.attention_output.layer_norm,
            &(&projected + &x).view(),
            eps,
        );
        let ffn_pre = layer.intermediate.forward(&attention_norm.view()); // (T × intermediate)
        let mut ffn_act = ffn_pre.clone();
        activate(&mut ffn_act, config.hidden_act);
        let o = layer.output.dense.forward(&ffn_act.view()) + &attention_norm;
        let (output, output_ln) = layer_norm_forward(&layer.output.layer_norm, &o.view(), eps);
        caches.push(LayerCache {
            input: std::mem::replace(&mut x, output),
            q,
            k,
            v,
            weights,
            merged,
            attention_ln,
            attention_norm,
            ffn_pre,
            ffn_act,
            output_ln,
        });
    }
    let hidden = x; // (T × hidden)
    let mut dh = Array2::<f32>::zeros(hidden.dim());

    // MLM head on every chosen row of the pack.
    let (rows, labels): (Vec<usize>, Vec<usize>) = part
        .iter()
        .zip(&spans)
        .flat_map(|(ex, r)| {
            ex.mlm_labels
                .iter()
                .enumerate()
                .filter_map(move |(i, l)| l.map(|id| (r.start + i, id as usize)))
        })
        .unzip();
    if !rows.is_empty() {
        let input = hidden.select(Axis(0), &rows); // (m × hidden)
        let (pre, _act, ln, transformed) = mlm_transform(model, &input);
        let logits = mat_mul(&transformed.view(), &decoder(model).t()) + &model.mlm.bias;
        let (loss, correct, d_logits) = cross_entropy_rows(&logits, &labels);
        let weight = rows.len() as f32 / totals.mlm.max(1) as f32;
        out.mlm = loss * f64::from(weight);
        out.mlm_correct = correct;
        let d_logits = d_logits * weight; // (m × vocab)
        grads.mlm.bias += &d_logits.sum_axis(Axis(0));
        let target = match grads.mlm.decoder.as_mut() {
            Some(untied) => untied,
            None => &mut grads.embeddings.word,
        };
        mat_mul_add(&d_logits.t(), &transformed.view(), &mut target.view_mut());
        let dt = mat_mul(&d_logits.view(), &decoder(model).view()); // (m × hidden)
        let mut d_act = layer_norm_backward(
            &model.mlm.layer_norm,
            &ln,
            &dt.view(),
            &mut grads.mlm.layer_norm,
        );
        activation_backward(config.hidden_act, &pre, &mut d_act);
        let dx = linear_backward(
            &model.mlm.transform,
            &input.view(),
            &d_act.view(),
            &mut grads.mlm.transform,
        );
        for (row, &at) in dx.rows().into_iter().zip(&rows) {
            let mut target = dh.row_mut(at);
            target += &row;
        }
    }

    // NSP on the [CLS] row of every labelled pair.
    let (cls_rows, nsp_labels): (Vec<usize>, Vec<usize>) = part
        .iter()
        .zip(&spans)
        .filter_map(|(ex, r)| ex.nsp_label.map(|l| (r.start, l as usize)))
        .unzip();
    if !cls_rows.is_empty() {
        let heads = &model.heads;
        let cls = hidden.select(Axis(0), &cls_rows); // (b × hidden)
        let pooled = heads.pooler.forward(&cls.view()).mapv(f32::tanh);
        let logits = heads.seq_relationship.forward(&pooled.view()); // (b × 2)
        let (loss, correct, d_logits) = cross_entropy_rows(&logits, &nsp_labels);
        let weight = cls_rows.len() as f32 / totals.nsp.max(1) as f32;
        out.nsp = loss * f64::from(weight);
        out.nsp_correct = correct;
        let d_logits = d_logits * weight;
        let d_pooled = linear_backward(
            &heads.seq_relationship,
            &pooled.view(),
            &d_logits.view(),
            &mut grads.heads.seq_relationship,
        );
        let d_pre = &d_pooled * &pooled.mapv(|p| 1.0 - p * p); // tanh' = 1 − tanh²
        let d_cls = linear_backward(
            &heads.pooler,
            &cls.view(),
            &d_pre.view(),
            &mut grads.heads.pooler,
        );
        for (row, &at) in d_cls.rows().into_iter().zip(&cls_rows) {
            let mut target = dh.row_mut(at);
            target += &row;
        }
    }

    // Layers in reverse.
    for ((layer, lc), lg) in model
        .layers
        .iter()
        .zip(&caches)
        .zip(grads.layers.iter_mut())
        .rev()
    {
        dh = layer_backward(config, layer, lc, &spans, &dh, lg);
    }

    // Embeddings.
    let d_sum = layer_norm_backward(
        &emb.layer_norm,
        &embeddings_ln,
        &dh.view(),
        &mut grads.embeddings.layer_norm,
    ); // (T × hidden)
    let ge = &mut grads.embeddings;
    for (t, row) in d_sum.rows().into_iter().enumerate() {
        let mut w = ge.word.row_mut(ids[t]);
        w += &row;
        let mut p = ge.position.row_mut(positions[t]);
        p += &row;
        let mut ty = ge.token_type.row_mut(types[t]);
        ty += &row;
    }
    Ok(out)
}

fn layer_backward(
    config: &BertConfig,
    layer: &Layer,
    lc: &LayerCache,
    spans: &[std::ops::Range<usize>],
    d_out: &Array2<f32>,
    grad: &mut Layer,
) -> Array2<f32> {
    let (d_sum, d_merged) = upper_backward(
        config,
        layer,
        &UpperCaches {
            attention_ln: &lc.attention_ln,
            attention_norm: &lc.attention_norm,
            ffn_pre: &lc.ffn_pre,
            ffn_act: &lc.ffn_act,
            output_ln: &lc.output_ln,
            merged: &lc.merged,
        },
        d_out,
        grad,
    ); // (T × hidden) each
    let mut dq = Array2::<f32>::zeros(d_merged.dim());
    let mut dk = Array2::<f32>::zeros(d_merged.dim());
    let mut dv = Array2::<f32>::zeros(d_merged.dim());
    for (r, w) in spans.iter().zip(&lc.weights) {
        let rows = s![r.clone(), ..];
        attend_backward(
            config,
            lc.q.slice(rows),
            lc.k.slice(rows),
            lc.v.slice(rows),
            w,
            d_merged.slice(rows),
            dq.slice_mut(rows),
            dk.slice_mut(rows),
            dv.slice_mut(rows),
        );
    }
    let a = &layer.attention;
    let g = &mut grad.attention;
    let xv = lc.input.view();
    let mut d_in = d_sum;
    d_in += &linear_backward(&a.query, &xv, &dq.view(), &mut g.query);
    d_in += &linear_backward(&a.key, &xv, &dk.view(), &mut g.key);
    d_in += &linear_backward(&a.value, &xv, &dv.view(), &mut g.value);
    d_in
}

#[cfg(test)]
mod tests {
    use super::super::backward::accumulate;
    use super::super::forward::NspLabel;
    use super::super::masking::MaskingPolicy;
    use super::*;
    use crate::model::numerics::rng::SplitMix64;

    #[test]
    fn the_pack_gives_the_per_sequence_losses_and_gradients() {
        let config = BertConfig {
            vocab_size: 30,
            hidden_size: 16,
            num_hidden_layers: 2,
            num_attention_heads: 2,
            intermediate_size: 32,
            max_position_embeddings: 20,
            ..BertConfig::tiny()
        };
        let model = PretrainModel::random(&config, 3).unwrap();
        let policy = MaskingPolicy::new(30, 4, &[0, 1, 2, 3]).unwrap();
        let mut rng = SplitMix64::new(5);
        let part: Vec<PretrainExample> = [9usize, 14, 6, 20]
            .iter()
            .enumerate()
            .map(|(i, &n)| {
                let ids: Vec<u32> = (0..n)
                    .map(|j| if j == 0 { 2 } else { 5 + rng.below(25) as u32 })
                    .collect();
                let masked = policy.mask(&ids, &mut rng);
                PretrainExample {
                    ids: masked.ids,
                    type_ids: (0..n).map(|j| u32::from(j > n / 2)).collect(),
                    // The third sequence ends in padding.
                    attention_mask: (0..n).map(|j| i != 2 || j < 4).collect(),
                    mlm_labels: masked.labels,
                    nsp_label: (i != 1).then_some(if i % 2 == 0 {
                        NspLabel::IsNext
                    } else {
                        NspLabel::NotNext
                    }),
                }
            })
            .collect();
        let totals = BatchTotals::of(&part);
        let mut one = Grads::zeros_like(&model);
        let mut packed = Grads::zeros_like(&model);
        let a = accumulate(&model, &part, totals, &mut one).unwrap();
        let b = accumulate_packed(&model, &part, totals, &mut packed).unwrap();
        assert!(
            (a.mlm - b.mlm).abs() < 1e-5 && (a.nsp - b.nsp).abs() < 1e-5,
            "{a:?} {b:?}"
        );
        assert_eq!(
            (a.mlm_correct, a.nsp_correct),
            (b.mlm_correct, b.nsp_correct)
        );
        for ((name, x), (_, y)) in one.named().into_iter().zip(packed.named()) {
            let worst = x
                .iter()
                .zip(y.iter())
                .map(|(p, q)| (p - q).abs())
                .fold(0.0f32, f32::max);
            assert!(worst < 1e-5, "{name}: {worst}");
        }
    }
}
