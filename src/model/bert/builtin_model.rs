//! The model that ships inside the app: a 4-layer BERT (hidden 128, 4 heads, 128
//! positions) pre-trained from scratch by this project's own `llm-lens train-bert` on
//! the shipped corpus (masked words and next-sentence prediction), with its own 8,000
//! word-piece vocabulary; `assets/models/sotu-bert/TRAINING.md` says how. Embedded in
//! the binary, with its training log, so the lessons work with no files next to it.

use std::path::PathBuf;

use super::config::BertConfig;
use super::model_dir::{Model, ModelError};
use super::weights::BertWeights;
use crate::model::tokenize::WordPiece;
use crate::model::tokenize::basic::BasicTokenizer;

const CONFIG: &str = include_str!("../../../assets/models/sotu-bert/config.json");
/// The shipped `model.safetensors` (also read for the pooler and NSP head).
pub const WEIGHTS: &[u8] = include_bytes!("../../../assets/models/sotu-bert/model.safetensors");
const VOCAB: &str = include_str!("../../../assets/models/sotu-bert/vocab.txt");
/// The run's `log.csv` (one row per 25 updates), plotted by the BERT lesson.
pub const LOG_CSV: &str = include_str!("../../../assets/models/sotu-bert/log.csv");
/// The run's `eval.csv` (held-out scores every 500 updates).
pub const EVAL_CSV: &str = include_str!("../../../assets/models/sotu-bert/eval.csv");

/// The name the UI shows.
pub const NAME: &str = "built-in small BERT (pre-trained on the State of the Union corpus)";

/// The built-in model's configuration alone (microseconds: no weights are read), e.g. for
/// its parameter count.
pub fn config() -> Option<BertConfig> {
    BertConfig::from_json_str(CONFIG).ok()
}

/// Parses the embedded files (tens of milliseconds; call it off the UI thread).
pub fn load() -> Result<Model, ModelError> {
    let path = || PathBuf::from("assets/models/sotu-bert");
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
