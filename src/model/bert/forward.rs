//! The BERT encoder forward pass on the CPU (ndarray), recording a [`Trace`].
//!
//! This is the reference the GPU backend must match to 1e-4. It follows
//! Hugging Face's `modeling_bert.py` sub-layer by sub-layer; each part of the
//! model has its `forward` beside its `load` ([`super::embeddings`], [`super::layer`],
//! [`super::mlm`]). Matrix products go through [`crate::model::numerics::matmul`]
//! (the `gemm` crate's packed SIMD kernels); only O(tokens × width) element-wise
//! work is written out.

use std::collections::BTreeSet;

use thiserror::Error;

use super::config::BertConfig;
use super::detail::{TraceDetail, lean};
use super::trace::{LayerTrace, Trace};
use super::weights::BertWeights;
use crate::model::tokenize::ModelInput;

/// Errors for inputs the model cannot run on.
#[derive(Debug, Error, PartialEq)]
pub enum ForwardError {
    #[error("the input has no tokens")]
    Empty,
    #[error("the input is {len} tokens long; this model accepts at most {max}")]
    TooLong { len: usize, max: usize },
    #[error(
        "token id {id} is outside the model's vocabulary of {vocab} (tokeniser and model do not match)"
    )]
    IdOutOfRange { id: u32, vocab: usize },
    #[error("segment id {id} is outside the model's {types} segment types")]
    TypeIdOutOfRange { id: u32, types: usize },
    #[error("{what} has {found} entries for {tokens} tokens")]
    LengthMismatch {
        what: &'static str,
        found: usize,
        tokens: usize,
    },
    #[error("the attention mask hides every token")]
    AllMasked,
    #[error("ablation names {0}, which this model does not have")]
    BadAblation(String),
}

/// Parts of the network to switch off, for "what if" lessons.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ablation {
    /// `(layer, head)` pairs whose context output is replaced by zeros.
    pub heads: BTreeSet<(usize, usize)>,
    /// Layers replaced by the identity (output = input).
    pub skip_layers: BTreeSet<usize>,
}

impl Ablation {
    /// The heads of `layer` whose output is zeroed, in increasing order.
    pub fn heads_in(&self, layer: usize) -> Vec<usize> {
        self.heads
            .iter()
            .filter(|(l, _)| *l == layer)
            .map(|(_, h)| *h)
            .collect()
    }
}

/// Knobs of one forward pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardOptions {
    /// `false` marks padding; `None` means every token is real.
    pub attention_mask: Option<Vec<bool>>,
    pub ablation: Ablation,
    /// MLM predictions kept per position (when the model has a head).
    pub top_k: usize,
    /// The tensors to return; the CPU computes them all and drops the rest.
    pub detail: TraceDetail,
}

impl Default for ForwardOptions {
    fn default() -> Self {
        Self {
            attention_mask: None,
            ablation: Ablation::default(),
            top_k: 5,
            detail: TraceDetail::Full,
        }
    }
}

/// Runs the encoder (and MLM head, if any) on one encoded input.
pub fn forward(
    weights: &BertWeights,
    input: &ModelInput,
    opts: &ForwardOptions,
) -> Result<Trace, ForwardError> {
    let config = &weights.config;
    let n = input.ids.len();
    check_input(config, input, opts)?;
    let mask = opts.attention_mask.clone().unwrap_or_else(|| vec![true; n]);

    let embeddings = weights
        .embeddings
        .forward(config, &input.ids, &input.type_ids);
    let mut x = embeddings.normed.clone();
    let mut layers = Vec::with_capacity(weights.layers.len());
    for (index, layer) in weights.layers.iter().enumerate() {
        if opts.ablation.skip_layers.contains(&index) {
            layers.push(LayerTrace {
                steps: None,
                output: x.clone(),
            });
            continue;
        }
        let ablated = opts.ablation.heads_in(index);
        let (steps, output) = layer.forward(config, &x, &mask, &ablated);
        x = output;
        layers.push(LayerTrace {
            steps: Some(steps),
            output: x.clone(),
        });
    }
    let mlm = weights
        .mlm
        .as_ref()
        .map(|head| head.forward(config, &weights.embeddings.word, &x, opts.top_k));
    let trace = Trace {
        tokens: input.tokens.clone(),
        ids: input.ids.clone(),
        type_ids: input.type_ids.clone(),
        attention_mask: mask,
        embeddings,
        layers,
        mlm,
        detail: TraceDetail::Full,
    };
    Ok(lean(trace, opts.detail))
}

/// Rejects inputs the model cannot run on; both backends call it first.
pub fn check_input(
    config: &BertConfig,
    input: &ModelInput,
    opts: &ForwardOptions,
) -> Result<(), ForwardError> {
    let n = input.ids.len();
    if n == 0 {
        return Err(ForwardError::Empty);
    }
    if n > config.max_position_embeddings {
        return Err(ForwardError::TooLong {
            len: n,
            max: config.max_position_embeddings,
        });
    }
    for (what, found) in [
        ("type_ids", input.type_ids.len()),
        ("tokens", input.tokens.len()),
        (
            "attention_mask",
            opts.attention_mask.as_ref().map_or(n, Vec::len),
        ),
    ] {
        if found != n {
            return Err(ForwardError::LengthMismatch {
                what,
                found,
                tokens: n,
            });
        }
    }
    if let Some(&id) = input
        .ids
        .iter()
        .find(|&&id| id as usize >= config.vocab_size)
    {
        return Err(ForwardError::IdOutOfRange {
            id,
            vocab: config.vocab_size,
        });
    }
    if let Some(&id) = input
        .type_ids
        .iter()
        .find(|&&id| id as usize >= config.type_vocab_size)
    {
        return Err(ForwardError::TypeIdOutOfRange {
            id,
            types: config.type_vocab_size,
        });
    }
    if opts
        .attention_mask
        .as_ref()
        .is_some_and(|m| !m.iter().any(|&b| b))
    {
        return Err(ForwardError::AllMasked);
    }
    let ab = &opts.ablation;
    if let Some(l) = ab
        .skip_layers
        .iter()
        .find(|&&l| l >= config.num_hidden_layers)
    {
        return Err(ForwardError::BadAblation(format!("layer {l}")));
    }
    if let Some((l, h)) = ab
        .heads
        .iter()
        .find(|(l, h)| *l >= config.num_hidden_layers || *h >= config.num_attention_heads)
    {
        return Err(ForwardError::BadAblation(format!("layer {l} head {h}")));
    }
    Ok(())
}
