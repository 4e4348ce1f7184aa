//! One wgpu instance, adapter, device and queue for compute, built once.

use eframe::egui_wgpu::wgpu;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::mapping::Maps;

/// How long a worker waits for the GPU before giving up and falling back to the CPU.
pub const GPU_TIMEOUT: Duration = Duration::from_secs(20);

/// Which adapters are acceptable for compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdapterPolicy {
    /// A real GPU only. Software adapters (lavapipe, llvmpipe) run WGSL compute 25–150×
    /// slower than plain CPU code, so `auto` refuses them.
    HardwareOnly,
    /// Any adapter with compute shaders, software ones included: `--backend gpu` and tests.
    AllowSoftware,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum GpuError {
    #[error("no GPU adapter with compute shaders was found")]
    NoAdapter,
    #[error("this browser offers no WebGPU (WebGL2 draws the page but has no compute shaders)")]
    NoWebGpu,
    #[error("the only GPU is a software one ({0}), slower than the CPU")]
    SoftwareOnly(String),
    #[error("the GPU device could not be created: {0}")]
    Device(String),
    #[error("the GPU did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the GPU reported an error: {0}")]
    Validation(String),
    #[error("reading results back from the GPU failed: {0}")]
    Readback(String),
    #[error("the GPU device was lost: {0}")]
    Lost(String),
    #[error("the GPU ran out of memory: {0}")]
    OutOfMemory(String),
    #[error("too large for this GPU: {0}")]
    TooLarge(String),
    #[error("not supported on the GPU: {0}")]
    Unsupported(String),
}

/// The compute device and everything that must be built only once for it.
pub struct GpuContext {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: wgpu::AdapterInfo,
    /// Set by wgpu's callbacks when the device is lost or reports an uncaptured error.
    trouble: Arc<Mutex<Option<String>>>,
    pub(crate) softmax: super::softmax::SoftmaxKernel,
    pub(crate) ops: super::ops::Ops,
}

impl GpuContext {
    /// Finds an adapter acceptable under `policy`, creates its device and builds the
    /// kernels. Blocking: call it on a worker thread (the browser uses
    /// [`GpuContext::open`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn new(policy: AdapterPolicy) -> Result<Self, GpuError> {
        pollster::block_on(Self::open(policy))
    }

    /// [`GpuContext::new`] as a future: the browser's page awaits the adapter, the
    /// device and the kernels' check instead of blocking on them.
    pub async fn open(policy: AdapterPolicy) -> Result<Self, GpuError> {
        let instance = wgpu::Instance::new(instance_descriptor());
        let adapters = instance.enumerate_adapters(wgpu::Backends::all()).await;
        let mut usable: Vec<wgpu::Adapter> = adapters
            .into_iter()
            .filter(|a| {
                a.get_downlevel_capabilities()
                    .flags
                    .contains(wgpu::DownlevelFlags::COMPUTE_SHADERS)
                    && a.get_info().backend != wgpu::Backend::Noop
            })
            .collect();
        usable.sort_by_key(|a| adapter_rank(&a.get_info()));
        let software =
            usable
                .iter()
                .find(|a| is_software(&a.get_info()))
                .map(|a| match a.get_info().name {
                    // Browsers keep the name to themselves.
                    name if name.is_empty() => "the browser's fallback adapter".to_owned(),
                    name => name,
                });
        let adapter = match policy {
            AdapterPolicy::AllowSoftware => usable.into_iter().next(),
            AdapterPolicy::HardwareOnly => usable.into_iter().find(|a| !is_software(&a.get_info())),
        };
        let Some(adapter) = adapter else {
            if cfg!(target_arch = "wasm32") && software.is_none() {
                return Err(GpuError::NoWebGpu);
            }
            return Err(match software {
                Some(name) if policy == AdapterPolicy::HardwareOnly => GpuError::SoftwareOnly(name),
                _ => GpuError::NoAdapter,
            });
        };
        let info = adapter.get_info();
        // Timestamps where the adapter has them, for `bench --profile`.
        let timing = wgpu::Features::TIMESTAMP_QUERY
            | wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS
            | wgpu::Features::TIMESTAMP_QUERY_INSIDE_PASSES;
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("llm-lens compute"),
                required_features: adapter.features() & timing,
                required_limits: adapter.limits(),
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::Device(e.to_string()))?;

        let trouble = Arc::new(Mutex::new(None));
        let on_error = Arc::clone(&trouble);
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            if let Ok(mut t) = on_error.lock() {
                t.get_or_insert_with(|| e.to_string());
            }
        }));
        let on_lost = Arc::clone(&trouble);
        device.set_device_lost_callback(move |reason, message| {
            if let Ok(mut t) = on_lost.lock() {
                *t = Some(format!("device lost ({reason:?}): {message}"));
            }
        });

        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let softmax = super::softmax::SoftmaxKernel::new(&device);
        let ops = super::ops::Ops::new(&device);
        if let Some(e) = scope.pop().await {
            return Err(GpuError::Validation(e.to_string()));
        }
        Ok(Self {
            device,
            queue,
            info,
            trouble,
            softmax,
            ops,
        })
    }

    /// "NVIDIA H200 (Vulkan)"; browsers keep the adapter's name to themselves.
    pub fn describe(&self) -> String {
        if self.info.name.is_empty() {
            return match self.info.backend {
                wgpu::Backend::BrowserWebGpu => "the browser's WebGPU".to_owned(),
                other => format!("an unnamed adapter ({other:?})"),
            };
        }
        format!("{} ({:?})", self.info.name, self.info.backend)
    }

    pub fn is_software(&self) -> bool {
        is_software(&self.info)
    }

    /// The first error wgpu reported outside an error scope, or the device-lost reason.
    pub fn trouble(&self) -> Option<String> {
        self.trouble.lock().ok().and_then(|t| t.clone())
    }

    /// Runs `f` (which creates resources or records and submits work) inside
    /// out-of-memory and validation error scopes, so either error comes back as a
    /// [`GpuError`] instead of reaching the uncaptured-error handler.
    ///
    /// In the browser a scope's answer is a promise the page cannot wait for here: the
    /// work runs unscoped, and an error reaches [`GpuContext::trouble`] instead, which
    /// every pass checks once its results are back.
    pub fn scoped<T>(&self, f: impl FnOnce() -> Result<T, GpuError>) -> Result<T, GpuError> {
        if cfg!(target_arch = "wasm32") {
            return f();
        }
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let invalid = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let result = f();
        let invalid = pollster::block_on(invalid.pop());
        let oom = pollster::block_on(oom.pop());
        if let Some(e) = oom {
            return Err(GpuError::OutOfMemory(e.to_string()));
        }
        if let Some(e) = invalid {
            return Err(GpuError::Validation(e.to_string()));
        }
        result
    }

    /// Waits for `submission` with a timeout, never forever.
    pub fn wait(&self, submission: wgpu::SubmissionIndex) -> Result<(), GpuError> {
        self.device
            .poll(wgpu::PollType::Wait {
                submission_index: Some(submission),
                timeout: Some(GPU_TIMEOUT),
            })
            .map(|_| ())
            .map_err(|e| match e {
                wgpu::PollError::Timeout => GpuError::Timeout(GPU_TIMEOUT),
                other => GpuError::Lost(other.to_string()),
            })?;
        match self.trouble() {
            Some(t) => Err(GpuError::Lost(t)),
            None => Ok(()),
        }
    }

    /// Copies a `MAP_READ` buffer's first `len` f32 values to the host. Blocking.
    pub fn read_f32(&self, buffer: &wgpu::Buffer, len: usize) -> Result<Vec<f32>, GpuError> {
        let bytes = (len * 4) as u64;
        Maps::start([buffer.slice(..bytes)]).wait_blocking(self)?;
        Self::copy_mapped(buffer, bytes)
    }

    /// [`GpuContext::read_f32`] as a future, for the browser's page.
    pub async fn read_f32_async(
        &self,
        buffer: &wgpu::Buffer,
        len: usize,
    ) -> Result<Vec<f32>, GpuError> {
        let bytes = (len * 4) as u64;
        Maps::start([buffer.slice(..bytes)]).wait(self).await?;
        if let Some(t) = self.trouble() {
            buffer.unmap();
            return Err(GpuError::Lost(t));
        }
        Self::copy_mapped(buffer, bytes)
    }

    /// The first `bytes` of a mapped buffer as f32 values; unmaps it.
    fn copy_mapped(buffer: &wgpu::Buffer, bytes: u64) -> Result<Vec<f32>, GpuError> {
        let out = {
            let view = buffer
                .get_mapped_range(..bytes)
                .map_err(|e| GpuError::Readback(e.to_string()))?;
            bytemuck::cast_slice::<u8, f32>(&view).to_vec()
        };
        buffer.unmap();
        Ok(out)
    }
}

/// Every native backend on the desktop (or those the environment names); WebGPU alone
/// in the browser, where WebGL2 has no compute shaders.
fn instance_descriptor() -> wgpu::InstanceDescriptor {
    #[cfg(target_arch = "wasm32")]
    {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = wgpu::Backends::BROWSER_WEBGPU;
        desc
    }
    #[cfg(not(target_arch = "wasm32"))]
    wgpu::InstanceDescriptor::new_without_display_handle_from_env()
}

/// Software rasterisers report themselves as CPU devices.
pub fn is_software(info: &wgpu::AdapterInfo) -> bool {
    info.device_type == wgpu::DeviceType::Cpu
}

/// Lower is better: discrete GPUs first, software last; native APIs before GL.
fn adapter_rank(info: &wgpu::AdapterInfo) -> (u8, u8) {
    let kind = match info.device_type {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Other => 3,
        wgpu::DeviceType::Cpu => 4,
    };
    let api = match info.backend {
        wgpu::Backend::Vulkan | wgpu::Backend::Metal | wgpu::Backend::Dx12 => 0,
        _ => 1,
    };
    (kind, api)
}
