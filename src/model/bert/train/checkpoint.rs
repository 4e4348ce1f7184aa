//! Saving and restoring a pre-training run, and exporting the result.
//!
//! A checkpoint is a folder: `state.json` (counters and both configs),
//! `weights.safetensors` (every parameter under its Hugging Face name, then AdamW's
//! moments as `adam.m.<name>` / `adam.v.<name>`) and `vocab.txt`. It is written
//! beside the old one and swapped in with renames, so an interrupted save leaves
//! the previous checkpoint intact.
//!
//! [`export`] writes a Hugging Face folder (`config.json`, `model.safetensors`,
//! `vocab.txt`) with `BertForPreTraining`'s names: `bert.*`, `bert.pooler.*`,
//! `cls.predictions.*` and `cls.seq_relationship.*`.

use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use super::grads::{model_tensors, model_tensors_mut};
use super::model::{PretrainHeads, PretrainModel, TrainError};
use super::trainer::{TrainConfig, Trainer};
use crate::model::bert::config::BertConfig;
use crate::model::bert::linear::Linear;
use crate::model::bert::weights::{parse_safetensors, tensor_f32, tensors_to_safetensors};
use crate::model::tokenize::WordPiece;

/// The counters and settings of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    pub step: u64,
    pub tokens: u64,
    /// Training seconds so far, summed over every resumed session.
    pub elapsed_s: f64,
    pub train: TrainConfig,
    pub model: BertConfig,
}

/// Largest checkpoint read back: parameters and two moments of a model far
/// larger than any this trainer is meant for.
const MAX_CHECKPOINT_BYTES: u64 = 2 << 30;
const MAX_STATE_BYTES: u64 = 1 << 20;

fn io_err(path: &Path, e: impl std::fmt::Display) -> TrainError {
    TrainError::Setup(format!("{}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), TrainError> {
    std::fs::write(path, bytes).map_err(|e| io_err(path, e))
}

/// Owned copies of the model's tensors for the safetensors writer.
fn owned_tensors(model: &PretrainModel) -> Vec<(String, Vec<usize>, Vec<f32>)> {
    model_tensors(model)
        .into_iter()
        .map(|(name, t)| (name, t.shape().to_vec(), t.iter().copied().collect()))
        .collect()
}

/// Writes the trainer's checkpoint into `dir/checkpoint` (replacing the last one).
pub fn save(
    trainer: &Trainer,
    tokenizer: &WordPiece,
    elapsed_s: f64,
    dir: &Path,
) -> Result<(), TrainError> {
    let target = dir.join("checkpoint");
    let tmp = dir.join("checkpoint.tmp");
    let old = dir.join("checkpoint.old");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| io_err(&tmp, e))?;

    let mut tensors = owned_tensors(&trainer.model);
    let (m, v) = trainer.optimizer.moments();
    let shapes: Vec<(String, Vec<usize>)> = tensors
        .iter()
        .map(|(n, s, _)| (n.clone(), s.clone()))
        .collect();
    for (prefix, moments) in [("adam.m.", m), ("adam.v.", v)] {
        for ((name, shape), values) in shapes.iter().zip(moments) {
            tensors.push((format!("{prefix}{name}"), shape.clone(), values.clone()));
        }
    }
    let bytes =
        tensors_to_safetensors(&tensors, false).map_err(|e| TrainError::Weights(e.to_string()))?;
    write(&tmp.join("weights.safetensors"), &bytes)?;
    write(&tmp.join("vocab.txt"), tokenizer.to_vocab_txt().as_bytes())?;
    let state = RunState {
        step: trainer.step,
        tokens: trainer.tokens,
        elapsed_s,
        train: trainer.config.clone(),
        model: trainer.model.config.clone(),
    };
    let json = serde_json::to_string_pretty(&state).map_err(|e| io_err(&tmp, e))?;
    write(&tmp.join("state.json"), json.as_bytes())?;

    let _ = std::fs::remove_dir_all(&old);
    if target.exists() {
        std::fs::rename(&target, &old).map_err(|e| io_err(&target, e))?;
    }
    std::fs::rename(&tmp, &target).map_err(|e| io_err(&target, e))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// A restored checkpoint: the run's state, the model, the optimiser's moments
/// (empty before the first update) and the vocabulary file's text.
pub struct Restored {
    pub state: RunState,
    pub model: PretrainModel,
    pub moments: (Vec<Vec<f32>>, Vec<Vec<f32>>),
    pub vocab: String,
}

fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, TrainError> {
    crate::model::text::bounded::read_bytes(path, max).map_err(|e| io_err(path, e))
}

/// Reads `dir/checkpoint` (or the previous one if a save was cut short).
pub fn load(dir: &Path) -> Result<Restored, TrainError> {
    let mut folder: PathBuf = dir.join("checkpoint");
    if !folder.join("state.json").is_file() && dir.join("checkpoint.old/state.json").is_file() {
        folder = dir.join("checkpoint.old");
    }
    let state_path = folder.join("state.json");
    let state: RunState = serde_json::from_slice(&read_bounded(&state_path, MAX_STATE_BYTES)?)
        .map_err(|e| io_err(&state_path, e))?;
    state.model.validate().map_err(|e| io_err(&state_path, e))?;
    let weights_path = folder.join("weights.safetensors");
    let bytes = read_bounded(&weights_path, MAX_CHECKPOINT_BYTES)?;
    let st = parse_safetensors(&bytes).map_err(|e| io_err(&weights_path, e))?;
    let mut model = PretrainModel::random(&state.model, 0)?;
    let mut m = Vec::new();
    let mut v = Vec::new();
    let has_moments = st
        .tensor("adam.m.bert.embeddings.word_embeddings.weight")
        .is_ok();
    for (name, mut tensor) in model_tensors_mut(&mut model) {
        let shape = tensor.shape().to_vec();
        let read = |n: &str| tensor_f32(&st, n, &shape).map_err(|e| io_err(&weights_path, e));
        for (dst, src) in tensor.iter_mut().zip(read(&name)?) {
            *dst = src;
        }
        if has_moments {
            m.push(read(&format!("adam.m.{name}"))?);
            v.push(read(&format!("adam.v.{name}"))?);
        }
    }
    let vocab_path = folder.join("vocab.txt");
    let vocab = String::from_utf8(read_bounded(&vocab_path, 64 << 20)?)
        .map_err(|e| io_err(&vocab_path, e))?;
    Ok(Restored {
        state,
        model,
        moments: (m, v),
        vocab,
    })
}

/// Writes `model` as a Hugging Face `BertForPreTraining` folder that
/// [`crate::model::bert::model_dir::Model::load`] and PyTorch both read.
pub fn export(
    model: &PretrainModel,
    tokenizer: &WordPiece,
    dir: &Path,
    f16: bool,
) -> Result<(), TrainError> {
    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    let mut config =
        serde_json::to_value(&model.config).map_err(|e| io_err(&dir.join("config.json"), e))?;
    if let Some(obj) = config.as_object_mut() {
        obj.insert(
            "architectures".into(),
            serde_json::json!(["BertForPreTraining"]),
        );
        obj.insert("model_type".into(), "bert".into());
        obj.insert("pad_token_id".into(), 0.into());
        obj.insert("tie_word_embeddings".into(), true.into());
        obj.insert("hidden_dropout_prob".into(), 0.1.into());
        obj.insert("attention_probs_dropout_prob".into(), 0.1.into());
        obj.insert("initializer_range".into(), 0.02.into());
        obj.insert(
            "dtype".into(),
            if f16 { "float16" } else { "float32" }.into(),
        );
    }
    let json = serde_json::to_string_pretty(&config).map_err(|e| io_err(dir, e))?;
    write(&dir.join("config.json"), json.as_bytes())?;
    write(&dir.join("vocab.txt"), tokenizer.to_vocab_txt().as_bytes())?;
    let bytes = tensors_to_safetensors(&owned_tensors(model), f16)
        .map_err(|e| TrainError::Weights(e.to_string()))?;
    write(&dir.join("model.safetensors"), &bytes)
}

/// The pooler and NSP head from safetensors bytes, when the file has them
/// (`BertForPreTraining` exports do; `BertForMaskedLM` ones do not).
pub fn read_heads(bytes: &[u8], hidden: usize) -> Option<PretrainHeads> {
    let st = parse_safetensors(bytes).ok()?;
    let linear = |name: &str, out: usize| -> Option<Linear> {
        let w = tensor_f32(&st, &format!("{name}.weight"), &[out, hidden]).ok()?;
        let b = tensor_f32(&st, &format!("{name}.bias"), &[out]).ok()?;
        Some(Linear {
            weight: Array2::from_shape_vec((out, hidden), w).ok()?,
            bias: Array1::from(b),
        })
    };
    Some(PretrainHeads {
        pooler: linear("bert.pooler.dense", hidden)?,
        seq_relationship: linear("cls.seq_relationship", 2)?,
    })
}
