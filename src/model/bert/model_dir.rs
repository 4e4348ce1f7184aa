//! A model folder as Hugging Face saves it: `config.json`, `model.safetensors`
//! and `tokenizer.json` or `vocab.txt`.
//!
//! Every way a folder can be wrong gets its own error naming the file and the
//! problem, because the learner picked the folder and needs to know what to fix.

use std::path::{Path, PathBuf};

use thiserror::Error;

use super::config::{BertConfig, ConfigError};
use super::forward::{ForwardError, ForwardOptions, forward};
use super::trace::Trace;
use super::weights::{BertWeights, WeightsError};
use crate::model::text::bounded;
use crate::model::tokenize::{ModelInput, TokenizeError, WordPiece};

/// `config.json` larger than this is not a config.
pub(super) const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Why a model folder could not be used.
#[derive(Debug, Error)]
pub enum ModelError {
    #[error("{0} is not a folder")]
    NotAFolder(PathBuf),
    #[error(
        "{dir} has no {file}; a BERT model folder needs config.json, model.safetensors and vocab.txt or tokenizer.json"
    )]
    MissingFile { dir: PathBuf, file: &'static str },
    #[error(
        "{0} holds only pytorch_model.bin, a Python pickle that LLM Lens does not read (it can run code); convert it to model.safetensors first, e.g. with transformers' save_pretrained(..., safe_serialization=True)"
    )]
    PickleOnly(PathBuf),
    #[error(
        "the chosen files have no {file}; a BERT model needs config.json, model.safetensors and vocab.txt or tokenizer.json"
    )]
    MissingChosen { file: &'static str },
    #[error(
        "the chosen weights are pytorch_model.bin, a Python pickle that LLM Lens does not read (it can run code); choose model.safetensors instead"
    )]
    PickleChosen,
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("cannot write {path}: {message}")]
    Write { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Config { path: PathBuf, source: ConfigError },
    #[error("{path}: {source}")]
    Weights { path: PathBuf, source: WeightsError },
    #[error("{path}: {source}")]
    Tokenizer {
        path: PathBuf,
        source: TokenizeError,
    },
    #[error(
        "the tokeniser has {tokens} tokens but the model's vocab_size is {vocab}; they do not belong together"
    )]
    VocabMismatch { tokens: usize, vocab: usize },
    #[error(transparent)]
    Forward(#[from] ForwardError),
}

/// A loaded model: weights plus the tokeniser that matches them.
#[derive(Debug, Clone)]
pub struct Model {
    pub config: BertConfig,
    pub weights: BertWeights,
    pub tokenizer: WordPiece,
}

impl Model {
    /// Loads a Hugging Face BERT folder. Prefers `tokenizer.json` (it states
    /// the casing) over `vocab.txt` (casing guessed from the vocabulary).
    pub fn load(dir: &Path) -> Result<Self, ModelError> {
        if !dir.is_dir() {
            return Err(ModelError::NotAFolder(dir.to_path_buf()));
        }
        let config_path = dir.join("config.json");
        not_a_file(&config_path)?;
        if !config_path.is_file() {
            return Err(ModelError::MissingFile {
                dir: dir.to_path_buf(),
                file: "config.json",
            });
        }
        let text = read_small_text(&config_path, MAX_CONFIG_BYTES)?;
        let config = parse_config(&config_path, &text)?;

        let Some(tok_path) = WordPiece::file_in(dir) else {
            return Err(ModelError::MissingFile {
                dir: dir.to_path_buf(),
                file: "vocab.txt or tokenizer.json",
            });
        };
        let tokenizer = WordPiece::from_file(&tok_path);
        let tokenizer = tokenizer.map_err(|source| ModelError::Tokenizer {
            path: tok_path,
            source,
        })?;
        check_vocab(&tokenizer, &config)?;

        let weights_path = dir.join("model.safetensors");
        not_a_file(&weights_path)?;
        if !weights_path.is_file() {
            if dir.join("pytorch_model.bin").is_file() {
                return Err(ModelError::PickleOnly(dir.to_path_buf()));
            }
            return Err(ModelError::MissingFile {
                dir: dir.to_path_buf(),
                file: "model.safetensors",
            });
        }
        let weights =
            BertWeights::load(&config, &weights_path).map_err(|source| ModelError::Weights {
                path: weights_path,
                source,
            })?;
        Ok(Self {
            config,
            weights,
            tokenizer,
        })
    }

    /// A model from weights already in memory (e.g. the built-in random one).
    pub fn from_parts(weights: BertWeights, tokenizer: WordPiece) -> Result<Self, ModelError> {
        check_vocab(&tokenizer, &weights.config)?;
        Ok(Self {
            config: weights.config.clone(),
            weights,
            tokenizer,
        })
    }

    /// Tokenises one sentence, or a pair when `pair` is given.
    pub fn encode(&self, text: &str, pair: Option<&str>) -> ModelInput {
        match pair {
            Some(b) => self.tokenizer.encode_pair(text, b),
            None => self.tokenizer.encode(text),
        }
    }

    /// Tokenises and runs the CPU forward pass.
    pub fn trace(
        &self,
        text: &str,
        pair: Option<&str>,
        opts: &ForwardOptions,
    ) -> Result<Trace, ModelError> {
        Ok(forward(&self.weights, &self.encode(text, pair), opts)?)
    }

    /// Writes this model as a Hugging Face folder (config.json, model.safetensors, vocab.txt).
    pub fn save(&self, dir: &Path) -> Result<(), ModelError> {
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).map_err(|e| ModelError::Write {
                path,
                message: e.to_string(),
            })
        };
        std::fs::create_dir_all(dir).map_err(|e| ModelError::Write {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        let config = serde_json::to_string_pretty(&self.config).map_err(|e| ModelError::Write {
            path: dir.join("config.json"),
            message: e.to_string(),
        })?;
        write("config.json", config.as_bytes())?;
        write("vocab.txt", self.tokenizer.to_vocab_txt().as_bytes())?;
        let path = dir.join("model.safetensors");
        self.weights
            .save(&path)
            .map_err(|source| ModelError::Weights { path, source })
    }
}

/// `config.json`'s text as a config, or what is wrong with it (for either loader).
pub(super) fn parse_config(path: &Path, text: &str) -> Result<BertConfig, ModelError> {
    BertConfig::from_json_str(text).map_err(|source| ModelError::Config {
        path: path.to_path_buf(),
        source,
    })
}

/// A tokeniser with more tokens than the model has embeddings belongs to another model.
pub(super) fn check_vocab(tokenizer: &WordPiece, config: &BertConfig) -> Result<(), ModelError> {
    if tokenizer.vocab_size() > config.vocab_size {
        return Err(ModelError::VocabMismatch {
            tokens: tokenizer.vocab_size(),
            vocab: config.vocab_size,
        });
    }
    Ok(())
}

fn read_small_text(path: &Path, max: u64) -> Result<String, ModelError> {
    bounded::read_text(path, max).map_err(|e| ModelError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Something that exists under a file's name but is not a regular file (a folder, a
/// FIFO) is said to be so, not reported missing.
fn not_a_file(path: &Path) -> Result<(), ModelError> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => Err(ModelError::Read {
            path: path.to_path_buf(),
            message: if meta.is_dir() {
                "it is a folder, not a regular file".into()
            } else {
                "it is not a regular file".into()
            },
        }),
        _ => Ok(()),
    }
}
