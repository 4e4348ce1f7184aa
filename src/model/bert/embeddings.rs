//! The embedding block: word, position and segment tables summed and normalised,
//! loaded from `embeddings.*` of a checkpoint.

use ndarray::{Array2, Axis, s};

use super::config::BertConfig;
use super::linear::LayerNorm;
use super::trace::EmbeddingTrace;
use super::weights::{Reader, WeightsError};

/// Word, position and segment (token type) tables plus their LayerNorm.
#[derive(Debug, Clone, PartialEq)]
pub struct Embeddings {
    pub word: Array2<f32>,
    pub position: Array2<f32>,
    pub token_type: Array2<f32>,
    pub layer_norm: LayerNorm,
}

impl Embeddings {
    /// Reads the three tables and their LayerNorm, shapes checked against `config`.
    pub(super) fn load(reader: &Reader, config: &BertConfig) -> Result<Self, WeightsError> {
        let h = config.hidden_size;
        Ok(Embeddings {
            word: reader.mat("embeddings.word_embeddings.weight", config.vocab_size, h)?,
            position: reader.mat(
                "embeddings.position_embeddings.weight",
                config.max_position_embeddings,
                h,
            )?,
            token_type: reader.mat(
                "embeddings.token_type_embeddings.weight",
                config.type_vocab_size,
                h,
            )?,
            layer_norm: LayerNorm::load(reader, "embeddings.LayerNorm", h)?,
        })
    }

    /// Looks up the three tables and normalises their sum.
    /// Reference: `BertEmbeddings` in Hugging Face's `modeling_bert.py`.
    pub fn forward(&self, config: &BertConfig, ids: &[u32], type_ids: &[u32]) -> EmbeddingTrace {
        let n = ids.len();
        let rows = |table: &Array2<f32>, idx: &[u32]| {
            let idx: Vec<usize> = idx.iter().map(|&i| i as usize).collect();
            table.select(Axis(0), &idx) // (tokens × hidden)
        };
        let token = rows(&self.word, ids);
        let position = self.position.slice(s![..n, ..]).to_owned(); // (tokens × hidden)
        let segment = rows(&self.token_type, type_ids);
        let sum = &token + &position + &segment;
        let normed = self.layer_norm.forward(&sum.view(), config.layer_norm_eps);
        EmbeddingTrace {
            token,
            position,
            segment,
            sum,
            normed,
        }
    }
}
