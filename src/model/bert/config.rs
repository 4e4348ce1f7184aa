//! BERT hyper-parameters, read from a Hugging Face `config.json`.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Upper bound on the number of parameters a config may describe.
///
/// A config is untrusted input: without a bound, `hidden_size: 10^12` would make
/// [`crate::model::bert::weights::BertWeights::random`] try to allocate terabytes.
/// 2^31 f32 values (8 GiB) is far above anything the app is meant to run.
pub const MAX_PARAMETERS: u64 = 1 << 31;

/// Errors from reading or checking a config.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("config.json is not valid JSON for a BERT model: {}", crate::model::text::quote::shorten_message(&.0.to_string(), 200))]
    Json(#[from] serde_json::Error),
    #[error("config.json is not usable: {0}")]
    Invalid(String),
}

/// Activation used in the feed-forward block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// Exact GELU, `x·Φ(x)`, as Hugging Face's `"gelu"`.
    Gelu,
    /// The tanh approximation of GELU (`"gelu_new"`, GPT-2's choice).
    GeluNew,
    Relu,
}

fn default_activation() -> Activation {
    Activation::Gelu
}
fn default_max_positions() -> usize {
    512
}
fn default_type_vocab() -> usize {
    2
}
fn default_eps() -> f64 {
    1e-12
}

/// The subset of Hugging Face's `BertConfig` that the forward pass needs.
///
/// Unknown keys in `config.json` (dropout, `architectures`, …) are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    #[serde(default = "default_activation")]
    pub hidden_act: Activation,
    #[serde(default = "default_max_positions")]
    pub max_position_embeddings: usize,
    #[serde(default = "default_type_vocab")]
    pub type_vocab_size: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    /// Only `"absolute"` is implemented; other kinds (relative keys) are rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_embedding_type: Option<String>,
}

impl BertConfig {
    /// The shipped "untrained" model: 4 layers, hidden 128, 4 heads, FFN 512,
    /// with bert-base-uncased's 30,522-token vocabulary.
    pub fn tiny() -> Self {
        Self {
            vocab_size: 30522,
            hidden_size: 128,
            num_hidden_layers: 4,
            num_attention_heads: 4,
            intermediate_size: 512,
            hidden_act: Activation::Gelu,
            max_position_embeddings: 512,
            type_vocab_size: 2,
            layer_norm_eps: 1e-12,
            position_embedding_type: None,
        }
    }

    /// all-MiniLM-L6-v2: 6 layers, hidden 384, 12 heads, FFN 1536.
    pub fn minilm_l6() -> Self {
        Self {
            hidden_size: 384,
            num_hidden_layers: 6,
            num_attention_heads: 12,
            intermediate_size: 1536,
            ..Self::tiny()
        }
    }

    /// Parses and validates the text of a `config.json`.
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        let config: Self = serde_json::from_str(text)?;
        config.validate()?;
        Ok(config)
    }

    /// Width of one attention head (`hidden / heads`).
    pub fn head_dim(&self) -> usize {
        self.hidden_size / self.num_attention_heads.max(1)
    }

    /// Parameters described by this config, counting the MLM head transform.
    pub fn parameter_count(&self) -> u64 {
        // Saturating: the config is untrusted and may hold absurd sizes.
        let m = |a: u64, b: u64| a.saturating_mul(b);
        let h = self.hidden_size as u64;
        let i = self.intermediate_size as u64;
        let v = self.vocab_size as u64;
        let tables = v
            .saturating_add(self.max_position_embeddings as u64)
            .saturating_add(self.type_vocab_size as u64);
        let embeddings = m(tables, h).saturating_add(m(2, h));
        let attention = m(4, m(h, h)).saturating_add(m(4, h));
        let ffn = m(2, m(h, i)).saturating_add(i).saturating_add(h);
        let layer = attention.saturating_add(ffn).saturating_add(m(4, h));
        let mlm = m(h, h).saturating_add(m(3, h)).saturating_add(v);
        embeddings
            .saturating_add(m(layer, self.num_hidden_layers as u64))
            .saturating_add(mlm)
    }

    /// Checks the invariants the forward pass relies on.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |msg: String| Err(ConfigError::Invalid(msg));
        for (name, value) in [
            ("vocab_size", self.vocab_size),
            ("hidden_size", self.hidden_size),
            ("num_hidden_layers", self.num_hidden_layers),
            ("num_attention_heads", self.num_attention_heads),
            ("intermediate_size", self.intermediate_size),
            ("max_position_embeddings", self.max_position_embeddings),
            ("type_vocab_size", self.type_vocab_size),
        ] {
            if value == 0 {
                return bad(format!("{name} must be at least 1"));
            }
        }
        if !self.hidden_size.is_multiple_of(self.num_attention_heads) {
            return bad(format!(
                "hidden_size {} is not divisible by num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            ));
        }
        // The forward pass adds it as an f32: 1e-50 would become 0 there.
        let eps = self.layer_norm_eps as f32;
        if !(eps.is_finite() && eps > 0.0) {
            return bad(format!(
                "layer_norm_eps must be a positive number a 32-bit float can hold (e.g. 1e-12), got {:e}",
                self.layer_norm_eps
            ));
        }
        if let Some(kind) = &self.position_embedding_type
            && kind != "absolute"
        {
            return bad(format!(
                "position_embedding_type {} is not supported (only \"absolute\")",
                crate::model::text::quote::quote(kind)
            ));
        }
        if self.parameter_count() > MAX_PARAMETERS {
            return bad(format!(
                "the model would have {} parameters, more than the {} this app accepts",
                self.parameter_count(),
                MAX_PARAMETERS
            ));
        }
        Ok(())
    }
}
