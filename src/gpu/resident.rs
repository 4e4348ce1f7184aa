//! A model's weights uploaded to the GPU once, one storage buffer per tensor, and
//! reused by every forward pass until the model changes.

use std::borrow::Cow;

use eframe::egui_wgpu::wgpu;
use ndarray::{ArrayBase, Data, Dimension};
use wgpu::util::DeviceExt;

use super::{GpuContext, GpuError};
use crate::model::bert::config::BertConfig;
use crate::model::bert::linear::{LayerNorm, Linear};
use crate::model::bert::weights::BertWeights;

/// `nn.Linear` on the GPU: weight `(out × in)`, bias `(out)`.
pub(crate) struct LinearBufs {
    pub w: wgpu::Buffer,
    pub b: wgpu::Buffer,
}

/// LayerNorm scale and shift, `(width)` each.
pub(crate) struct NormBufs {
    pub gamma: wgpu::Buffer,
    pub beta: wgpu::Buffer,
}

/// One encoder layer's tensors.
pub(crate) struct LayerBufs {
    pub query: LinearBufs,
    pub key: LinearBufs,
    pub value: LinearBufs,
    pub attention_output: LinearBufs,
    pub attention_norm: NormBufs,
    pub intermediate: LinearBufs,
    pub output: LinearBufs,
    pub output_norm: NormBufs,
}

/// The MLM head; `decoder` is `None` when tied to the word embeddings.
pub(crate) struct MlmBufs {
    pub transform: LinearBufs,
    pub norm: NormBufs,
    pub decoder: Option<wgpu::Buffer>,
    pub bias: wgpu::Buffer,
}

/// Every tensor of a [`BertWeights`], on the GPU.
pub struct ResidentWeights {
    pub(crate) config: BertConfig,
    pub(crate) word: wgpu::Buffer,
    pub(crate) position: wgpu::Buffer,
    pub(crate) token_type: wgpu::Buffer,
    pub(crate) embedding_norm: NormBufs,
    pub(crate) layers: Vec<LayerBufs>,
    pub(crate) mlm: Option<MlmBufs>,
}

/// The values of any ndarray in row-major order, borrowed when already contiguous.
fn values<S: Data<Elem = f32>, D: Dimension>(a: &ArrayBase<S, D>) -> Cow<'_, [f32]> {
    match a.as_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(a.iter().copied().collect()),
    }
}

struct Uploader<'a> {
    device: &'a wgpu::Device,
    max_binding: u64,
}

impl Uploader<'_> {
    fn tensor<S: Data<Elem = f32>, D: Dimension>(
        &mut self,
        name: &str,
        a: &ArrayBase<S, D>,
    ) -> Result<wgpu::Buffer, GpuError> {
        let v = values(a);
        // Bindings may not be empty: a zero-sized tensor becomes one unused float.
        let data: Cow<'_, [f32]> = if v.is_empty() {
            Cow::Owned(vec![0.0])
        } else {
            v
        };
        let size = (data.len() * 4) as u64;
        if size > self.max_binding {
            return Err(GpuError::TooLarge(format!(
                "tensor {name} is {size} bytes, more than this GPU binds at once ({})",
                self.max_binding
            )));
        }
        Ok(self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(name),
                contents: bytemuck::cast_slice(&data),
                usage: wgpu::BufferUsages::STORAGE,
            }))
    }

    fn linear(&mut self, name: &str, l: &Linear) -> Result<LinearBufs, GpuError> {
        Ok(LinearBufs {
            w: self.tensor(name, &l.weight)?,
            b: self.tensor(name, &l.bias)?,
        })
    }

    fn norm(&mut self, name: &str, n: &LayerNorm) -> Result<NormBufs, GpuError> {
        Ok(NormBufs {
            gamma: self.tensor(name, &n.gamma)?,
            beta: self.tensor(name, &n.beta)?,
        })
    }
}

impl ResidentWeights {
    /// Uploads every tensor. Fails cleanly (no panic) when a tensor is larger than the
    /// device can bind or the device runs out of memory.
    pub fn upload(ctx: &GpuContext, weights: &BertWeights) -> Result<Self, GpuError> {
        let device = &ctx.device;
        let mut up = Uploader {
            device,
            max_binding: device
                .limits()
                .max_storage_buffer_binding_size
                .min(device.limits().max_buffer_size),
        };
        ctx.scoped(|| {
            let e = &weights.embeddings;
            let word = up.tensor("word embeddings", &e.word)?;
            let position = up.tensor("position embeddings", &e.position)?;
            let token_type = up.tensor("segment embeddings", &e.token_type)?;
            let embedding_norm = up.norm("embedding LayerNorm", &e.layer_norm)?;
            let mut layers = Vec::with_capacity(weights.layers.len());
            for layer in &weights.layers {
                layers.push(LayerBufs {
                    query: up.linear("query", &layer.attention.query)?,
                    key: up.linear("key", &layer.attention.key)?,
                    value: up.linear("value", &layer.attention.value)?,
                    attention_output: up
                        .linear("attention output", &layer.attention_output.dense)?,
                    attention_norm: up
                        .norm("attention LayerNorm", &layer.attention_output.layer_norm)?,
                    intermediate: up.linear("intermediate", &layer.intermediate)?,
                    output: up.linear("output", &layer.output.dense)?,
                    output_norm: up.norm("output LayerNorm", &layer.output.layer_norm)?,
                });
            }
            let mlm = match &weights.mlm {
                Some(head) => Some(MlmBufs {
                    transform: up.linear("MLM transform", &head.transform)?,
                    norm: up.norm("MLM LayerNorm", &head.layer_norm)?,
                    decoder: head
                        .decoder
                        .as_ref()
                        .map(|d| up.tensor("MLM decoder", d))
                        .transpose()?,
                    bias: up.tensor("MLM bias", &head.bias)?,
                }),
                None => None,
            };
            Ok(Self {
                config: weights.config.clone(),
                word,
                position,
                token_type,
                embedding_norm,
                layers,
                mlm,
            })
        })
    }
}
