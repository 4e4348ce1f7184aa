//! BERT weights: Hugging Face tensor names, loaded from and saved to safetensors.
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

/// Largest `model.safetensors` accepted: bounds what a lying file can make us read.
pub const MAX_SAFETENSORS_BYTES: u64 = 4 << 30;

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

/// `nn.Linear`: `y = x·Wᵀ + b`, weight stored `(out, in)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    pub weight: Array2<f32>,
    pub bias: Array1<f32>,
}

/// `nn.LayerNorm` scale and shift.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerNorm {
    pub gamma: Array1<f32>,
    pub beta: Array1<f32>,
}

/// Word, position and segment (token type) tables plus their LayerNorm.
#[derive(Debug, Clone, PartialEq)]
pub struct Embeddings {
    pub word: Array2<f32>,
    pub position: Array2<f32>,
    pub token_type: Array2<f32>,
    pub layer_norm: LayerNorm,
}

/// Q, K, V projections of one layer (`attention.self.*`).
#[derive(Debug, Clone, PartialEq)]
pub struct SelfAttention {
    pub query: Linear,
    pub key: Linear,
    pub value: Linear,
}

/// Output projection + residual LayerNorm of a sub-block (`attention.output.*`, `output.*`).
#[derive(Debug, Clone, PartialEq)]
pub struct ResidualOutput {
    pub dense: Linear,
    pub layer_norm: LayerNorm,
}

/// One encoder layer (`encoder.layer.N.*`).
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub attention: SelfAttention,
    pub attention_output: ResidualOutput,
    /// `intermediate.dense`: hidden → intermediate, followed by the activation.
    pub intermediate: Linear,
    pub output: ResidualOutput,
}

/// Masked-language-model head (`cls.predictions.*`).
#[derive(Debug, Clone, PartialEq)]
pub struct MlmHead {
    /// `transform.dense`, then the activation, then `transform.LayerNorm`.
    pub transform: Linear,
    pub layer_norm: LayerNorm,
    /// `decoder.weight` when stored; `None` means tied to the word embeddings.
    pub decoder: Option<Array2<f32>>,
    pub bias: Array1<f32>,
}

/// Every tensor of a BERT encoder, plus the MLM head when the checkpoint has one.
#[derive(Debug, Clone, PartialEq)]
pub struct BertWeights {
    pub config: BertConfig,
    pub embeddings: Embeddings,
    pub layers: Vec<Layer>,
    pub mlm: Option<MlmHead>,
}

/// SplitMix64: tiny, deterministic and good enough for initialising weights.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.next_f64(); // (0, 1]: keeps ln finite
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
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
        let size = std::fs::metadata(path).map_err(io)?.len();
        if size > MAX_SAFETENSORS_BYTES {
            return Err(WeightsError::TooLarge {
                path: shown,
                size,
                max: MAX_SAFETENSORS_BYTES,
            });
        }
        let bytes = std::fs::read(path).map_err(io)?;
        Self::from_safetensors_bytes(config, &bytes)
    }

    /// Parses safetensors bytes and checks every tensor against `config`.
    ///
    /// Accepts names with or without the `bert.` prefix (BertForMaskedLM vs
    /// BertModel); `cls.predictions.*` becomes the MLM head when present.
    pub fn from_safetensors_bytes(config: &BertConfig, bytes: &[u8]) -> Result<Self, WeightsError> {
        config.validate()?;
        let st = SafeTensors::deserialize(bytes).map_err(describe_safetensors_error)?;
        let prefix = if st.tensor("bert.embeddings.word_embeddings.weight").is_ok() {
            "bert."
        } else {
            ""
        };
        let reader = Reader { st: &st, prefix };
        let h = config.hidden_size;
        let i = config.intermediate_size;
        let embeddings = Embeddings {
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
            layer_norm: reader.layer_norm("embeddings.LayerNorm", h)?,
        };
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for n in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{n}");
            layers.push(Layer {
                attention: SelfAttention {
                    query: reader.linear(&format!("{p}.attention.self.query"), h, h)?,
                    key: reader.linear(&format!("{p}.attention.self.key"), h, h)?,
                    value: reader.linear(&format!("{p}.attention.self.value"), h, h)?,
                },
                attention_output: ResidualOutput {
                    dense: reader.linear(&format!("{p}.attention.output.dense"), h, h)?,
                    layer_norm: reader.layer_norm(&format!("{p}.attention.output.LayerNorm"), h)?,
                },
                intermediate: reader.linear(&format!("{p}.intermediate.dense"), i, h)?,
                output: ResidualOutput {
                    dense: reader.linear(&format!("{p}.output.dense"), h, i)?,
                    layer_norm: reader.layer_norm(&format!("{p}.output.LayerNorm"), h)?,
                },
            });
        }
        let mlm = if st.tensor("cls.predictions.transform.dense.weight").is_ok() {
            let root = Reader {
                st: &st,
                prefix: "",
            };
            let bias = if st.tensor("cls.predictions.bias").is_ok() {
                root.vec("cls.predictions.bias", config.vocab_size)?
            } else {
                root.vec("cls.predictions.decoder.bias", config.vocab_size)?
            };
            let decoder = if st.tensor("cls.predictions.decoder.weight").is_ok() {
                Some(root.mat("cls.predictions.decoder.weight", config.vocab_size, h)?)
            } else {
                None
            };
            Some(MlmHead {
                transform: root.linear("cls.predictions.transform.dense", h, h)?,
                layer_norm: root.layer_norm("cls.predictions.transform.LayerNorm", h)?,
                decoder,
                bias,
            })
        } else {
            None
        };
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
        let tensors = self.named_tensors();
        let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
            .into_iter()
            .map(|(name, shape, data)| (name, shape, f32_to_le_bytes(&data)))
            .collect();
        let mut views = Vec::with_capacity(bytes.len());
        for (name, shape, raw) in &bytes {
            let view = TensorView::new(Dtype::F32, shape.clone(), raw)
                .map_err(|e| WeightsError::Write(e.to_string()))?;
            views.push((name.as_str(), view));
        }
        safetensors::serialize(views, None).map_err(|e| WeightsError::Write(e.to_string()))
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

/// Turns the safetensors crate's errors into the sentence a user needs.
fn describe_safetensors_error(e: SafeTensorError) -> WeightsError {
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
        SafeTensorError::MetadataIncompleteBuffer => {
            "the tensor data is shorter than the header says".into()
        }
        SafeTensorError::InvalidOffset(name) => {
            format!("tensor `{name}` has offsets that overlap or leave gaps")
        }
        SafeTensorError::TensorInvalidInfo => {
            "a tensor's shape does not match its byte size".into()
        }
        other => other.to_string(),
    };
    WeightsError::BadFile(detail)
}

/// Looks tensors up by name (with the checkpoint's prefix) and checks shapes.
struct Reader<'a, 'b> {
    st: &'a SafeTensors<'b>,
    prefix: &'a str,
}

impl Reader<'_, '_> {
    fn raw(&self, name: &str, expected: &[usize]) -> Result<Vec<f32>, WeightsError> {
        let full = format!("{}{name}", self.prefix);
        let view = self
            .st
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
        Ok(values)
    }

    fn mat(&self, name: &str, rows: usize, cols: usize) -> Result<Array2<f32>, WeightsError> {
        let values = self.raw(name, &[rows, cols])?;
        Array2::from_shape_vec((rows, cols), values)
            .map_err(|e| WeightsError::BadFile(format!("tensor `{name}`: {e}")))
    }

    fn vec(&self, name: &str, len: usize) -> Result<Array1<f32>, WeightsError> {
        Ok(Array1::from(self.raw(name, &[len])?))
    }

    fn linear(&self, name: &str, out: usize, inp: usize) -> Result<Linear, WeightsError> {
        Ok(Linear {
            weight: self.mat(&format!("{name}.weight"), out, inp)?,
            bias: self.vec(&format!("{name}.bias"), out)?,
        })
    }

    fn layer_norm(&self, name: &str, len: usize) -> Result<LayerNorm, WeightsError> {
        // Old TF-converted checkpoints call these gamma/beta.
        let (g, b) = if self
            .st
            .tensor(&format!("{}{name}.gamma", self.prefix))
            .is_ok()
        {
            ("gamma", "beta")
        } else {
            ("weight", "bias")
        };
        Ok(LayerNorm {
            gamma: self.vec(&format!("{name}.{g}"), len)?,
            beta: self.vec(&format!("{name}.{b}"), len)?,
        })
    }
}
