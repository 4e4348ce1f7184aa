//! The whole encoder on the GPU as one submission: every dispatch of every layer is
//! recorded into one command encoder, every tensor the [`Trace`] needs is copied into
//! the workspace's readback buffers in the same submission, and they are mapped once.
//! The result is the same `Trace` the CPU reference ([`crate::model::bert::forward::forward`])
//! fills, to 1e-4.
//!
//! Blocking (with a timeout): call it on a worker thread, never on the UI thread.

use eframe::egui_wgpu::wgpu;
use ndarray::{Array2, Array3};
use thiserror::Error;

use super::kernels::{self, Launch};
use super::ops::{predictions_from_top_k, top_k_stride};
use super::resident::ResidentWeights;
use super::workspace::{MAX_TOP_K, SLOT_BYTES, SLOTS, Sizes, Slot, Workspace};
use super::{GpuContext, GpuError};
use crate::model::bert::config::BertConfig;
use crate::model::bert::forward::{ForwardError, ForwardOptions, check_input};
use crate::model::bert::trace::{EmbeddingTrace, LayerSteps, LayerTrace, MlmTrace, Trace};
use crate::model::bert::weights::BertWeights;
use crate::model::tokenize::ModelInput;

/// Entries of [`Workspace::readback_list`] per layer.
const PER_LAYER: usize = 11;

/// Why a GPU forward pass gave no trace: the input (the CPU would refuse it too) or
/// the GPU (the CPU can take over).
#[derive(Debug, Error)]
pub enum GpuForwardError {
    #[error(transparent)]
    Input(#[from] ForwardError),
    #[error(transparent)]
    Gpu(#[from] GpuError),
}

/// A model resident on the GPU with its pooled workspace.
pub struct GpuModel {
    resident: ResidentWeights,
    work: Option<Workspace>,
}

impl GpuModel {
    /// Uploads `weights`; the workspace is made on the first forward pass.
    pub fn upload(ctx: &GpuContext, weights: &BertWeights) -> Result<Self, GpuError> {
        Ok(Self {
            resident: ResidentWeights::upload(ctx, weights)?,
            work: None,
        })
    }

    /// Tokens the current workspace holds (0 before the first pass).
    pub fn capacity(&self) -> usize {
        self.work.as_ref().map_or(0, |w| w.capacity)
    }

    /// Runs the encoder (and the MLM head, if any) on `input`.
    pub fn forward(
        &mut self,
        ctx: &GpuContext,
        input: &ModelInput,
        opts: &ForwardOptions,
    ) -> Result<Trace, GpuForwardError> {
        let config = self.resident.config.clone();
        check_input(&config, input, opts)?;
        if opts.top_k > MAX_TOP_K {
            return Err(GpuError::Unsupported(format!(
                "more than {MAX_TOP_K} predictions per token"
            ))
            .into());
        }
        if let Some(t) = ctx.trouble() {
            return Err(GpuError::Lost(t).into());
        }
        let n = input.ids.len();
        let k = opts.top_k.min(config.vocab_size);
        let mask = opts.attention_mask.clone().unwrap_or_else(|| vec![true; n]);
        let launches = launches(&config, n, k)?;
        self.ensure_workspace(ctx, n)?;
        let Some(work) = self.work.as_ref() else {
            return Err(GpuError::Validation("no workspace".to_owned()).into());
        };

        let device = &ctx.device;
        let sizes = Sizes::new(&config, n, k);
        let skipped = |layer: usize| opts.ablation.skip_layers.contains(&layer);
        let list = work.readback_list(&sizes);
        let wanted: Vec<bool> = (0..list.len()).map(|i| wanted(i, &skipped)).collect();
        let submission = ctx.scoped(|| {
            write_inputs(ctx, work, &launches, input, &mask, opts, &config);
            let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("forward pass"),
            });
            record(ctx, work, &launches, &config, n, &skipped, &mut encoder);
            // Copy what the trace needs.
            for (((buffer, bytes), landing), &want) in list.iter().zip(&work.landings).zip(&wanted)
            {
                if want {
                    let (target, _) = &work.readback[landing.chunk];
                    encoder.copy_buffer_to_buffer(buffer, 0, target, landing.offset, *bytes);
                }
            }
            Ok(ctx.queue.submit([encoder.finish()]))
        })?;
        ctx.wait(submission)?;
        let mut tensors = read_back(ctx, work, &list, &wanted)?;
        Ok(assemble(&mut tensors, &config, input, mask, opts, k)?)
    }

    /// Makes the workspace hold `n` tokens: kept when large enough, else rebuilt with
    /// room to spare (a multiple of 32 tokens) so typing does not rebuild it each time.
    fn ensure_workspace(&mut self, ctx: &GpuContext, n: usize) -> Result<(), GpuError> {
        if self.work.as_ref().is_some_and(|w| w.capacity >= n) {
            return Ok(());
        }
        let max = self.resident.config.max_position_embeddings;
        let capacity = n.next_multiple_of(32).min(max).max(n);
        // Free the old buffers before making the new ones.
        self.work = None;
        let resident = &self.resident;
        self.work = Some(ctx.scoped(|| Ok(Workspace::new(ctx, resident, capacity)))?);
        Ok(())
    }
}

/// Whether readback entry `i` is needed: nothing of a skipped layer is (its output is
/// its input, which the trace already has).
fn wanted(i: usize, skipped: &impl Fn(usize) -> bool) -> bool {
    // Entries past the layers (the MLM head) get a layer index no layer has.
    i.checked_sub(2).is_none_or(|j| !skipped(j / PER_LAYER))
}

/// Every parameter block of a pass over `n` tokens, indexed by [`Slot`].
fn launches(config: &BertConfig, n: usize, k: usize) -> Result<[Launch; SLOTS], GpuError> {
    let h = config.hidden_size;
    let heads = config.num_attention_heads;
    let d = config.head_dim();
    let inter = config.intermediate_size;
    let eps = config.layer_norm_eps as f32;
    let act = config.hidden_act;
    let by_slot = |slot: Slot| -> Result<Launch, GpuError> {
        Ok(match slot {
            Slot::Embed => kernels::embed::launch(n, h),
            Slot::Norm => kernels::layernorm::launch(n, h, eps, false),
            Slot::AddNorm => kernels::layernorm::launch(n, h, eps, true),
            Slot::LinearHidden => kernels::linear::launch(n, h, h)?,
            Slot::Scores => kernels::attention_scores::launch(n, heads, d)?,
            Slot::Softmax => kernels::softmax::launch(heads * n, n, true),
            Slot::Context => kernels::attention_context::launch(n, heads, d)?,
            Slot::LinearUp => kernels::linear::launch(n, h, inter)?,
            Slot::Activation => kernels::gelu::launch(n * inter, act),
            Slot::LinearDown => kernels::linear::launch(n, inter, h)?,
            Slot::MlmActivation => kernels::gelu::launch(n * h, act),
            Slot::LinearVocab => kernels::linear::launch(n, h, config.vocab_size)?,
            Slot::TopK => kernels::mlm_topk::launch(n, config.vocab_size, k)?,
        })
    };
    Ok([
        by_slot(Slot::Embed)?,
        by_slot(Slot::Norm)?,
        by_slot(Slot::AddNorm)?,
        by_slot(Slot::LinearHidden)?,
        by_slot(Slot::Scores)?,
        by_slot(Slot::Softmax)?,
        by_slot(Slot::Context)?,
        by_slot(Slot::LinearUp)?,
        by_slot(Slot::Activation)?,
        by_slot(Slot::LinearDown)?,
        by_slot(Slot::MlmActivation)?,
        by_slot(Slot::LinearVocab)?,
        by_slot(Slot::TopK)?,
    ])
}

/// Queues this call's parameters, ids, mask and kept heads (they reach the GPU before
/// the submission's first dispatch).
fn write_inputs(
    ctx: &GpuContext,
    work: &Workspace,
    launches: &[Launch; SLOTS],
    input: &ModelInput,
    mask: &[bool],
    opts: &ForwardOptions,
    config: &BertConfig,
) {
    let mut block = vec![0u8; SLOTS * SLOT_BYTES as usize];
    for (i, l) in launches.iter().enumerate() {
        let at = i * SLOT_BYTES as usize;
        block[at..at + l.params.len()].copy_from_slice(&l.params);
    }
    let queue = &ctx.queue;
    queue.write_buffer(&work.params, 0, &block);
    queue.write_buffer(&work.ids, 0, bytemuck::cast_slice(&input.ids));
    queue.write_buffer(&work.type_ids, 0, bytemuck::cast_slice(&input.type_ids));
    let mask: Vec<u32> = mask.iter().map(|&m| u32::from(m)).collect();
    queue.write_buffer(&work.mask, 0, bytemuck::cast_slice(&mask));
    for (index, layer) in work.layers.iter().enumerate() {
        let ablated = opts.ablation.heads_in(index);
        let keep: Vec<f32> = (0..config.num_attention_heads)
            .map(|h| if ablated.contains(&h) { 0.0 } else { 1.0 })
            .collect();
        queue.write_buffer(&layer.keep, 0, bytemuck::cast_slice(&keep));
    }
}

fn dispatch(
    pass: &mut wgpu::ComputePass<'_>,
    pipeline: &wgpu::ComputePipeline,
    bind: &wgpu::BindGroup,
    launch: &Launch,
) {
    pass.set_pipeline(pipeline);
    pass.set_bind_group(0, bind, &[]);
    let [x, y, z] = launch.groups;
    pass.dispatch_workgroups(x, y, z);
}

/// Records the embedding, every layer and the MLM head. A copy (the embedding sum,
/// the raw scores kept before the in-place softmax, a skipped layer's identity) ends a
/// compute pass; everything else runs in as few passes as that allows.
fn record(
    ctx: &GpuContext,
    work: &Workspace,
    launches: &[Launch; SLOTS],
    config: &BertConfig,
    n: usize,
    skipped: &impl Fn(usize) -> bool,
    encoder: &mut wgpu::CommandEncoder,
) {
    let ops = &ctx.ops;
    let l = |slot: Slot| &launches[slot as usize];
    let hidden_bytes = (n * config.hidden_size * 4) as u64;
    let square_bytes = (config.num_attention_heads * n * n * 4) as u64;
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        dispatch(
            &mut pass,
            &ops.embed.pipeline,
            &work.embed_bind,
            l(Slot::Embed),
        );
    }
    // The sum is the fourth slab of the parts.
    encoder.copy_buffer_to_buffer(&work.parts, 3 * hidden_bytes, &work.sum, 0, hidden_bytes);
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        dispatch(
            &mut pass,
            &ops.layer_norm.pipeline,
            &work.norm_bind,
            l(Slot::Norm),
        );
    }
    for (index, layer) in work.layers.iter().enumerate() {
        let input = if index == 0 {
            &work.normed
        } else {
            &work.layers[index - 1].output
        };
        if skipped(index) {
            encoder.copy_buffer_to_buffer(input, 0, &layer.output, 0, hidden_bytes);
            continue;
        }
        let b = &layer.bind;
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            let linear = &ops.linear.pipeline;
            dispatch(&mut pass, linear, &b.q, l(Slot::LinearHidden));
            dispatch(&mut pass, linear, &b.k, l(Slot::LinearHidden));
            dispatch(&mut pass, linear, &b.v, l(Slot::LinearHidden));
            dispatch(&mut pass, &ops.scores.pipeline, &b.scores, l(Slot::Scores));
        }
        // The trace keeps the raw scores; the softmax works in place on a copy.
        encoder.copy_buffer_to_buffer(&layer.scores, 0, &layer.weights, 0, square_bytes);
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            let linear = &ops.linear.pipeline;
            let norm = &ops.layer_norm.pipeline;
            dispatch(
                &mut pass,
                &ctx.softmax.pipeline,
                &b.softmax,
                l(Slot::Softmax),
            );
            dispatch(
                &mut pass,
                &ops.context.pipeline,
                &b.context,
                l(Slot::Context),
            );
            dispatch(
                &mut pass,
                linear,
                &b.attention_output,
                l(Slot::LinearHidden),
            );
            dispatch(&mut pass, norm, &b.attention_norm, l(Slot::AddNorm));
            dispatch(&mut pass, linear, &b.up, l(Slot::LinearUp));
            dispatch(
                &mut pass,
                &ops.gelu.pipeline,
                &b.activation,
                l(Slot::Activation),
            );
            dispatch(&mut pass, linear, &b.down, l(Slot::LinearDown));
            dispatch(&mut pass, norm, &b.output_norm, l(Slot::AddNorm));
        }
    }
    if let Some(m) = &work.mlm {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        let [transform, activation, norm, decoder, top_k] = &m.bind;
        dispatch(
            &mut pass,
            &ops.linear.pipeline,
            transform,
            l(Slot::LinearHidden),
        );
        dispatch(
            &mut pass,
            &ops.gelu.pipeline,
            activation,
            l(Slot::MlmActivation),
        );
        dispatch(&mut pass, &ops.layer_norm.pipeline, norm, l(Slot::Norm));
        dispatch(
            &mut pass,
            &ops.linear.pipeline,
            decoder,
            l(Slot::LinearVocab),
        );
        dispatch(&mut pass, &ops.top_k.pipeline, top_k, l(Slot::TopK));
    }
}

/// Maps every readback chunk at once, waits (with the context's timeout) and copies
/// each wanted tensor out; unwanted ones come back empty.
fn read_back(
    ctx: &GpuContext,
    work: &Workspace,
    list: &[(&wgpu::Buffer, u64)],
    wanted: &[bool],
) -> Result<Vec<Vec<f32>>, GpuError> {
    let (tx, rx) = std::sync::mpsc::channel();
    for (i, (buffer, _)) in work.readback.iter().enumerate() {
        let tx = tx.clone();
        buffer.slice(..).map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send((i, r));
        });
    }
    drop(tx);
    ctx.device
        .poll(wgpu::PollType::Wait {
            submission_index: None,
            timeout: Some(super::context::GPU_TIMEOUT),
        })
        .map_err(|e| GpuError::Readback(e.to_string()))?;
    let mut failure = None;
    for _ in 0..work.readback.len() {
        match rx.recv_timeout(super::context::GPU_TIMEOUT) {
            Ok((_, Ok(()))) => {}
            Ok((_, Err(e))) => failure = Some(GpuError::Readback(e.to_string())),
            Err(_) => failure = Some(GpuError::Timeout(super::context::GPU_TIMEOUT)),
        }
    }
    let result = match failure {
        Some(e) => Err(e),
        None => {
            let mut views = Vec::with_capacity(work.readback.len());
            for (buffer, _) in &work.readback {
                views.push(
                    buffer
                        .get_mapped_range(..)
                        .map_err(|e| GpuError::Readback(e.to_string()))?,
                );
            }
            let out = list
                .iter()
                .zip(&work.landings)
                .zip(wanted)
                .map(|(((_, bytes), landing), &want)| {
                    if !want {
                        return Vec::new();
                    }
                    let start = landing.offset as usize;
                    let view = &views[landing.chunk];
                    bytemuck::pod_collect_to_vec::<u8, f32>(&view[start..start + *bytes as usize])
                })
                .collect();
            drop(views);
            Ok(out)
        }
    };
    for (buffer, _) in &work.readback {
        buffer.unmap();
    }
    result
}

/// `(tokens × heads·d)` → `(heads × tokens × d)`, as the CPU splits Q, K, V and the
/// context.
fn split_heads(v: Vec<f32>, n: usize, heads: usize, d: usize) -> Result<Array3<f32>, GpuError> {
    let a = Array3::from_shape_vec((n, heads, d), v).map_err(shape_error)?;
    Ok(a.permuted_axes([1, 0, 2]).as_standard_layout().into_owned())
}

fn shape_error(e: ndarray::ShapeError) -> GpuError {
    GpuError::Readback(format!("a tensor came back with the wrong size: {e}"))
}

/// Builds the trace from the read-back tensors, in [`Workspace::readback_list`] order.
fn assemble(
    tensors: &mut [Vec<f32>],
    config: &BertConfig,
    input: &ModelInput,
    mask: Vec<bool>,
    opts: &ForwardOptions,
    k: usize,
) -> Result<Trace, GpuError> {
    let n = input.ids.len();
    let h = config.hidden_size;
    let heads = config.num_attention_heads;
    let d = config.head_dim();
    let mut next = {
        let mut it = tensors.iter_mut();
        move || it.next().map(std::mem::take).unwrap_or_default()
    };
    let matrix =
        |v: Vec<f32>, cols: usize| Array2::from_shape_vec((n, cols), v).map_err(shape_error);
    let square = |v: Vec<f32>| Array3::from_shape_vec((heads, n, n), v).map_err(shape_error);

    let mut parts = next();
    let slab = n * h;
    if parts.len() != 4 * slab {
        return Err(GpuError::Readback(
            "embedding parts have the wrong size".to_owned(),
        ));
    }
    let sum = matrix(parts.split_off(3 * slab), h)?;
    let segment = matrix(parts.split_off(2 * slab), h)?;
    let position = matrix(parts.split_off(slab), h)?;
    let token = matrix(parts, h)?;
    let normed = matrix(next(), h)?;
    let mut previous = normed.clone();
    let mut layers = Vec::with_capacity(config.num_hidden_layers);
    for index in 0..config.num_hidden_layers {
        if opts.ablation.skip_layers.contains(&index) {
            for _ in 0..PER_LAYER {
                next();
            }
            layers.push(LayerTrace {
                steps: None,
                output: previous.clone(),
            });
            continue;
        }
        let q = split_heads(next(), n, heads, d)?;
        let kk = split_heads(next(), n, heads, d)?;
        let v = split_heads(next(), n, heads, d)?;
        let scores = square(next())?;
        let weights = square(next())?;
        let context = split_heads(next(), n, heads, d)?;
        let steps = LayerSteps {
            q,
            k: kk,
            v,
            scores,
            weights,
            context,
            ablated_heads: opts.ablation.heads_in(index),
            attention_output: matrix(next(), h)?,
            attention_norm: matrix(next(), h)?,
            ffn_intermediate: matrix(next(), config.intermediate_size)?,
            ffn_output: matrix(next(), h)?,
        };
        let output = matrix(next(), h)?;
        previous = output.clone();
        layers.push(LayerTrace {
            steps: Some(steps),
            output,
        });
    }
    // Empty when the model has no MLM head.
    let raw = next();
    let mlm = (!raw.is_empty()).then(|| MlmTrace {
        top_k: raw
            .chunks_exact(top_k_stride(k))
            .take(n)
            .map(|row| predictions_from_top_k(row, config.vocab_size))
            .collect(),
    });
    Ok(Trace {
        tokens: input.tokens.clone(),
        ids: input.ids.clone(),
        type_ids: input.type_ids.clone(),
        attention_mask: mask,
        embeddings: EmbeddingTrace {
            token,
            position,
            segment,
            sum,
            normed,
        },
        layers,
        mlm,
    })
}
