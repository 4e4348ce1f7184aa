//! The model that ships inside the app: a 4-layer BERT (hidden 128, 4 heads) trained
//! with masked-language modelling on the shipped corpus by `assets/make_tiny_model.py`,
//! with bert-base-uncased's vocabulary. Embedded in the binary, so the playground works
//! with no files next to it.

use std::path::PathBuf;

use super::config::BertConfig;
use super::model_dir::{Model, ModelError};
use super::weights::BertWeights;
use crate::model::tokenize::WordPiece;
use crate::model::tokenize::basic::BasicTokenizer;

const CONFIG: &str = include_str!("../../../assets/models/tiny-sotu/config.json");
/// The shipped `model.safetensors` (also read for the pooler and NSP head).
pub const WEIGHTS: &[u8] = include_bytes!("../../../assets/models/tiny-sotu/model.safetensors");
const VOCAB: &str = include_str!("../../../assets/models/tiny-sotu/vocab.txt");

/// The name the UI shows.
pub const NAME: &str = "built-in tiny BERT (trained on the State of the Union corpus)";

/// Parses the embedded files (tens of milliseconds; call it off the UI thread).
pub fn load() -> Result<Model, ModelError> {
    let path = || PathBuf::from("assets/models/tiny-sotu");
    let config = BertConfig::from_json_str(CONFIG).map_err(|source| ModelError::Config {
        path: path().join("config.json"),
        source,
    })?;
    let weights = BertWeights::from_safetensors_bytes(&config, WEIGHTS).map_err(|source| {
        ModelError::Weights {
            path: path().join("model.safetensors"),
            source,
        }
    })?;
    let tokenizer =
        WordPiece::from_vocab_txt(VOCAB, BasicTokenizer::uncased()).map_err(|source| {
            ModelError::Tokenizer {
                path: path().join("vocab.txt"),
                source,
            }
        })?;
    Model::from_parts(weights, tokenizer)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_model_loads_and_has_an_mlm_head() {
        let model = super::load().expect("the shipped model loads");
        assert_eq!(model.config.num_hidden_layers, 4);
        assert!(
            model.weights.mlm.is_some(),
            "the playground needs predictions"
        );
    }
}
