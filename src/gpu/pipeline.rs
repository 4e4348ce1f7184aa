//! A compute pipeline with one uniform block of parameters and a list of storage
//! buffers, built once per device; and a one-shot runner that uploads inputs, runs a
//! dispatch and reads one output back (used by the parity tests and single kernels; the
//! full forward pass records many dispatches into one submission instead).

use eframe::egui_wgpu::wgpu;

use super::kernels::KernelSpec;
use super::{GpuContext, GpuError};

/// A compiled kernel: binding 0 is the uniform parameters, bindings 1.. are storage
/// buffers, the last of them read-write (the output), the others read-only.
pub struct Kernel {
    pub(crate) pipeline: wgpu::ComputePipeline,
    pub(crate) layout: wgpu::BindGroupLayout,
    pub(crate) storage: usize,
}

impl Kernel {
    /// Builds `spec`'s `main` with its storage bindings (the last one writable).
    pub fn new(device: &wgpu::Device, spec: &KernelSpec) -> Self {
        let (label, storage) = (spec.file, spec.storage);
        let mut entries = vec![wgpu::BindGroupLayoutEntry {
            binding: 0,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        }];
        for i in 0..storage {
            entries.push(wgpu::BindGroupLayoutEntry {
                binding: (i + 1) as u32,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Storage {
                        read_only: i + 1 < storage,
                    },
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
                count: None,
            });
        }
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some(label),
            entries: &entries,
        });
        Self::with_layout(device, spec, layout)
    }

    /// Builds `spec` on `other`'s bind group layout, so `other`'s bind groups fit it
    /// (the linear tilings share theirs: the forward pass picks one per shape).
    pub fn sharing(device: &wgpu::Device, spec: &KernelSpec, other: &Kernel) -> Self {
        Self::with_layout(device, spec, other.layout.clone())
    }

    fn with_layout(
        device: &wgpu::Device,
        spec: &KernelSpec,
        layout: wgpu::BindGroupLayout,
    ) -> Self {
        let label = spec.file;
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(label),
            source: wgpu::ShaderSource::Wgsl(spec.source.into()),
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(label),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(label),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some("main"),
            compilation_options: Default::default(),
            cache: None,
        });
        Self {
            pipeline,
            layout,
            storage: spec.storage,
        }
    }

    /// Binds `params` to binding 0 and `buffers` (inputs, then the output) to
    /// bindings 1.., the layout every kernel shares.
    pub(crate) fn bind(
        &self,
        device: &wgpu::Device,
        params: wgpu::BindingResource<'_>,
        buffers: &[&wgpu::Buffer],
    ) -> wgpu::BindGroup {
        bind_group(device, &self.layout, params, buffers)
    }
}

/// A bind group for `layout`: `params` at binding 0, then `buffers` at 1.., as
/// every kernel here (the softmax's own layout included) takes them.
pub(crate) fn bind_group(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    params: wgpu::BindingResource<'_>,
    buffers: &[&wgpu::Buffer],
) -> wgpu::BindGroup {
    let mut entries = vec![wgpu::BindGroupEntry {
        binding: 0,
        resource: params,
    }];
    for (i, b) in buffers.iter().enumerate() {
        entries.push(wgpu::BindGroupEntry {
            binding: (i + 1) as u32,
            resource: b.as_entire_binding(),
        });
    }
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: None,
        layout,
        entries: &entries,
    })
}

/// A buffer holding `data` with `usage`; empty data becomes one zero float, since
/// empty bindings are not allowed.
pub(crate) fn buffer_with(
    device: &wgpu::Device,
    label: &str,
    data: &[f32],
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    use wgpu::util::DeviceExt;
    let one = [0.0f32];
    let data = if data.is_empty() { &one[..] } else { data };
    device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some(label),
        contents: bytemuck::cast_slice(data),
        usage,
    })
}

/// A uniform buffer holding a kernel's parameter block.
pub(crate) fn params_buffer(device: &wgpu::Device, params: &[u8]) -> wgpu::Buffer {
    use wgpu::util::DeviceExt;
    device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("params"),
        contents: params,
        usage: wgpu::BufferUsages::UNIFORM,
    })
}

impl GpuContext {
    /// Uploads `inputs`, runs `kernel` over `groups` workgroups with `params`, and reads
    /// back the output (`out_len` floats, the last binding). Blocking.
    pub fn run_once(
        &self,
        kernel: &Kernel,
        params: &[u8],
        inputs: &[&[f32]],
        out_len: usize,
        groups: [u32; 3],
    ) -> Result<Vec<f32>, GpuError> {
        let (readback, submission) = self.submit_once(kernel, params, inputs, out_len, groups)?;
        self.wait(submission)?;
        let mut v = self.read_f32(&readback, out_len.max(1))?;
        v.truncate(out_len);
        Ok(v)
    }

    /// [`GpuContext::run_once`] as a future: the browser's page awaits the readback.
    pub async fn run_once_async(
        &self,
        kernel: &Kernel,
        params: &[u8],
        inputs: &[&[f32]],
        out_len: usize,
        groups: [u32; 3],
    ) -> Result<Vec<f32>, GpuError> {
        let (readback, submission) = self.submit_once(kernel, params, inputs, out_len, groups)?;
        self.wait(submission)?;
        let mut v = self.read_f32_async(&readback, out_len.max(1)).await?;
        v.truncate(out_len);
        Ok(v)
    }

    /// Records and submits one dispatch and the copy of its output into a `MAP_READ`
    /// buffer, which it returns with the submission.
    fn submit_once(
        &self,
        kernel: &Kernel,
        params: &[u8],
        inputs: &[&[f32]],
        out_len: usize,
        groups: [u32; 3],
    ) -> Result<(wgpu::Buffer, wgpu::SubmissionIndex), GpuError> {
        if inputs.len() + 1 != kernel.storage {
            return Err(GpuError::Validation(format!(
                "kernel takes {} inputs, got {}",
                kernel.storage - 1,
                inputs.len()
            )));
        }
        let device = &self.device;
        let out_bytes = (out_len.max(1) * 4) as u64;
        self.scoped(|| {
            let params_buf = params_buffer(device, params);
            let input_bufs: Vec<wgpu::Buffer> = inputs
                .iter()
                .map(|d| buffer_with(device, "input", d, wgpu::BufferUsages::STORAGE))
                .collect();
            let out = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("output"),
                size: out_bytes,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            });
            let readback = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("readback"),
                size: out_bytes,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let buffers: Vec<&wgpu::Buffer> =
                input_bufs.iter().chain(std::iter::once(&out)).collect();
            let bind = kernel.bind(device, params_buf.as_entire_binding(), &buffers);
            let mut encoder = device.create_command_encoder(&Default::default());
            {
                let mut pass = encoder.begin_compute_pass(&Default::default());
                pass.set_pipeline(&kernel.pipeline);
                pass.set_bind_group(0, &bind, &[]);
                pass.dispatch_workgroups(groups[0], groups[1], groups[2]);
            }
            encoder.copy_buffer_to_buffer(&out, 0, &readback, 0, out_bytes);
            let submission = self.queue.submit([encoder.finish()]);
            // wgpu keeps the buffers this submission uses alive until it is done.
            Ok((readback, submission))
        })
    }
}
