//! A forward pass as a list of steps (dispatches tagged with their kernel kind, and
//! buffer copies), recorded into one command encoder: batched (consecutive dispatches
//! share a compute pass) for ordinary passes, or one timed pass per dispatch when
//! profiling ([`super::profile`]).

use eframe::egui_wgpu::wgpu;

use super::GpuContext;
use super::kernels::linear::Tile;
use super::kernels::{Launch, linear_split};
use super::workspace::{LinearBind, SLOTS, Slot, Workspace};
use crate::model::bert::config::BertConfig;

/// What a step does, as `bench --profile` groups the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Embedding,
    Linear,
    AttentionScores,
    Softmax,
    Context,
    LayerNorm,
    Gelu,
    /// The MLM head's transform, GELU, LayerNorm and vocabulary product.
    MlmHead,
    /// The MLM head's best predictions per position, from the logits.
    MlmTopK,
    /// Copies on the GPU: the embedding sum, the raw scores kept before the in-place
    /// softmax, a skipped layer's identity.
    Copy,
    /// Copies of the trace's tensors into the `MAP_READ` chunks.
    Readback,
}

impl Kind {
    pub const ALL: [Self; 11] = [
        Self::Embedding,
        Self::Linear,
        Self::AttentionScores,
        Self::Softmax,
        Self::Context,
        Self::LayerNorm,
        Self::Gelu,
        Self::MlmHead,
        Self::MlmTopK,
        Self::Copy,
        Self::Readback,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Embedding => "embedding",
            Self::Linear => "linear",
            Self::AttentionScores => "attention scores",
            Self::Softmax => "softmax",
            Self::Context => "context",
            Self::LayerNorm => "LayerNorm",
            Self::Gelu => "GELU",
            Self::MlmHead => "MLM head",
            Self::MlmTopK => "MLM top-k",
            Self::Copy => "copies",
            Self::Readback => "readback copies",
        }
    }
}

/// One recorded operation.
pub(crate) enum Step<'a> {
    Dispatch {
        kind: Kind,
        pipeline: &'a wgpu::ComputePipeline,
        bind: &'a wgpu::BindGroup,
        groups: [u32; 3],
    },
    Copy {
        kind: Kind,
        from: &'a wgpu::Buffer,
        from_offset: u64,
        to: &'a wgpu::Buffer,
        to_offset: u64,
        bytes: u64,
    },
}

/// The embedding, every layer and the MLM head over `n` tokens, in order.
pub(crate) fn steps<'a>(
    ctx: &'a GpuContext,
    work: &'a Workspace,
    launches: &[Launch; SLOTS],
    config: &BertConfig,
    n: usize,
    skipped: &impl Fn(usize) -> bool,
) -> Vec<Step<'a>> {
    let ops = &ctx.ops;
    let d = |kind, pipeline, bind, slot: Slot| Step::Dispatch {
        kind,
        pipeline,
        bind,
        groups: launches[slot as usize].groups,
    };
    // One product: one dispatch, or split-K's two.
    let linear = |out: &mut Vec<Step<'a>>, kind, bind: &'a LinearBind, slot: Slot| {
        let [rows, k, cols] = linear_shape(config, n, slot);
        let tile = Tile::for_shape(rows, k, cols);
        if tile == Tile::SplitK {
            out.push(d(kind, &ops.linear_split.pipeline, &bind.split, slot));
            out.push(Step::Dispatch {
                kind,
                pipeline: &ops.linear_split_sum.pipeline,
                bind: &bind.sum,
                groups: linear_split::launch_sum(rows, k, cols).groups,
            });
        } else {
            let pipeline = &ops.linear_kernel(tile).pipeline;
            out.push(d(kind, pipeline, &bind.whole, slot));
        }
    };
    let hidden_bytes = (n * config.hidden_size * 4) as u64;
    let square_bytes = (config.num_attention_heads * n * n * 4) as u64;
    let (norm, gelu) = (&ops.layer_norm.pipeline, &ops.gelu.pipeline);
    let mut out = vec![
        d(
            Kind::Embedding,
            &ops.embed.pipeline,
            &work.embed_bind,
            Slot::Embed,
        ),
        // The sum is the fourth slab of the parts.
        copy(&work.parts, 3 * hidden_bytes, &work.sum, hidden_bytes),
        d(Kind::LayerNorm, norm, &work.norm_bind, Slot::Norm),
    ];
    for (index, layer) in work.layers.iter().enumerate() {
        let input = if index == 0 {
            &work.normed
        } else {
            &work.layers[index - 1].output
        };
        if skipped(index) {
            out.push(copy(input, 0, &layer.output, hidden_bytes));
            continue;
        }
        let b = &layer.bind;
        let lin = Kind::Linear;
        linear(&mut out, lin, &b.q, Slot::LinearHidden);
        linear(&mut out, lin, &b.k, Slot::LinearHidden);
        linear(&mut out, lin, &b.v, Slot::LinearHidden);
        out.extend([
            d(
                Kind::AttentionScores,
                &ops.scores.pipeline,
                &b.scores,
                Slot::Scores,
            ),
            // The trace keeps the raw scores; the softmax works in place on a copy.
            copy(&layer.scores, 0, &layer.weights, square_bytes),
            d(
                Kind::Softmax,
                &ctx.softmax.pipeline,
                &b.softmax,
                Slot::Softmax,
            ),
            d(
                Kind::Context,
                &ops.context.pipeline,
                &b.context,
                Slot::Context,
            ),
        ]);
        linear(&mut out, lin, &b.attention_output, Slot::LinearHidden);
        out.push(d(Kind::LayerNorm, norm, &b.attention_norm, Slot::AddNorm));
        linear(&mut out, lin, &b.up, Slot::LinearUp);
        out.push(d(Kind::Gelu, gelu, &b.activation, Slot::Activation));
        linear(&mut out, lin, &b.down, Slot::LinearDown);
        out.push(d(Kind::LayerNorm, norm, &b.output_norm, Slot::AddNorm));
    }
    if let Some(m) = &work.mlm {
        let head = Kind::MlmHead;
        linear(&mut out, head, &m.transform, Slot::LinearHidden);
        out.push(d(head, gelu, &m.activation, Slot::MlmActivation));
        out.push(d(head, norm, &m.norm, Slot::Norm));
        linear(&mut out, head, &m.decoder, Slot::LinearVocab);
        out.push(d(Kind::MlmTopK, &ops.top_k.pipeline, &m.select, Slot::TopK));
    }
    out
}

/// `[rows, k, cols]` of a linear slot's product over `n` tokens (`[0; 3]` for others).
pub(crate) fn linear_shape(config: &BertConfig, n: usize, slot: Slot) -> [usize; 3] {
    let (h, inter) = (config.hidden_size, config.intermediate_size);
    match slot {
        Slot::LinearHidden => [n, h, h],
        Slot::LinearUp => [n, h, inter],
        Slot::LinearDown => [n, inter, h],
        Slot::LinearVocab => [n, h, config.vocab_size],
        _ => [0; 3],
    }
}

/// A GPU-side copy of `bytes` from `from` at `from_offset` to the start of `to`.
fn copy<'a>(
    from: &'a wgpu::Buffer,
    from_offset: u64,
    to: &'a wgpu::Buffer,
    bytes: u64,
) -> Step<'a> {
    Step::Copy {
        kind: Kind::Copy,
        from,
        from_offset,
        to,
        to_offset: 0,
        bytes,
    }
}

/// Records `steps` with consecutive dispatches in one compute pass (a copy ends it).
pub(crate) fn record_batched(encoder: &mut wgpu::CommandEncoder, steps: &[Step<'_>]) {
    let mut i = 0;
    while i < steps.len() {
        match &steps[i] {
            Step::Copy {
                from,
                from_offset,
                to,
                to_offset,
                bytes,
                ..
            } => {
                encoder.copy_buffer_to_buffer(from, *from_offset, to, *to_offset, *bytes);
                i += 1;
            }
            Step::Dispatch { .. } => {
                let mut pass = encoder.begin_compute_pass(&Default::default());
                while let Some(Step::Dispatch {
                    pipeline,
                    bind,
                    groups,
                    ..
                }) = steps.get(i)
                {
                    pass.set_pipeline(pipeline);
                    pass.set_bind_group(0, *bind, &[]);
                    pass.dispatch_workgroups(groups[0], groups[1], groups[2]);
                    i += 1;
                }
            }
        }
    }
}
