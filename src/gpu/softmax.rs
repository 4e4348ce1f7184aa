//! Row-wise masked softmax on the GPU (`shaders/softmax.wgsl`).
//! CPU twin: [`crate::model::softmax::softmax_rows_masked`].

use super::{GpuContext, GpuError};
use eframe::egui_wgpu::wgpu;

/// Rows per dispatch dimension: WebGPU guarantees at least 65,535 workgroups per axis.
const MAX_GROUPS_X: u32 = 65_535;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    rows: u32,
    cols: u32,
    use_mask: u32,
    rows_per_dispatch_x: u32,
}

/// The compiled pipeline, built once per device.
pub(crate) struct SoftmaxKernel {
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
}

impl SoftmaxKernel {
    pub(crate) fn new(device: &wgpu::Device) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("softmax.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("shaders/softmax.wgsl").into()),
        });
        let entry = |binding, ty| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty,
            count: None,
        };
        let storage = |read_only| wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        };
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("softmax"),
            entries: &[
                entry(
                    0,
                    wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                ),
                entry(1, storage(false)),
                entry(2, storage(true)),
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("softmax"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("softmax"),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some("main"),
            compilation_options: Default::default(),
            cache: None,
        });
        Self { pipeline, layout }
    }
}

impl GpuContext {
    /// Softmax of every row of `(values.len() / cols × cols)`; `mask[c] == false` is padding.
    pub fn softmax_rows_masked(
        &self,
        values: &[f32],
        cols: usize,
        mask: Option<&[bool]>,
    ) -> Result<Vec<f32>, GpuError> {
        use wgpu::util::DeviceExt;
        if cols == 0 || values.is_empty() {
            return Ok(values.to_vec());
        }
        let rows = values.len() / cols;
        let groups_x = (rows as u32).min(MAX_GROUPS_X);
        let params = Params {
            rows: rows as u32,
            cols: cols as u32,
            use_mask: u32::from(mask.is_some()),
            rows_per_dispatch_x: groups_x,
        };
        let mask_words: Vec<u32> = match mask {
            Some(m) => (0..cols)
                .map(|c| u32::from(m.get(c).copied().unwrap_or(false)))
                .collect(),
            None => vec![1; cols],
        };
        let device = &self.device;
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let params_buf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("softmax params"),
            contents: bytemuck::bytes_of(&params),
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let values_buf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("softmax values"),
            contents: bytemuck::cast_slice(&values[..rows * cols]),
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        });
        let mask_buf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("softmax mask"),
            contents: bytemuck::cast_slice(&mask_words),
            usage: wgpu::BufferUsages::STORAGE,
        });
        let readback = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("softmax readback"),
            size: (rows * cols * 4) as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("softmax"),
            layout: &self.softmax.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: params_buf.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: values_buf.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: mask_buf.as_entire_binding(),
                },
            ],
        });
        let mut encoder = device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&self.softmax.pipeline);
            pass.set_bind_group(0, &bind, &[]);
            pass.dispatch_workgroups(groups_x, (rows as u32).div_ceil(groups_x), 1);
        }
        encoder.copy_buffer_to_buffer(&values_buf, 0, &readback, 0, (rows * cols * 4) as u64);
        let submission = self.queue.submit([encoder.finish()]);
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(GpuError::Validation(e.to_string()));
        }
        self.wait(submission)?;
        self.read_f32(&readback, rows * cols)
    }
}
