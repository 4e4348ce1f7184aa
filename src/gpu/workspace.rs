//! Every buffer one forward pass writes, sized for a capacity of tokens and kept between
//! calls, with the bind groups that wire them to the kernels: in steady state a forward
//! pass allocates nothing on the GPU. Only the parameter block (which depends on the
//! sequence length), the ids and the masks are written per call.

use std::num::NonZeroU64;

use eframe::egui_wgpu::wgpu;

use super::GpuContext;
use super::kernels::MAX_PARAM_BYTES;
use super::kernels::linear::SPLIT_MAX_OUTPUT;
use super::kernels::linear_split::SLICES;
use super::pipeline::{Kernel, bind_group};
use super::readback::{self, LayerPart, Tensor};
use super::resident::{LinearBufs, NormBufs, ResidentWeights};
use crate::model::bert::detail::TraceDetail;
use crate::model::bert::forward::Ablation;

/// Bytes between parameter blocks: WebGPU's largest uniform offset alignment.
pub(crate) const SLOT_BYTES: u64 = 256;
/// Bytes bound per parameter block: the largest, every launch pads to it.
const PARAM_BYTES: u64 = MAX_PARAM_BYTES as u64;

/// The parameter blocks of one forward pass, one per kind of dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub(crate) enum Slot {
    Embed,
    Norm,
    AddNorm,
    LinearHidden,
    Scores,
    Softmax,
    Context,
    LinearUp,
    Activation,
    LinearDown,
    MlmActivation,
    LinearVocab,
    TopK,
}
pub(crate) const SLOTS: usize = Slot::TopK as usize + 1;

/// Largest `top_k` the GPU head computes; more runs on the CPU.
pub const MAX_TOP_K: usize = 64;

/// One layer's outputs (all read back) and its bind groups.
pub(crate) struct LayerWork {
    pub q: wgpu::Buffer,
    pub k: wgpu::Buffer,
    pub v: wgpu::Buffer,
    pub scores: wgpu::Buffer,
    pub weights: wgpu::Buffer,
    pub merged: wgpu::Buffer,
    pub attention_output: wgpu::Buffer,
    pub attention_norm: wgpu::Buffer,
    pub intermediate: wgpu::Buffer,
    pub ffn_output: wgpu::Buffer,
    pub output: wgpu::Buffer,
    /// 1 per kept head, 0 per ablated head.
    pub keep: wgpu::Buffer,
    pub bind: LayerBinds,
}

pub(crate) struct LayerBinds {
    pub q: LinearBind,
    pub k: LinearBind,
    pub v: LinearBind,
    pub scores: wgpu::BindGroup,
    pub softmax: wgpu::BindGroup,
    pub context: wgpu::BindGroup,
    pub attention_output: LinearBind,
    pub attention_norm: wgpu::BindGroup,
    pub up: LinearBind,
    pub activation: wgpu::BindGroup,
    pub down: LinearBind,
    pub output_norm: wgpu::BindGroup,
}

/// One linear product's bind groups for every tiling: the whole product (64×64 and
/// 32×64 tiles), or split-K's partials and their sum, through the shared partials
/// buffer; the pass picks by the product's shape at each call.
pub(crate) struct LinearBind {
    pub whole: wgpu::BindGroup,
    pub split: wgpu::BindGroup,
    pub sum: wgpu::BindGroup,
}

/// The MLM head's buffers and bind groups (the logits buffer lives in its bind group:
/// it is never read back).
pub(crate) struct MlmWork {
    pub top_k: wgpu::Buffer,
    pub transform: LinearBind,
    pub activation: wgpu::BindGroup,
    pub norm: wgpu::BindGroup,
    pub decoder: LinearBind,
    pub select: wgpu::BindGroup,
}

pub(crate) struct Workspace {
    /// Tokens the buffers hold.
    pub capacity: usize,
    pub params: wgpu::Buffer,
    pub ids: wgpu::Buffer,
    pub type_ids: wgpu::Buffer,
    pub mask: wgpu::Buffer,
    /// Token, position, segment rows and their sum: `(4 × tokens × hidden)`.
    pub parts: wgpu::Buffer,
    pub sum: wgpu::Buffer,
    pub normed: wgpu::Buffer,
    pub embed_bind: wgpu::BindGroup,
    pub norm_bind: wgpu::BindGroup,
    pub layers: Vec<LayerWork>,
    pub mlm: Option<MlmWork>,
    /// `MAP_READ` buffers the trace is copied into with their sizes, each at most
    /// [`Workspace::chunk_limit`]; grown when a pass needs more.
    pub readback: Vec<(wgpu::Buffer, u64)>,
}

/// Bytes of each tensor the workspace holds, at its capacity.
pub(crate) struct Sizes {
    pub hidden: u64,
    pub parts: u64,
    pub heads_square: u64,
    pub intermediate: u64,
    pub top_k: u64,
}

impl Sizes {
    /// Sizes for `n` tokens and `k` MLM predictions per token.
    pub fn new(config: &crate::model::bert::config::BertConfig, n: usize, k: usize) -> Self {
        let f = |v: usize| (v * 4) as u64;
        Self {
            hidden: f(n * config.hidden_size),
            parts: f(4 * n * config.hidden_size),
            heads_square: f(config.num_attention_heads * n * n),
            intermediate: f(n * config.intermediate_size),
            top_k: f(n * super::ops::top_k_stride(k)),
        }
    }
}

fn storage(device: &wgpu::Device, label: &str, bytes: u64) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: bytes.max(4),
        usage: wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

/// Parameter block `slot` of the shared parameter buffer.
fn slot_binding(params: &wgpu::Buffer, slot: Slot) -> wgpu::BindingResource<'_> {
    wgpu::BindingResource::Buffer(wgpu::BufferBinding {
        buffer: params,
        offset: slot as u64 * SLOT_BYTES,
        size: NonZeroU64::new(PARAM_BYTES),
    })
}

/// Binds `kernel` to parameter block `slot` and `buffers` (inputs, then the output).
fn bind(
    device: &wgpu::Device,
    kernel: &Kernel,
    params: &wgpu::Buffer,
    slot: Slot,
    buffers: &[&wgpu::Buffer],
) -> wgpu::BindGroup {
    kernel.bind(device, slot_binding(params, slot), buffers)
}

impl Workspace {
    /// Buffers and bind groups for up to `capacity` tokens of `model`.
    pub fn new(ctx: &GpuContext, model: &ResidentWeights, capacity: usize) -> Self {
        let device = &ctx.device;
        let ops = &ctx.ops;
        let config = &model.config;
        let size = Sizes::new(config, capacity, MAX_TOP_K);
        let params = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("forward params"),
            size: SLOTS as u64 * SLOT_BYTES,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let words = (capacity * 4) as u64;
        let ids = storage(device, "ids", words);
        let type_ids = storage(device, "type ids", words);
        let mask = storage(device, "attention mask", words);
        let parts = storage(device, "embedding parts", size.parts);
        let sum = storage(device, "embedding sum", size.hidden);
        let normed = storage(device, "embedding output", size.hidden);
        let embed_bind = bind(
            device,
            &ops.embed,
            &params,
            Slot::Embed,
            &[
                &model.word,
                &model.position,
                &model.token_type,
                &ids,
                &type_ids,
                &parts,
            ],
        );
        let norm =
            |x: &wgpu::Buffer, residual: Option<&wgpu::Buffer>, n: &NormBufs, y: &wgpu::Buffer| {
                let (slot, r) = match residual {
                    Some(r) => (Slot::AddNorm, r),
                    // Not read without a residual; any buffer fills the binding.
                    None => (Slot::Norm, x),
                };
                bind(
                    device,
                    &ops.layer_norm,
                    &params,
                    slot,
                    &[x, r, &n.gamma, &n.beta, y],
                )
            };
        let norm_bind = norm(&sum, None, &model.embedding_norm, &normed);
        // Split-K's partials, shared by every product (they run one after another):
        // `(slices × rows × cols)` for the largest product it splits.
        let widest = config
            .hidden_size
            .max(config.intermediate_size)
            .max(config.vocab_size);
        let partials = storage(
            device,
            "split-K partials",
            (SPLIT_MAX_OUTPUT.min(capacity * widest) * SLICES as usize * 4) as u64,
        );
        let linear_with =
            |x: &wgpu::Buffer, w: &wgpu::Buffer, b: &wgpu::Buffer, slot, y: &wgpu::Buffer| {
                LinearBind {
                    whole: bind(device, &ops.linear, &params, slot, &[x, w, b, y]),
                    split: bind(device, &ops.linear_split, &params, slot, &[x, w, &partials]),
                    sum: bind(
                        device,
                        &ops.linear_split_sum,
                        &params,
                        slot,
                        &[&partials, b, y],
                    ),
                }
            };
        let linear = |x: &wgpu::Buffer, l: &LinearBufs, slot, y: &wgpu::Buffer| {
            linear_with(x, &l.w, &l.b, slot, y)
        };

        // One scratch for the FFN's pre-activation values, shared by all layers.
        let pre_activation = storage(device, "FFN pre-activation", size.intermediate);
        let mut layers: Vec<LayerWork> = Vec::with_capacity(model.layers.len());
        for w in &model.layers {
            let input = layers.last().map_or(&normed, |l| &l.output);
            let q = storage(device, "q", size.hidden);
            let k = storage(device, "k", size.hidden);
            let v = storage(device, "v", size.hidden);
            let scores = storage(device, "scores", size.heads_square);
            let weights = storage(device, "weights", size.heads_square);
            let merged = storage(device, "context", size.hidden);
            let attention_output = storage(device, "attention output", size.hidden);
            let attention_norm = storage(device, "attention norm", size.hidden);
            let intermediate = storage(device, "FFN intermediate", size.intermediate);
            let ffn_output = storage(device, "FFN output", size.hidden);
            let output = storage(device, "layer output", size.hidden);
            let keep = storage(
                device,
                "kept heads",
                (config.num_attention_heads * 4) as u64,
            );
            let bind = LayerBinds {
                q: linear(input, &w.query, Slot::LinearHidden, &q),
                k: linear(input, &w.key, Slot::LinearHidden, &k),
                v: linear(input, &w.value, Slot::LinearHidden, &v),
                scores: bind(
                    device,
                    &ops.scores,
                    &params,
                    Slot::Scores,
                    &[&q, &k, &scores],
                ),
                softmax: bind_group(
                    device,
                    &ctx.softmax.layout,
                    slot_binding(&params, Slot::Softmax),
                    &[&weights, &mask],
                ),
                context: bind(
                    device,
                    &ops.context,
                    &params,
                    Slot::Context,
                    &[&weights, &v, &keep, &merged],
                ),
                attention_output: linear(
                    &merged,
                    &w.attention_output,
                    Slot::LinearHidden,
                    &attention_output,
                ),
                attention_norm: norm(
                    &attention_output,
                    Some(input),
                    &w.attention_norm,
                    &attention_norm,
                ),
                up: linear(
                    &attention_norm,
                    &w.intermediate,
                    Slot::LinearUp,
                    &pre_activation,
                ),
                activation: bind(
                    device,
                    &ops.gelu,
                    &params,
                    Slot::Activation,
                    &[&pre_activation, &intermediate],
                ),
                down: linear(&intermediate, &w.output, Slot::LinearDown, &ffn_output),
                output_norm: norm(&ffn_output, Some(&attention_norm), &w.output_norm, &output),
            };
            layers.push(LayerWork {
                q,
                k,
                v,
                scores,
                weights,
                merged,
                attention_output,
                attention_norm,
                intermediate,
                ffn_output,
                output,
                keep,
                bind,
            });
        }

        let mlm = model.mlm.as_ref().map(|head| {
            let last = layers.last().map_or(&normed, |l| &l.output);
            let transformed = storage(device, "MLM transform", size.hidden);
            let activated = storage(device, "MLM activation", size.hidden);
            let head_normed = storage(device, "MLM LayerNorm", size.hidden);
            let logits = storage(
                device,
                "MLM logits",
                (capacity * config.vocab_size * 4) as u64,
            );
            let top_k = storage(device, "MLM top-k", size.top_k);
            let decoder = head.decoder.as_ref().unwrap_or(&model.word);
            MlmWork {
                transform: linear(last, &head.transform, Slot::LinearHidden, &transformed),
                activation: bind(
                    device,
                    &ops.gelu,
                    &params,
                    Slot::MlmActivation,
                    &[&transformed, &activated],
                ),
                norm: norm(&activated, None, &head.norm, &head_normed),
                decoder: linear_with(
                    &head_normed,
                    decoder,
                    &head.bias,
                    Slot::LinearVocab,
                    &logits,
                ),
                select: bind(device, &ops.top_k, &params, Slot::TopK, &[&logits, &top_k]),
                top_k,
            }
        });

        let mut work = Self {
            capacity,
            params,
            ids,
            type_ids,
            mask,
            parts,
            sum,
            normed,
            embed_bind,
            norm_bind,
            layers,
            mlm,
            readback: Vec::new(),
        };
        // Room for a full trace at capacity, so no level ever grows it.
        let all = readback::entries(
            config,
            capacity,
            MAX_TOP_K,
            work.mlm.is_some(),
            TraceDetail::Full,
            &Ablation::default(),
        );
        let (chunks, _) = readback::plan(&all, Self::chunk_limit(device));
        work.ensure_readback(device, &chunks);
        work
    }

    /// Largest readback chunk: the device's buffer limit, at most 1 GiB.
    pub fn chunk_limit(device: &wgpu::Device) -> u64 {
        device.limits().max_buffer_size.min(1 << 30)
    }

    /// Makes readback chunk `i` hold at least `chunks[i]` bytes, replacing any that is
    /// too small (a packing of fewer tensors can fill a chunk further than the full one).
    pub fn ensure_readback(&mut self, device: &wgpu::Device, chunks: &[u64]) {
        for (i, &bytes) in chunks.iter().enumerate() {
            if self.readback.get(i).is_some_and(|(_, have)| *have >= bytes) {
                continue;
            }
            let buffer = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("trace readback"),
                size: bytes.max(4),
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            if i < self.readback.len() {
                self.readback[i] = (buffer, bytes);
            } else {
                self.readback.push((buffer, bytes));
            }
        }
    }

    /// The buffer holding `tensor` (`None`: a layer or head this model lacks).
    pub fn buffer_of(&self, tensor: Tensor) -> Option<&wgpu::Buffer> {
        Some(match tensor {
            Tensor::EmbeddingParts => &self.parts,
            Tensor::EmbeddingOutput => &self.normed,
            Tensor::TopK => &self.mlm.as_ref()?.top_k,
            Tensor::Layer(i, part) => {
                let l = self.layers.get(i)?;
                match part {
                    LayerPart::Q => &l.q,
                    LayerPart::K => &l.k,
                    LayerPart::V => &l.v,
                    LayerPart::Scores => &l.scores,
                    LayerPart::Weights => &l.weights,
                    LayerPart::Context => &l.merged,
                    LayerPart::AttentionOutput => &l.attention_output,
                    LayerPart::AttentionNorm => &l.attention_norm,
                    LayerPart::Intermediate => &l.intermediate,
                    LayerPart::FfnOutput => &l.ffn_output,
                    LayerPart::Output => &l.output,
                }
            }
        })
    }
}
