//! Checks of a whole run (tests only): the trainer is deterministic for a seed
//! and thread count, a resumed run is bit-identical to an uninterrupted one,
//! and an exported folder loads back with the same logits.

use std::sync::Arc;

use super::checkpoint;
use super::data::{SpecialIds, TokenCorpus, TokenDoc};
use super::forward::mlm_logits;
use super::grads::model_tensors;
use super::masking::MaskingPolicy;
use super::model::PretrainModel;
use super::trainer::{TrainConfig, Trainer};
use crate::model::bert::config::BertConfig;
use crate::model::bert::model_dir::Model;
use crate::model::numerics::rng::SplitMix64;
use crate::model::tokenize::WordPiece;
use crate::model::tokenize::basic::BasicTokenizer;

const VOCAB: usize = 40;

fn config() -> BertConfig {
    BertConfig {
        vocab_size: VOCAB,
        hidden_size: 16,
        num_hidden_layers: 2,
        num_attention_heads: 2,
        intermediate_size: 32,
        max_position_embeddings: 24,
        type_vocab_size: 2,
        ..BertConfig::tiny()
    }
}

/// Three "addresses" of a repeating pattern over ids 5.., years apart.
fn corpus() -> Arc<TokenCorpus> {
    let mut rng = SplitMix64::new(3);
    let docs = (0..3)
        .map(|d| TokenDoc {
            id: format!("doc{d}"),
            year: Some(1900 + 30 * d as u16),
            paragraphs: (0..8)
                .map(|_| {
                    (0..6 + rng.below(6))
                        .map(|_| 5 + rng.below(VOCAB - 5) as u32)
                        .collect()
                })
                .collect(),
        })
        .collect();
    Arc::new(TokenCorpus { docs })
}

fn trainer(threads: usize) -> Trainer {
    let train = TrainConfig {
        seq_len: 24,
        short_seq_len: 12,
        long_from: 3,
        batch: 5,
        steps: 20,
        lr: 3e-3,
        warmup: 2,
        nsp_from: 2,
        seed: 9,
        threads,
        ..TrainConfig::default()
    };
    let model = PretrainModel::random(&config(), 4).unwrap();
    let policy = MaskingPolicy::new(VOCAB as u32, 4, &[0, 1, 2, 3]).unwrap();
    Trainer::new(
        train,
        model,
        corpus(),
        SpecialIds { cls: 2, sep: 3 },
        policy,
    )
    .unwrap()
}

fn params(model: &PretrainModel) -> Vec<f32> {
    model_tensors(model)
        .into_iter()
        .flat_map(|(_, t)| t.iter().copied().collect::<Vec<_>>())
        .collect()
}

fn vocab() -> WordPiece {
    let mut text: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        .map(String::from)
        .to_vec();
    text.extend((5..VOCAB).map(|i| format!("w{i}")));
    WordPiece::from_vocab_txt(&text.join("\n"), BasicTokenizer::uncased()).unwrap()
}

#[test]
fn same_seed_and_threads_give_the_same_run_and_two_threads_match_one() {
    let mut a = trainer(2);
    let mut b = trainer(2);
    let mut one = trainer(1);
    for _ in 0..4 {
        let (sa, sb, s1) = (a.step().unwrap(), b.step().unwrap(), one.step().unwrap());
        assert_eq!(sa, sb);
        assert!((sa.losses.total() - s1.losses.total()).abs() < 1e-4);
        assert!(sa.losses.mlm_count > 0);
    }
    assert_eq!(params(&a.model), params(&b.model));
    // The thread split only changes the summation order.
    let diff = params(&a.model)
        .iter()
        .zip(params(&one.model))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(diff < 1e-4, "{diff}");
    // Step 3 on: long pairs; step 2 on: NSP labels.
    assert!(
        a.batch(2)
            .iter()
            .all(|ex| ex.nsp_label.is_some() && ex.ids.len() <= 12)
    );
    assert!(a.batch(1).iter().all(|ex| ex.nsp_label.is_none()));
    assert!(a.batch(5).iter().any(|ex| ex.ids.len() > 12));
}

#[test]
fn a_resumed_run_is_identical_to_an_uninterrupted_one() {
    let dir = std::env::temp_dir().join(format!("llm-lens-resume-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut straight = trainer(2);
    for _ in 0..6 {
        straight.step().unwrap();
    }
    let mut first = trainer(2);
    for _ in 0..3 {
        first.step().unwrap();
    }
    checkpoint::save(&first, &vocab(), 12.5, &dir).unwrap();
    let restored = checkpoint::load(&dir).unwrap();
    assert_eq!(restored.state.step, 3);
    assert_eq!(restored.state.elapsed_s, 12.5);
    assert_eq!(params(&restored.model), params(&first.model));
    let mut resumed = Trainer::new(
        restored.state.train.clone(),
        restored.model,
        corpus(),
        SpecialIds { cls: 2, sep: 3 },
        MaskingPolicy::new(VOCAB as u32, 4, &[0, 1, 2, 3]).unwrap(),
    )
    .unwrap();
    let (m, v) = restored.moments;
    resumed.optimizer.restore(3, m, v);
    resumed.resume_at(3, restored.state.tokens);
    for _ in 0..3 {
        resumed.step().unwrap();
    }
    assert_eq!(params(&resumed.model), params(&straight.model));
    assert_eq!(resumed.tokens, straight.tokens);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_exported_folder_loads_with_the_same_logits_and_heads() {
    let dir = std::env::temp_dir().join(format!("llm-lens-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut t = trainer(1);
    for _ in 0..3 {
        t.step().unwrap();
    }
    checkpoint::export(&t.model, &vocab(), &dir, false).unwrap();
    let loaded = Model::load(&dir).unwrap();
    let bytes = std::fs::read(dir.join("model.safetensors")).unwrap();
    let heads = checkpoint::read_heads(&bytes, 16).expect("pooler and NSP head");
    assert_eq!(heads, t.model.heads);
    let back = PretrainModel::from_parts(loaded.weights, heads).unwrap();
    assert_eq!(params(&back), params(&t.model));
    let hidden = ndarray::Array2::from_shape_fn((3, 16), |(i, j)| (i + j) as f32 * 0.1);
    assert_eq!(mlm_logits(&back, &hidden), mlm_logits(&t.model, &hidden));
    // F16 halves the file and stays within rounding.
    let half = dir.join("f16");
    checkpoint::export(&t.model, &vocab(), &half, true).unwrap();
    let small = Model::load(&half).unwrap();
    let full = std::fs::metadata(dir.join("model.safetensors"))
        .unwrap()
        .len();
    let f16 = std::fs::metadata(half.join("model.safetensors"))
        .unwrap()
        .len();
    assert!(f16 * 10 < full * 6, "{f16} vs {full}");
    let e = &small.weights.embeddings.word - &t.model.embeddings.word;
    assert!(e.iter().all(|d| d.abs() < 1e-3));
    let _ = std::fs::remove_dir_all(&dir);
}
