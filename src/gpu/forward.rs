//! The whole encoder on the GPU as one submission: every dispatch of every layer is
//! recorded into one command encoder ([`super::record`]), the tensors the request's
//! [`TraceDetail`](crate::model::bert::detail::TraceDetail) keeps are copied into the
//! workspace's readback chunks in the same submission, and those are mapped once
//! ([`super::readback`]). The result is the `Trace` the CPU reference
//! ([`crate::model::bert::forward::forward`]) returns at that level, to 1e-4.
//!
//! [`GpuModel::forward`] blocks (with a timeout): call it on a worker thread, never on
//! the UI thread. [`GpuModel::forward_async`] awaits the readback instead, for the
//! browser's page, where nothing may block.

use web_time::Instant;

use eframe::egui_wgpu::wgpu;
use thiserror::Error;

use super::kernels::{self, Launch};
use super::mapping::Maps;
use super::profile::{Profile, Timer};
use super::readback;
use super::record::{self, Kind, Step};
use super::resident::ResidentWeights;
use super::workspace::{MAX_TOP_K, SLOT_BYTES, SLOTS, Slot, Workspace};
use super::{GpuContext, GpuError};
use crate::model::bert::config::BertConfig;
use crate::model::bert::forward::{ForwardError, ForwardOptions, check_input};
use crate::model::bert::trace::Trace;
use crate::model::bert::weights::BertWeights;
use crate::model::tokenize::ModelInput;

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
        Ok(self.run(ctx, input, opts, false)?.0)
    }

    /// As [`GpuModel::forward`], with each step timed where the adapter has timestamp
    /// queries (see [`super::profile`]).
    pub fn profile(
        &mut self,
        ctx: &GpuContext,
        input: &ModelInput,
        opts: &ForwardOptions,
    ) -> Result<(Trace, Profile), GpuForwardError> {
        let (trace, profile) = self.run(ctx, input, opts, true)?;
        let profile = profile.ok_or_else(|| GpuError::Validation("no profile".to_owned()))?;
        Ok((trace, profile))
    }

    /// [`GpuModel::forward`] as a future: the browser's page awaits the readback maps
    /// instead of blocking on them (on the desktop it blocks, on a worker thread).
    pub async fn forward_async(
        &mut self,
        ctx: &GpuContext,
        input: &ModelInput,
        opts: &ForwardOptions,
    ) -> Result<Trace, GpuForwardError> {
        let pass = self.submit(ctx, input, opts, false)?;
        let answer = pass.maps.wait(ctx).await;
        // In the browser errors arrive by callback, not through error scopes.
        let answer = answer.and_then(|()| match ctx.trouble() {
            Some(t) => Err(GpuError::Lost(t)),
            None => Ok(()),
        });
        Ok(self.finish(ctx, pass, answer, input, opts)?.0)
    }

    fn run(
        &mut self,
        ctx: &GpuContext,
        input: &ModelInput,
        opts: &ForwardOptions,
        profiled: bool,
    ) -> Result<(Trace, Option<Profile>), GpuForwardError> {
        let pass = self.submit(ctx, input, opts, profiled)?;
        let waited = ctx.wait(pass.submission.clone());
        let answer = waited.and_then(|()| pass.maps.wait_blocking(ctx));
        self.finish(ctx, pass, answer, input, opts)
    }

    /// Checks the input, records the whole pass (and the copies of the tensors the
    /// request keeps), submits it and starts mapping the readback chunks.
    fn submit(
        &mut self,
        ctx: &GpuContext,
        input: &ModelInput,
        opts: &ForwardOptions,
        profiled: bool,
    ) -> Result<Submitted, GpuForwardError> {
        let start = Instant::now();
        let config = &self.resident.config;
        check_input(config, input, opts)?;
        if opts.top_k > MAX_TOP_K {
            return Err(GpuError::Unsupported(format!(
                "more than {MAX_TOP_K} predictions per token"
            ))
            .into());
        }
        if let Some(t) = ctx.trouble() {
            return Err(GpuError::Lost(t).into());
        }
        let config = config.clone();
        let n = input.ids.len();
        let k = opts.top_k.min(config.vocab_size);
        let mask = opts.attention_mask.clone().unwrap_or_else(|| vec![true; n]);
        let launches = launches(&config, n, k)?;
        self.ensure_workspace(ctx, n)?;
        let has_mlm = self.resident.mlm.is_some();
        let entries = readback::entries(&config, n, k, has_mlm, opts.detail, &opts.ablation);
        let Some(work) = self.work.as_mut() else {
            return Err(GpuError::Validation("no workspace".to_owned()).into());
        };
        let (used, landings) = readback::plan(&entries, Workspace::chunk_limit(&ctx.device));
        ctx.scoped(|| {
            work.ensure_readback(&ctx.device, &used);
            Ok(())
        })?;
        let work = &*work;

        let skipped = |layer: usize| opts.ablation.skip_layers.contains(&layer);
        let mut steps = record::steps(ctx, work, &launches, &config, n, &skipped);
        for (e, landing) in entries.iter().zip(&landings) {
            let (Some(l), Some(from)) = (landing, work.buffer_of(e.tensor)) else {
                continue;
            };
            steps.push(Step::Copy {
                kind: Kind::Readback,
                from,
                from_offset: 0,
                to: &work.readback[l.chunk].0,
                to_offset: l.offset,
                bytes: e.bytes,
            });
        }
        let mut timer = if profiled {
            ctx.scoped(|| Timer::new(ctx, steps.len()))?
        } else {
            None
        };
        let submission = ctx.scoped(|| {
            write_inputs(ctx, work, &launches, input, &mask, opts, &config);
            let mut encoder = ctx
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("forward pass"),
                });
            match timer.as_mut() {
                Some(t) => t.record(&mut encoder, &steps),
                None => record::record_batched(&mut encoder, &steps),
            }
            Ok(ctx.queue.submit([encoder.finish()]))
        })?;
        let maps = readback::start_maps(&work.readback, &used);
        Ok(Submitted {
            start,
            submission,
            maps,
            entries,
            used,
            landings,
            mask,
            k,
            timer,
            profiled,
        })
    }

    /// Once the maps have answered: copies the kept tensors out and builds the trace
    /// (and the profile, when one was asked for).
    fn finish(
        &self,
        ctx: &GpuContext,
        pass: Submitted,
        answer: Result<(), GpuError>,
        input: &ModelInput,
        opts: &ForwardOptions,
    ) -> Result<(Trace, Option<Profile>), GpuForwardError> {
        let Some(work) = self.work.as_ref() else {
            return Err(GpuError::Validation("no workspace".to_owned()).into());
        };
        let mapping = Instant::now();
        let tensors = readback::finish(
            answer,
            &work.readback,
            &pass.used,
            &pass.entries,
            &pass.landings,
        )?;
        let host_readback = mapping.elapsed();
        let config = &self.resident.config;
        let trace = super::assemble::assemble(tensors, config, input, pass.mask, opts, pass.k)?;
        let profile = if pass.profiled {
            let (kernels, untimed_copies) = match &pass.timer {
                Some(t) => {
                    let (sums, untimed) = t.read(ctx)?;
                    (Some(sums), untimed)
                }
                None => (None, 0),
            };
            Some(Profile {
                kernels,
                untimed_copies,
                host_readback,
                wall: pass.start.elapsed(),
                readback_bytes: pass
                    .entries
                    .iter()
                    .filter(|e| e.wanted)
                    .map(|e| e.bytes)
                    .sum(),
            })
        } else {
            None
        };
        Ok((trace, profile))
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

/// A pass submitted to the GPU whose readback maps are on their way.
struct Submitted {
    start: Instant,
    submission: wgpu::SubmissionIndex,
    maps: Maps,
    entries: Vec<readback::Entry>,
    used: Vec<u64>,
    landings: Vec<Option<readback::Landing>>,
    mask: Vec<bool>,
    k: usize,
    timer: Option<Timer>,
    profiled: bool,
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
