//! What a GPU pass copies back to the host, and how: the trace's tensors in a fixed
//! order, the subset a [`TraceDetail`] keeps, packed into `MAP_READ` chunks, mapped
//! once after the pass (only the bytes written), and copied out.

use eframe::egui_wgpu::wgpu;

use super::GpuError;
use super::mapping::Maps;
use super::ops::top_k_stride;
use crate::model::bert::config::BertConfig;
use crate::model::bert::detail::TraceDetail;
use crate::model::bert::forward::Ablation;

/// One tensor of a layer, in the order the pass reads them back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LayerPart {
    Q,
    K,
    V,
    Scores,
    Weights,
    Context,
    AttentionOutput,
    AttentionNorm,
    Intermediate,
    FfnOutput,
    Output,
}

/// Tensors read back per layer.
pub(crate) const PER_LAYER: usize = LayerPart::ALL.len();

impl LayerPart {
    const ALL: [Self; 11] = [
        Self::Q,
        Self::K,
        Self::V,
        Self::Scores,
        Self::Weights,
        Self::Context,
        Self::AttentionOutput,
        Self::AttentionNorm,
        Self::Intermediate,
        Self::FfnOutput,
        Self::Output,
    ];
}

/// A tensor the trace may read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tensor {
    /// Token, position, segment rows and their sum, `(4 × tokens × hidden)`.
    EmbeddingParts,
    /// The embedding's LayerNorm, `(tokens × hidden)`.
    EmbeddingOutput,
    Layer(usize, LayerPart),
    /// The MLM head's top-k rows, `(tokens × (2 + 2k))`.
    TopK,
}

/// One entry of a pass's readback: the tensor, its bytes for this pass, and whether
/// the request keeps it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub tensor: Tensor,
    pub bytes: u64,
    pub wanted: bool,
}

/// Every tensor of a pass over `n` tokens with `k` predictions, in readback order:
/// the embedding parts and output, per layer Q K V scores weights context attention
/// output, attention norm, FFN intermediate, FFN output, layer output, then the top-k.
pub(crate) fn entries(
    config: &BertConfig,
    n: usize,
    k: usize,
    has_mlm: bool,
    detail: TraceDetail,
    ablation: &Ablation,
) -> Vec<Entry> {
    let f = |v: usize| (v * 4) as u64;
    let hidden = f(n * config.hidden_size);
    let count = config.num_hidden_layers + 1;
    let keeps = |i: usize| detail.keeps_hidden_state(i, count);
    let mut out = vec![
        Entry {
            tensor: Tensor::EmbeddingParts,
            bytes: 4 * hidden,
            wanted: detail.keeps_steps(),
        },
        Entry {
            tensor: Tensor::EmbeddingOutput,
            bytes: hidden,
            wanted: keeps(0),
        },
    ];
    for layer in 0..config.num_hidden_layers {
        let skipped = ablation.skip_layers.contains(&layer);
        for part in LayerPart::ALL {
            let bytes = match part {
                LayerPart::Scores | LayerPart::Weights => f(config.num_attention_heads * n * n),
                LayerPart::Intermediate => f(n * config.intermediate_size),
                _ => hidden,
            };
            let wanted = match part {
                // A skipped layer's output is its input: read only when the input is not.
                LayerPart::Output if skipped => keeps(layer + 1) && !keeps(layer),
                LayerPart::Output => keeps(layer + 1),
                _ if skipped => false,
                LayerPart::Weights => detail.keeps_attention(),
                _ => detail.keeps_steps(),
            };
            out.push(Entry {
                tensor: Tensor::Layer(layer, part),
                bytes,
                wanted,
            });
        }
    }
    if has_mlm {
        out.push(Entry {
            tensor: Tensor::TopK,
            bytes: f(n * top_k_stride(k)),
            wanted: true,
        });
    }
    out
}

/// Bytes one pass copies back to the host at `detail` (what `bench` prints).
pub fn readback_bytes(
    config: &BertConfig,
    n: usize,
    top_k: usize,
    has_mlm: bool,
    detail: TraceDetail,
    ablation: &Ablation,
) -> u64 {
    let k = top_k.min(config.vocab_size);
    entries(config, n, k, has_mlm, detail, ablation)
        .iter()
        .filter(|e| e.wanted)
        .map(|e| e.bytes)
        .sum()
}

/// Where one wanted tensor lands: readback chunk, byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Landing {
    pub chunk: usize,
    pub offset: u64,
}

/// Packs the wanted entries one after another into chunks of at most `limit` bytes:
/// the bytes used in each chunk, and where each entry lands (`None`: not read back).
pub(crate) fn plan(entries: &[Entry], limit: u64) -> (Vec<u64>, Vec<Option<Landing>>) {
    let mut chunks: Vec<u64> = vec![0];
    let landings = entries
        .iter()
        .map(|e| {
            if !e.wanted {
                return None;
            }
            let last = chunks.len() - 1;
            if chunks[last] > 0 && chunks[last] + e.bytes > limit {
                chunks.push(0);
            }
            let chunk = chunks.len() - 1;
            let landing = Landing {
                chunk,
                offset: chunks[chunk],
            };
            chunks[chunk] += e.bytes;
            Some(landing)
        })
        .collect();
    (chunks, landings)
}

/// Starts mapping the used part of every chunk at once.
pub(crate) fn start_maps(chunks: &[(wgpu::Buffer, u64)], used: &[u64]) -> Maps {
    Maps::start(
        chunks
            .iter()
            .zip(used)
            .filter(|(_, used)| **used > 0)
            .map(|((buffer, _), &used)| buffer.slice(..used)),
    )
}

/// Once `maps` have answered with `answer`: copies each landed tensor out (the others
/// come back empty) and unmaps the chunks, whatever the answer.
pub(crate) fn finish(
    answer: Result<(), GpuError>,
    chunks: &[(wgpu::Buffer, u64)],
    used: &[u64],
    entries: &[Entry],
    landings: &[Option<Landing>],
) -> Result<Vec<Vec<f32>>, GpuError> {
    let result = answer.and_then(|()| copy_out(chunks, used, entries, landings));
    for ((buffer, _), &used) in chunks.iter().zip(used) {
        if used > 0 {
            buffer.unmap();
        }
    }
    result
}

/// Copies each landed tensor out of the mapped chunks.
fn copy_out(
    chunks: &[(wgpu::Buffer, u64)],
    used: &[u64],
    entries: &[Entry],
    landings: &[Option<Landing>],
) -> Result<Vec<Vec<f32>>, GpuError> {
    let mut views = Vec::with_capacity(chunks.len());
    for ((buffer, _), &used) in chunks.iter().zip(used) {
        views.push(if used > 0 {
            Some(
                buffer
                    .get_mapped_range(..used)
                    .map_err(|e| GpuError::Readback(e.to_string()))?,
            )
        } else {
            None
        });
    }
    entries
        .iter()
        .zip(landings)
        .map(|(e, landing)| {
            let Some(l) = landing else {
                return Ok(Vec::new());
            };
            let view = views
                .get(l.chunk)
                .and_then(Option::as_ref)
                .ok_or_else(|| GpuError::Readback("a readback chunk is missing".to_owned()))?;
            let start = l.offset as usize;
            Ok(bytemuck::pod_collect_to_vec::<u8, f32>(
                &view[start..start + e.bytes as usize],
            ))
        })
        .collect()
}
