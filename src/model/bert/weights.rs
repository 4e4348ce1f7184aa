//! BERT weights: Hugging Face tensor names, loaded from and saved to safetensors.
//! [`BertWeights`] holds the whole model and reads the file; each part reads its own
//! tensors in its own file ([`super::linear`], [`super::embeddings`],
//! [`super::layer`], [`super::mlm`]) through the shape-checking `Reader`.
//!
//! Matrices keep PyTorch's `nn.Linear` layout `(out, in)` so that a checkpoint
//! maps one-to-one onto these structs; the forward pass multiplies by the
//! transposed view, which `ndarray`'s `dot` handles without copying.

use std::path::Path;

use ndarray::{Array1, Array2};
use safetensors::tensor::{Dtype, TensorView};
use safetensors::{SafeTensorError, SafeTensors};
use thiserror::Error;

use super::config::{BertConfig, ConfigError};
use super::embeddings::Embeddings;
use super::layer::{Layer, ResidualOutput, SelfAttention};
use super::linear::{LayerNorm, Linear};
use super::mlm::MlmHead;
use crate::model::numerics::rng::SplitMix64;
use crate::model::text::bounded::{self, BoundedError};

/// Largest `model.safetensors` accepted: bounds what a lying file can make us read.
pub const MAX_SAFETENSORS_BYTES: u64 = 4 << 30;

/// Largest weight magnitude accepted (real checkpoints stay below ~100).
pub const MAX_WEIGHT: f32 = 1e4;

/// Errors from reading, checking or writing weights.
#[derive(Debug, Error)]
pub enum WeightsError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is {size} bytes, more than the {max} bytes this app accepts")]
    TooLarge { path: String, size: u64, max: u64 },
    #[error(
        "the safetensors file is truncated or its header is wrong ({0}); re-download or re-export the model"
    )]
    BadFile(String),
    #[error("tensor `{0}` is missing from the safetensors file")]
    Missing(String),
    #[error("tensor `{name}` has shape {found:?} but the config needs {expected:?}")]
    WrongShape {
        name: String,
        expected: Vec<usize>,
        found: Vec<usize>,
    },
    #[error("tensor `{name}` is stored as {dtype}; only F32, F16 and BF16 are supported")]
    UnsupportedDtype { name: String, dtype: String },
    #[error("tensor `{0}` contains NaN or infinite values")]
    NotFinite(String),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot write safetensors file: {0}")]
    Write(String),
}

/// Every tensor of a BERT encoder, plus the MLM head when the checkpoint has one.
#[derive(Debug, Clone, PartialEq)]
pub struct BertWeights {
    pub config: BertConfig,
    pub embeddings: Embeddings,
    pub layers: Vec<Layer>,
    pub mlm: Option<MlmHead>,
}

impl BertWeights {
    /// A randomly initialised ("untrained") model, as BERT's own initialiser:
    /// matrices ~ N(0, 0.02²), biases 0, LayerNorm γ = 1, β = 0, MLM decoder tied.
    ///
    /// The same `(config, seed)` always gives the same weights on every machine.
    pub fn random(config: &BertConfig, seed: u64) -> Result<Self, WeightsError> {
        config.validate()?;
        let mut rng = SplitMix64::new(seed);
        let mut mat = |rows: usize, cols: usize| {
            Array2::from_shape_simple_fn((rows, cols), || (rng.normal() * 0.02) as f32)
        };
        let h = config.hidden_size;
        let i = config.intermediate_size;
        let ln = || LayerNorm {
            gamma: Array1::ones(h),
            beta: Array1::zeros(h),
        };
        let word = mat(config.vocab_size, h);
        let position = mat(config.max_position_embeddings, h);
        let token_type = mat(config.type_vocab_size, h);
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for _ in 0..config.num_hidden_layers {
            let mut lin = |out: usize, inp: usize| Linear {
                weight: mat(out, inp),
                bias: Array1::zeros(out),
            };
            let attention = SelfAttention {
                query: lin(h, h),
                key: lin(h, h),
                value: lin(h, h),
            };
            let attn_dense = lin(h, h);
            let intermediate = lin(i, h);
            let out_dense = lin(h, i);
            layers.push(Layer {
                attention,
                attention_output: ResidualOutput {
                    dense: attn_dense,
                    layer_norm: ln(),
                },
                intermediate,
                output: ResidualOutput {
                    dense: out_dense,
                    layer_norm: ln(),
                },
            });
        }
        let mlm = MlmHead {
            transform: Linear {
                weight: mat(h, h),
                bias: Array1::zeros(h),
            },
            layer_norm: ln(),
            decoder: None,
            bias: Array1::zeros(config.vocab_size),
        };
        Ok(Self {
            config: config.clone(),
            embeddings: Embeddings {
                word,
                position,
                token_type,
                layer_norm: ln(),
            },
            layers,
            mlm: Some(mlm),
        })
    }

    /// Reads `model.safetensors` (size-checked before reading).
    pub fn load(config: &BertConfig, path: &Path) -> Result<Self, WeightsError> {
        let shown = path.display().to_string();
        let io = |source| WeightsError::Io {
            path: shown.clone(),
            source,
        };
        let bytes = bounded::read_bytes(path, MAX_SAFETENSORS_BYTES).map_err(|e| match e {
            BoundedError::TooLarge { size, max } => WeightsError::TooLarge {
                path: shown.clone(),
                size,
                max,
            },
            BoundedError::Io(source) => io(source),
            other => io(std::io::Error::other(other.to_string())),
        })?;
        Self::from_safetensors_bytes(config, &bytes)
    }

    /// As [`BertWeights::load`], for a file already in memory (picked in the browser):
    /// the same size limit, `shown` naming it in messages.
    pub fn from_named_bytes(
        config: &BertConfig,
        shown: &str,
        bytes: &[u8],
    ) -> Result<Self, WeightsError> {
        let bytes = bounded::within(bytes, MAX_SAFETENSORS_BYTES).map_err(|e| match e {
            BoundedError::TooLarge { size, max } => WeightsError::TooLarge {
                path: shown.to_owned(),
                size,
                max,
            },
            other => WeightsError::Io {
                path: shown.to_owned(),
                source: std::io::Error::other(other.to_string()),
            },
        })?;
        Self::from_safetensors_bytes(config, bytes)
    }

    /// Parses safetensors bytes and checks every tensor against `config`.
    ///
    /// Accepts names with or without the `bert.` prefix (BertForMaskedLM vs
    /// BertModel); `cls.predictions.*` becomes the MLM head when present.
    pub fn from_safetensors_bytes(config: &BertConfig, bytes: &[u8]) -> Result<Self, WeightsError> {
        config.validate()?;
        let st =
            SafeTensors::deserialize(bytes).map_err(|e| describe_safetensors_error(e, bytes))?;
        let prefix = if st.tensor("bert.embeddings.word_embeddings.weight").is_ok() {
            "bert."
        } else {
            ""
        };
        let in_file = checkpoint_layers(&st, prefix);
        if in_file > config.num_hidden_layers {
            return Err(WeightsError::Config(ConfigError::Invalid(format!(
                "the checkpoint has {in_file} layers but num_hidden_layers is {}: layers {}..={} would be silently dropped; fix config.json",
                config.num_hidden_layers,
                config.num_hidden_layers,
                in_file - 1
            ))));
        }
        let reader = Reader { st: &st, prefix };
        let embeddings = Embeddings::load(&reader, config)?;
        let layers = (0..config.num_hidden_layers)
            .map(|n| Layer::load(&reader, config, n))
            .collect::<Result<Vec<_>, _>>()?;
        let root = Reader {
            st: &st,
            prefix: "",
        };
        let mlm = MlmHead::load(&root, config)?;
        Ok(Self {
            config: config.clone(),
            embeddings,
            layers,
            mlm,
        })
    }

    /// All tensors under their Hugging Face names, F32, in a stable order.
    ///
    /// With an MLM head the encoder gets the `bert.` prefix, as BertForMaskedLM
    /// checkpoints do; without one the names are BertModel's.
    pub fn named_tensors(&self) -> Vec<(String, Vec<usize>, Vec<f32>)> {
        let prefix = if self.mlm.is_some() { "bert." } else { "" };
        let mut out = Vec::new();
        let mut push2 = |name: String, a: &Array2<f32>| {
            let data = a
                .as_standard_layout()
                .into_owned()
                .into_raw_vec_and_offset()
                .0;
            out.push((name, a.shape().to_vec(), data));
        };
        let e = &self.embeddings;
        push2(
            format!("{prefix}embeddings.word_embeddings.weight"),
            &e.word,
        );
        push2(
            format!("{prefix}embeddings.position_embeddings.weight"),
            &e.position,
        );
        push2(
            format!("{prefix}embeddings.token_type_embeddings.weight"),
            &e.token_type,
        );
        let mut vecs: Vec<(String, &Array1<f32>)> = vec![
            (
                format!("{prefix}embeddings.LayerNorm.weight"),
                &e.layer_norm.gamma,
            ),
            (
                format!("{prefix}embeddings.LayerNorm.bias"),
                &e.layer_norm.beta,
            ),
        ];
        for (n, layer) in self.layers.iter().enumerate() {
            let p = format!("{prefix}encoder.layer.{n}");
            let linears = [
                ("attention.self.query", &layer.attention.query),
                ("attention.self.key", &layer.attention.key),
                ("attention.self.value", &layer.attention.value),
                ("attention.output.dense", &layer.attention_output.dense),
                ("intermediate.dense", &layer.intermediate),
                ("output.dense", &layer.output.dense),
            ];
            for (name, lin) in linears {
                push2(format!("{p}.{name}.weight"), &lin.weight);
                vecs.push((format!("{p}.{name}.bias"), &lin.bias));
            }
            for (name, ln) in [
                (
                    "attention.output.LayerNorm",
                    &layer.attention_output.layer_norm,
                ),
                ("output.LayerNorm", &layer.output.layer_norm),
            ] {
                vecs.push((format!("{p}.{name}.weight"), &ln.gamma));
                vecs.push((format!("{p}.{name}.bias"), &ln.beta));
            }
        }
        if let Some(mlm) = &self.mlm {
            push2(
                "cls.predictions.transform.dense.weight".into(),
                &mlm.transform.weight,
            );
            if let Some(decoder) = &mlm.decoder {
                push2("cls.predictions.decoder.weight".into(), decoder);
            }
            vecs.push((
                "cls.predictions.transform.dense.bias".into(),
                &mlm.transform.bias,
            ));
            vecs.push((
                "cls.predictions.transform.LayerNorm.weight".into(),
                &mlm.layer_norm.gamma,
            ));
            vecs.push((
                "cls.predictions.transform.LayerNorm.bias".into(),
                &mlm.layer_norm.beta,
            ));
            vecs.push(("cls.predictions.bias".into(), &mlm.bias));
        }
        for (name, v) in vecs {
            out.push((name, vec![v.len()], v.to_vec()));
        }
        out
    }

    /// Serialises to safetensors bytes (F32, little-endian).
    pub fn to_safetensors_bytes(&self) -> Result<Vec<u8>, WeightsError> {
        tensors_to_safetensors(&self.named_tensors(), false)
    }

    /// Writes `model.safetensors` in the format [`BertWeights::load`] reads.
    pub fn save(&self, path: &Path) -> Result<(), WeightsError> {
        let bytes = self.to_safetensors_bytes()?;
        std::fs::write(path, bytes).map_err(|source| WeightsError::Io {
            path: path.display().to_string(),
            source,
        })
    }
}

/// Little-endian bytes → f32. On little-endian machines this is one memcpy
/// (bytemuck), which matters: the per-element loop is slow in debug builds
/// and a checkpoint holds tens of millions of values.
fn f32_from_le_bytes(data: &[u8]) -> Vec<f32> {
    let mut values = vec![0f32; data.len() / 4];
    if cfg!(target_endian = "little") {
        let len = values.len() * 4;
        bytemuck::cast_slice_mut::<f32, u8>(&mut values).copy_from_slice(&data[..len]);
    } else {
        for (v, b) in values.iter_mut().zip(data.chunks_exact(4)) {
            *v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
    }
    values
}

/// f32 → little-endian bytes (a memcpy on little-endian machines).
fn f32_to_le_bytes(values: &[f32]) -> Vec<u8> {
    if cfg!(target_endian = "little") {
        bytemuck::cast_slice::<f32, u8>(values).to_vec()
    } else {
        values.iter().flat_map(|x| x.to_le_bytes()).collect()
    }
}

/// How many encoder layers the checkpoint holds: one more than the highest
/// `encoder.layer.N.` in its tensor names.
fn checkpoint_layers(st: &SafeTensors, prefix: &str) -> usize {
    let start = format!("{prefix}encoder.layer.");
    st.names()
        .iter()
        .filter_map(|name| {
            name.strip_prefix(start.as_str())?
                .split('.')
                .next()?
                .parse::<usize>()
                .ok()
        })
        .map(|n| n.saturating_add(1))
        .max()
        .unwrap_or(0)
}

/// (bytes after the header, bytes the header's offsets describe), for saying whether
/// the data is short or has extra bytes (the crate reports both the same way).
fn data_lengths(bytes: &[u8]) -> Option<(u64, u64)> {
    let n = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    let end = 8usize.checked_add(usize::try_from(n).ok()?)?;
    let header: serde_json::Value = serde_json::from_slice(bytes.get(8..end)?).ok()?;
    let described = header
        .as_object()?
        .values()
        .filter_map(|t| t.get("data_offsets")?.get(1)?.as_u64())
        .max()
        .unwrap_or(0);
    Some(((bytes.len() - end) as u64, described))
}

/// Turns the safetensors crate's errors into the sentence a user needs.
fn describe_safetensors_error(e: SafeTensorError, bytes: &[u8]) -> WeightsError {
    let detail = match &e {
        SafeTensorError::HeaderTooSmall => {
            "the file is shorter than its 8-byte header length".into()
        }
        SafeTensorError::HeaderTooLarge => "the header length is implausibly large".into(),
        SafeTensorError::InvalidHeaderLength => {
            "the header length points past the end of the file".into()
        }
        SafeTensorError::InvalidHeader(_) | SafeTensorError::InvalidHeaderDeserialization(_) => {
            "the header is not valid safetensors JSON".into()
        }
        SafeTensorError::MetadataIncompleteBuffer => match data_lengths(bytes) {
            Some((found, described)) if found > described => format!(
                "the tensor data is {found} bytes, longer than the {described} the header describes (extra bytes at the end)"
            ),
            Some((found, described)) => format!(
                "the tensor data is shorter than the header says ({found} bytes, the header describes {described})"
            ),
            None => "the tensor data does not have the length the header says".into(),
        },
        SafeTensorError::InvalidOffset(name) => {
            format!(
                "tensor {} has offsets that overlap or leave gaps",
                crate::model::text::quote::quote(name)
            )
        }
        SafeTensorError::TensorInvalidInfo => {
            "a tensor's shape does not match its byte size".into()
        }
        other => crate::model::text::quote::shorten_message(&other.to_string(), 200),
    };
    WeightsError::BadFile(detail)
}

/// Looks tensors up by name (with the checkpoint's prefix) and checks shapes.
pub(super) struct Reader<'a, 'b> {
    st: &'a SafeTensors<'b>,
    prefix: &'a str,
}

impl Reader<'_, '_> {
    /// Whether the checkpoint holds `name` (under the prefix).
    pub(super) fn has(&self, name: &str) -> bool {
        self.st.tensor(&format!("{}{name}", self.prefix)).is_ok()
    }

    fn raw(&self, name: &str, expected: &[usize]) -> Result<Vec<f32>, WeightsError> {
        tensor_f32(self.st, &format!("{}{name}", self.prefix), expected)
    }

    pub(super) fn mat(
        &self,
        name: &str,
        rows: usize,
        cols: usize,
    ) -> Result<Array2<f32>, WeightsError> {
        let values = self.raw(name, &[rows, cols])?;
        Array2::from_shape_vec((rows, cols), values)
            .map_err(|e| WeightsError::BadFile(format!("tensor `{name}`: {e}")))
    }

    pub(super) fn vec(&self, name: &str, len: usize) -> Result<Array1<f32>, WeightsError> {
        Ok(Array1::from(self.raw(name, &[len])?))
    }
}

/// Tensor `name` of `st` as f32 (from F32, F16 or BF16), checked to have shape
/// `expected` and only finite values.
pub fn tensor_f32(
    st: &SafeTensors<'_>,
    name: &str,
    expected: &[usize],
) -> Result<Vec<f32>, WeightsError> {
    let full = name.to_string();
    let view = st
        .tensor(&full)
        .map_err(|_| WeightsError::Missing(full.clone()))?;
    if view.shape() != expected {
        return Err(WeightsError::WrongShape {
            name: full,
            expected: expected.to_vec(),
            found: view.shape().to_vec(),
        });
    }
    let data = view.data();
    let values: Vec<f32> = match view.dtype() {
        Dtype::F32 => f32_from_le_bytes(data),
        Dtype::F16 => data
            .chunks_exact(2)
            .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        Dtype::BF16 => data
            .chunks_exact(2)
            .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        other => {
            return Err(WeightsError::UnsupportedDtype {
                name: full,
                dtype: format!("{other:?}"),
            });
        }
    };
    let count: usize = expected.iter().product();
    if values.len() != count {
        return Err(WeightsError::BadFile(format!(
            "tensor `{full}` holds {} values, its shape needs {count}",
            values.len()
        )));
    }
    if values.iter().any(|v| !v.is_finite()) {
        return Err(WeightsError::NotFinite(full));
    }
    // Trained weights stay far below; beyond, the forward pass overflows to NaN.
    if let Some(v) = values.iter().find(|v| v.abs() > MAX_WEIGHT) {
        return Err(WeightsError::BadFile(format!(
            "tensor `{full}` holds {v:e}, beyond the ±{MAX_WEIGHT:e} a trained weight stays within"
        )));
    }
    Ok(values)
}

/// Serialises named f32 tensors as safetensors, stored as F32 or (with `f16`)
/// rounded to F16, which halves the file at about 3 significant digits.
pub fn tensors_to_safetensors(
    tensors: &[(String, Vec<usize>, Vec<f32>)],
    f16: bool,
) -> Result<Vec<u8>, WeightsError> {
    let bytes: Vec<Vec<u8>> = tensors
        .iter()
        .map(|(_, _, data)| {
            if f16 {
                data.iter()
                    .flat_map(|&x| half::f16::from_f32(x).to_le_bytes())
                    .collect()
            } else {
                f32_to_le_bytes(data)
            }
        })
        .collect();
    let dtype = if f16 { Dtype::F16 } else { Dtype::F32 };
    let mut views = Vec::with_capacity(tensors.len());
    for ((name, shape, _), raw) in tensors.iter().zip(&bytes) {
        let view = TensorView::new(dtype, shape.clone(), raw)
            .map_err(|e| WeightsError::Write(e.to_string()))?;
        views.push((name.as_str(), view));
    }
    safetensors::serialize(views, None).map_err(|e| WeightsError::Write(e.to_string()))
}

/// Parses safetensors bytes, turning the crate's errors into a user's sentence.
pub fn parse_safetensors(bytes: &[u8]) -> Result<SafeTensors<'_>, WeightsError> {
    SafeTensors::deserialize(bytes).map_err(|e| describe_safetensors_error(e, bytes))
}
