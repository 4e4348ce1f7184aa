//! Row-wise masked softmax on the GPU (`kernels/softmax.wgsl`).
//! CPU twin: [`crate::model::numerics::softmax::softmax_rows_masked`].

use super::{GpuContext, GpuError, kernels};
use eframe::egui_wgpu::wgpu;

/// The compiled pipeline, built once per device.
pub(crate) struct SoftmaxKernel {
    pub(crate) pipeline: wgpu::ComputePipeline,
    pub(crate) layout: wgpu::BindGroupLayout,
}

impl SoftmaxKernel {
    pub(crate) fn new(device: &wgpu::Device) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(kernels::softmax::SPEC.file),
            source: wgpu::ShaderSource::Wgsl(kernels::softmax::SOURCE.into()),
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
    /// Softmax of every row of `(values.len() / cols × cols)`; `mask[c] == false` is
    /// padding. Blocking (the browser awaits [`GpuContext::softmax_rows_masked_async`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn softmax_rows_masked(
        &self,
        values: &[f32],
        cols: usize,
        mask: Option<&[bool]>,
    ) -> Result<Vec<f32>, GpuError> {
        pollster::block_on(self.softmax_rows_masked_async(values, cols, mask))
    }

    /// [`GpuContext::softmax_rows_masked`] as a future: the start-up check the browser
    /// runs before it computes on WebGPU.
    pub async fn softmax_rows_masked_async(
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
        let launch = kernels::softmax::launch(rows, cols, mask.is_some());
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
            contents: &launch.params,
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
        let bind = super::pipeline::bind_group(
            device,
            &self.softmax.layout,
            params_buf.as_entire_binding(),
            &[&values_buf, &mask_buf],
        );
        let mut encoder = device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&self.softmax.pipeline);
            pass.set_bind_group(0, &bind, &[]);
            let [x, y, z] = launch.groups;
            pass.dispatch_workgroups(x, y, z);
        }
        encoder.copy_buffer_to_buffer(&values_buf, 0, &readback, 0, (rows * cols * 4) as u64);
        let submission = self.queue.submit([encoder.finish()]);
        if let Some(e) = scope.pop().await {
            return Err(GpuError::Validation(e.to_string()));
        }
        self.wait(submission)?;
        self.read_f32_async(&readback, rows * cols).await
    }
}
