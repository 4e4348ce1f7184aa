//! Per-kernel timing of one forward pass (`bench --profile`): every dispatch gets a
//! compute pass of its own with timestamp writes at its start and end, and every copy
//! (where the adapter allows timestamps between passes) a pair of encoder timestamps;
//! the times are summed per [`Kind`]. The host's share of the readback (mapping and
//! copying out) is measured on the wall clock, since no GPU timestamp sees it.
//!
//! Separate passes serialise what a batched pass may overlap, so the sum is an upper
//! bound of the ordinary pass's GPU time: read it for where the time goes.

use std::time::Duration;

use eframe::egui_wgpu::wgpu;

use super::record::{Kind, Step};
use super::{GpuContext, GpuError};

/// wgpu's largest query set.
const MAX_QUERIES: u32 = 4096;

/// The GPU time of one kind of step summed over a pass.
#[derive(Debug, Clone, Copy)]
pub struct KindTime {
    pub kind: Kind,
    pub time: Duration,
    /// Steps of this kind in the pass.
    pub steps: usize,
}

/// Where one pass's time went.
#[derive(Debug, Clone)]
pub struct Profile {
    /// GPU time per kind summed over the pass, with the number of steps of that kind;
    /// `None` where the adapter has no timestamp queries.
    pub kernels: Option<Vec<KindTime>>,
    /// Copies that could not be timed (the adapter has no timestamps between passes).
    pub untimed_copies: usize,
    /// Mapping the readback chunks and copying the tensors out, on the host's clock.
    pub host_readback: Duration,
    /// The whole pass, submit to trace, on the host's clock.
    pub wall: Duration,
    /// Bytes copied back to the host.
    pub readback_bytes: u64,
}

/// Whether `ctx`'s device can time compute passes, or why not (one line).
pub fn support(ctx: &GpuContext) -> Result<(), String> {
    if ctx
        .device
        .features()
        .contains(wgpu::Features::TIMESTAMP_QUERY)
    {
        Ok(())
    } else {
        Err(format!(
            "{} has no timestamp queries (wgpu feature TIMESTAMP_QUERY): per-kernel times are not available",
            ctx.describe()
        ))
    }
}

/// The query set of one profiled pass and the buffers its timestamps come back in.
pub(crate) struct Timer {
    set: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    read: wgpu::Buffer,
    /// The kind timed by each pair of queries.
    kinds: Vec<Kind>,
    untimed: usize,
    between_passes: bool,
}

impl Timer {
    /// A timer for up to `steps` steps, or `None` where the adapter cannot time.
    pub fn new(ctx: &GpuContext, steps: usize) -> Result<Option<Self>, GpuError> {
        if support(ctx).is_err() {
            return Ok(None);
        }
        let count = (2 * steps) as u32;
        if count > MAX_QUERIES {
            return Err(GpuError::Unsupported(format!(
                "profiling more than {} steps",
                MAX_QUERIES / 2
            )));
        }
        let device = &ctx.device;
        let bytes = u64::from(count.max(2)) * 8;
        Ok(Some(Self {
            set: device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("profile"),
                ty: wgpu::QueryType::Timestamp,
                count: count.max(2),
            }),
            resolve: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("profile resolve"),
                size: bytes,
                usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            }),
            read: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("profile readback"),
                size: bytes,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            kinds: Vec::with_capacity(steps),
            untimed: 0,
            between_passes: device
                .features()
                .contains(wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS),
        }))
    }

    /// Records `steps`, each dispatch in a timed pass of its own, then resolves the
    /// queries into the timer's readback buffer.
    pub fn record(&mut self, encoder: &mut wgpu::CommandEncoder, steps: &[Step<'_>]) {
        for step in steps {
            let at = 2 * self.kinds.len() as u32;
            match step {
                Step::Dispatch {
                    kind,
                    pipeline,
                    bind,
                    groups,
                } => {
                    let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                        label: None,
                        timestamp_writes: Some(wgpu::ComputePassTimestampWrites {
                            query_set: &self.set,
                            beginning_of_pass_write_index: Some(at),
                            end_of_pass_write_index: Some(at + 1),
                        }),
                    });
                    pass.set_pipeline(pipeline);
                    pass.set_bind_group(0, *bind, &[]);
                    pass.dispatch_workgroups(groups[0], groups[1], groups[2]);
                    self.kinds.push(*kind);
                }
                Step::Copy {
                    kind,
                    from,
                    from_offset,
                    to,
                    to_offset,
                    bytes,
                } => {
                    if self.between_passes {
                        encoder.write_timestamp(&self.set, at);
                    }
                    encoder.copy_buffer_to_buffer(from, *from_offset, to, *to_offset, *bytes);
                    if self.between_passes {
                        encoder.write_timestamp(&self.set, at + 1);
                        self.kinds.push(*kind);
                    } else {
                        self.untimed += 1;
                    }
                }
            }
        }
        let used = 2 * self.kinds.len() as u32;
        if used > 0 {
            encoder.resolve_query_set(&self.set, 0..used, &self.resolve, 0);
            encoder.copy_buffer_to_buffer(&self.resolve, 0, &self.read, 0, u64::from(used) * 8);
        }
    }

    /// After the submission is done: GPU time per kind, and the untimed copies.
    pub fn read(&self, ctx: &GpuContext) -> Result<(Vec<KindTime>, usize), GpuError> {
        let used = 2 * self.kinds.len();
        let ticks: Vec<u64> = if used == 0 {
            Vec::new()
        } else {
            let bits = ctx.read_f32(&self.read, 2 * used)?;
            bytemuck::pod_collect_to_vec::<f32, u64>(&bits)
        };
        let period = f64::from(ctx.queue.get_timestamp_period());
        let mut sums: Vec<KindTime> = Vec::new();
        for (kind, pair) in self.kinds.iter().zip(ticks.chunks_exact(2)) {
            let ns = pair[1].saturating_sub(pair[0]) as f64 * period;
            let time = Duration::from_secs_f64(ns / 1e9);
            match sums.iter_mut().find(|s| s.kind == *kind) {
                Some(s) => {
                    s.time += time;
                    s.steps += 1;
                }
                None => sums.push(KindTime {
                    kind: *kind,
                    time,
                    steps: 1,
                }),
            }
        }
        sums.sort_by_key(|s| s.kind);
        Ok((sums, self.untimed))
    }
}
