//! Whole-model checks of the training code (tests only): the training forward
//! against the app's forward, every backward pass against central finite
//! differences, the tied decoder's two gradient paths, and a short learning run.

use ndarray::Array2;

use super::backward::{backward, batch_loss_and_grads};
use super::forward::{NspLabel, PretrainExample, encode, forward_example, mlm_logits};
use super::grads::{Grads, named_params};
use super::masking::MaskingPolicy;
use super::model::PretrainModel;
use super::optim::{AdamW, LinearSchedule, clip_global_norm};
use crate::model::bert::config::BertConfig;
use crate::model::bert::forward::{ForwardOptions, forward};
use crate::model::numerics::rng::SplitMix64;
use crate::model::tokenize::ModelInput;

const PAD: u32 = 0;
const CLS: u32 = 2;
const SEP: u32 = 3;
const MASK: u32 = 4;

fn tiny_config() -> BertConfig {
    BertConfig {
        vocab_size: 23,
        hidden_size: 8,
        num_hidden_layers: 2,
        num_attention_heads: 2,
        intermediate_size: 16,
        max_position_embeddings: 12,
        type_vocab_size: 2,
        ..BertConfig::tiny()
    }
}

/// A tiny model with O(1) random parameters everywhere (LayerNorm γ around 1).
/// BERT's N(0, 0.02²) start makes every path nearly linear and its gradients tiny,
/// which would leave f32 finite differences measuring rounding, not the backward.
fn rough_model(seed: u64) -> PretrainModel {
    let mut model = PretrainModel::random(&tiny_config(), seed).unwrap();
    let grads = Grads::zeros_like(&model);
    let mut rng = SplitMix64::new(seed ^ 0x5eed);
    for mut p in named_params(&mut model, &grads).unwrap() {
        let gamma = p.name.ends_with("LayerNorm.weight");
        p.param.mapv_inplace(|_| {
            let z = rng.normal() as f32;
            if gamma { 1.0 + 0.3 * z } else { 0.4 * z }
        });
    }
    model
}

/// `[CLS] a b [SEP] c [SEP] [PAD] [PAD]`-like: 7 tokens, the last 2 padding, three
/// chosen positions (one shown as [MASK]), segment B after the first [SEP].
fn example(nsp: NspLabel) -> PretrainExample {
    PretrainExample {
        ids: vec![CLS, MASK, 9, SEP, 13, PAD, PAD],
        type_ids: vec![0, 0, 0, 0, 1, 1, 1],
        attention_mask: vec![true, true, true, true, true, false, false],
        mlm_labels: vec![None, Some(7), Some(9), None, Some(20), None, None],
        nsp_label: Some(nsp),
    }
}

fn loss_of(model: &PretrainModel, batch: &[PretrainExample]) -> f64 {
    let mut g = Grads::zeros_like(model);
    batch_loss_and_grads(model, batch, &mut g).unwrap().total()
}

/// Central differences on a sample of every tensor; returns the worst
/// `max|a − n| / max(|a|, |n|, 1e-3)` per tensor, name included.
///
/// Why these numbers: the loss is about 3 in f32, so a difference of two losses
/// carries about 1e-6 of rounding; with h = 1e-2 that is 5e-5 on a slope,
/// while the h² truncation error is about 1e-4 of the slopes seen here. Against
/// gradients of 1e-2…1 per tensor this leaves a relative error of a few 1e-3, so
/// 2e-2 is honest, and a wrong backward is far outside it (dropping the softmax
/// backward's `− rowsum(dP ⊙ P)` term gives 1.5). A smaller h does not help:
/// the key biases' true gradient is exactly 0 (softmax ignores a shift shared by a
/// row), so their check runs against the 1e-3 floor, and rounding noise grows
/// as 1/h (h = 3e-3 gives 4e-2 there).
fn check_all(
    model: &PretrainModel,
    batch: &[PretrainExample],
    grads: &Grads,
) -> Vec<(String, f64)> {
    let h = 1e-2f32;
    let mut rng = SplitMix64::new(11);
    let mut work = model.clone();
    let count = named_params(&mut work, grads).unwrap().len();
    let used_rows: Vec<usize> = batch
        .iter()
        .flat_map(|ex| ex.ids.iter().map(|&i| i as usize))
        .collect();
    let mut report = Vec::new();
    for t in 0..count {
        let (name, shape, analytic) = {
            let p = &named_params(&mut work, grads).unwrap()[t];
            (
                p.name.clone(),
                p.param.shape().to_vec(),
                p.grad.iter().copied().collect::<Vec<f32>>(),
            )
        };
        let len = analytic.len();
        let mut entries: Vec<usize> = (0..6).map(|_| rng.below(len)).collect();
        if name.contains("word_embeddings") || name.contains("position_embeddings") {
            // The input rows (both gradient paths for words; all 7 positions,
            // padding included, whose gradient must be exactly 0).
            let rows: Vec<usize> = if name.contains("word") {
                used_rows.clone()
            } else {
                (0..7).collect()
            };
            for &r in &rows {
                entries.push(r * shape[1] + rng.below(shape[1]));
            }
        }
        let (mut worst_diff, mut scale) = (0.0f64, 1e-3f64);
        for &k in &entries {
            // Sets the entry to `value` and returns what it was (restored exactly).
            let set = |work: &mut PretrainModel, value: Option<f32>, delta: f32| {
                let mut params = named_params(work, grads).unwrap();
                let v = params[t].param.iter_mut().nth(k).unwrap();
                let old = *v;
                *v = value.unwrap_or(old + delta);
                old
            };
            let original = set(&mut work, None, h);
            let plus = loss_of(&work, batch);
            set(&mut work, Some(original - h), 0.0);
            let minus = loss_of(&work, batch);
            set(&mut work, Some(original), 0.0);
            let numeric = (plus - minus) / (2.0 * f64::from(h));
            let a = f64::from(analytic[k]);
            worst_diff = worst_diff.max((a - numeric).abs());
            scale = scale.max(a.abs()).max(numeric.abs());
        }
        report.push((name, worst_diff / scale));
    }
    assert_eq!(&work, model, "perturbations were undone");
    report
}

fn assert_report(report: &[(String, f64)]) {
    let mut sorted = report.to_vec();
    sorted.sort_by(|a, b| b.1.total_cmp(&a.1));
    eprintln!(
        "finite differences over {} tensors, worst three:",
        report.len()
    );
    for (name, err) in sorted.iter().take(3) {
        eprintln!("  {name}: {err:.2e}");
    }
    for (name, err) in report {
        assert!(*err < 2e-2, "{name}: relative error {err:.3e}");
    }
}

#[test]
fn every_backward_matches_finite_differences_for_one_sequence() {
    let model = rough_model(1);
    let ex = example(NspLabel::NotNext);
    let (_, cache) = forward_example(&model, &ex).unwrap();
    let mut grads = Grads::zeros_like(&model);
    backward(&model, &cache, 1.0, 1.0, &mut grads);
    let report = check_all(&model, std::slice::from_ref(&ex), &grads);
    assert_eq!(
        report.len(),
        5 + 2 * 16 + 2 + 4 + 1 + 2,
        "every tensor visited"
    );
    assert_report(&report);
    // Padding positions reach nothing: their position rows get no gradient.
    assert!(grads.embeddings.position.row(5).iter().all(|&g| g == 0.0));
}

#[test]
fn batch_gradient_matches_finite_differences_of_the_batch_objective() {
    let model = rough_model(2);
    let mut second = example(NspLabel::IsNext);
    second.mlm_labels = vec![None, None, None, None, Some(13), None, None];
    second.attention_mask = vec![true; 7];
    second.ids[5] = 17;
    let batch = [example(NspLabel::NotNext), second];
    let mut grads = Grads::zeros_like(&model);
    let losses = batch_loss_and_grads(&model, &batch, &mut grads).unwrap();
    assert_eq!((losses.mlm_count, losses.nsp_count), (4, 2));
    assert_report(&check_all(&model, &batch, &grads));
}

#[test]
fn tied_decoder_gradient_is_the_sum_of_the_lookup_and_decoder_paths() {
    let tied = rough_model(3);
    let ex = example(NspLabel::IsNext);
    let mut untied = tied.clone();
    untied.mlm.decoder = Some(tied.embeddings.word.clone());
    let grads_of = |m: &PretrainModel| {
        let (losses, cache) = forward_example(m, &ex).unwrap();
        let mut g = Grads::zeros_like(m);
        backward(m, &cache, 1.0, 1.0, &mut g);
        (losses.total(), g)
    };
    let (loss_tied, g_tied) = grads_of(&tied);
    let (loss_untied, g_untied) = grads_of(&untied);
    assert!(
        (loss_tied - loss_untied).abs() < 1e-6,
        "same function until trained"
    );
    let lookup = &g_untied.embeddings.word;
    let decoder = g_untied.mlm.decoder.as_ref().unwrap();
    let sum = lookup + decoder;
    let diff = (&g_tied.embeddings.word - &sum)
        .mapv(f32::abs)
        .fold(0.0f32, |m, &x| m.max(x));
    assert!(diff < 1e-6, "tied ≠ lookup + decoder by {diff}");
    // An input row gets both, a row the input never uses only the decoder's.
    let row_norm = |a: &Array2<f32>, r: usize| a.row(r).iter().map(|x| x * x).sum::<f32>();
    assert!(row_norm(lookup, 9) > 1e-8 && row_norm(decoder, 9) > 1e-8);
    assert!(row_norm(lookup, 21) == 0.0 && row_norm(&g_tied.embeddings.word, 21) > 1e-8);
}

#[test]
fn training_forward_matches_the_apps_forward() {
    let model = rough_model(4);
    let ex = example(NspLabel::IsNext);
    let (hidden, _, _) = encode(&model, &ex.ids, &ex.type_ids, &ex.attention_mask);
    let input = ModelInput {
        type_ids: ex.type_ids.clone(),
        ..ModelInput::from_ids(ex.ids.clone())
    };
    let opts = ForwardOptions {
        attention_mask: Some(ex.attention_mask.clone()),
        top_k: 23,
        ..ForwardOptions::default()
    };
    let trace = forward(&model.to_bert_weights(), &input, &opts).unwrap();
    let reference = &trace.layers.last().unwrap().output;
    let worst = (&hidden - reference)
        .mapv(f32::abs)
        .fold(0.0f32, |m, &x| m.max(x));
    assert!(worst < 1e-4, "hidden states differ by {worst}");
    let logits = mlm_logits(&model, &hidden);
    let mut worst = 0.0f32;
    for (pos, predictions) in trace.mlm.unwrap().top_k.iter().enumerate() {
        assert_eq!(predictions.len(), 23);
        for p in predictions {
            worst = worst.max((logits[[pos, p.id as usize]] - p.logit).abs());
        }
    }
    assert!(worst < 1e-4, "MLM logits differ by {worst}");
}

#[test]
fn two_hundred_adamw_steps_halve_the_loss_on_a_fixed_batch() {
    let config = BertConfig {
        hidden_size: 16,
        intermediate_size: 32,
        max_position_embeddings: 16,
        ..tiny_config()
    };
    let mut model = PretrainModel::random(&config, 7).unwrap();
    let policy = MaskingPolicy::new(23, MASK, &[PAD, 1, CLS, SEP]).unwrap();
    let mut rng = SplitMix64::new(8);
    let batch: Vec<PretrainExample> = (0..4)
        .map(|b| {
            let mut ids = vec![CLS];
            ids.extend((0..6).map(|_| 5 + rng.below(18) as u32));
            ids.push(SEP);
            ids.extend((0..5).map(|_| 5 + rng.below(18) as u32));
            ids.push(SEP);
            let masked = policy.mask(&ids, &mut rng);
            let n = ids.len();
            PretrainExample {
                ids: masked.ids,
                type_ids: (0..n).map(|i| u32::from(i > 7)).collect(),
                attention_mask: vec![true; n],
                mlm_labels: masked.labels,
                nsp_label: Some(if b % 2 == 0 {
                    NspLabel::IsNext
                } else {
                    NspLabel::NotNext
                }),
            }
        })
        .collect();
    let schedule = LinearSchedule {
        peak: 5e-3,
        warmup: 20,
        total: 200,
    };
    let mut opt = AdamW::new(0.01);
    let mut grads = Grads::zeros_like(&model);
    let mut first = None;
    let mut last = 0.0;
    for step in 1..=200 {
        grads.fill_zero();
        let losses = batch_loss_and_grads(&model, &batch, &mut grads).unwrap();
        first.get_or_insert(losses.total());
        last = losses.total();
        clip_global_norm(&mut grads, 1.0);
        opt.update(&mut model, &grads, schedule.lr(step)).unwrap();
    }
    let first = first.unwrap();
    eprintln!("loss {first:.3} → {last:.3} after 200 steps");
    assert!(last < 0.5 * first, "loss {first} → {last}");
}
