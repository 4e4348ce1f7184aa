//! Runs the transformer where the compute layer says: on the GPU when one is in use,
//! else on the CPU. A GPU failure (device lost, out of memory, a timeout, a validation
//! error) answers that request on the CPU, switches every later request to the CPU, and
//! leaves the reason for the status line; the learner sees the same trace either way.
//!
//! The model is uploaded to the GPU on its first request and stays there while it is
//! the model in use. One GPU pass runs at a time (the engine's lock); CPU passes run in
//! parallel.

use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use crate::gpu::GpuContext;
use crate::gpu::GpuError;
use crate::gpu::forward::{GpuForwardError, GpuModel};
use crate::gpu::profile::Profile;
use crate::model::bert::trace::Trace;
use crate::model::bert::weights::BertWeights;
use crate::model::bert::{ForwardError, ForwardOptions, forward};
use crate::model::tokenize::ModelInput;

/// Where a forward pass ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ran {
    Gpu,
    Cpu,
}

impl Ran {
    pub fn label(self) -> &'static str {
        match self {
            Self::Gpu => "GPU",
            Self::Cpu => "CPU",
        }
    }
}

/// A finished pass: the trace, where it ran, and why not on the GPU when it could have.
#[derive(Debug)]
pub struct Computed {
    pub trace: Trace,
    pub ran: Ran,
    /// Set when this request fell back to the CPU.
    pub note: Option<String>,
    /// Increases with every request the engine accepts, so callers can tell answers apart.
    pub request: u64,
}

/// The model on the GPU, remembered by a weak reference to what the caller holds: the
/// weak reference keeps the allocation's address from being reused, so an address match
/// means the same model.
struct Resident {
    owner: Weak<dyn Any + Send + Sync>,
    model: GpuModel,
}

/// Held for a whole GPU pass (seconds on a software adapter).
#[derive(Default)]
struct GpuSide {
    ctx: Option<Arc<GpuContext>>,
    resident: Option<Resident>,
}

/// The forward-pass dispatcher shared by the UI's workers and the command line.
pub struct Engine {
    gpu: Mutex<GpuSide>,
    /// Why the GPU was given up, once it has been. A lock of its own, held only for a
    /// moment: the UI thread reads it every frame and must never wait for a GPU pass.
    failed: Mutex<Option<String>>,
    requests: AtomicU64,
    id: u64,
}

impl Default for Engine {
    fn default() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self {
            gpu: Mutex::default(),
            failed: Mutex::default(),
            requests: AtomicU64::new(0),
            id: NEXT.fetch_add(1, Ordering::Relaxed),
        }
    }
}

impl Engine {
    /// An engine that always uses the CPU.
    pub fn cpu() -> Self {
        Self::default()
    }

    /// Unique per engine: a new engine (the learner switched backends) reruns views.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// An engine that uses `ctx` until it fails.
    pub fn with_gpu(ctx: Arc<GpuContext>) -> Self {
        let engine = Self::default();
        engine.set_gpu(ctx);
        engine
    }

    /// Starts using `ctx` (the start-up probe found it).
    pub fn set_gpu(&self, ctx: Arc<GpuContext>) {
        let mut g = self.lock();
        g.ctx = Some(ctx);
        g.resident = None;
        *self.failed_lock() = None;
    }

    /// The GPU in use, if any, for measurements that run single kernels. Waits for a
    /// running GPU pass: not for the UI thread.
    pub fn gpu_context(&self) -> Option<Arc<GpuContext>> {
        self.lock().ctx.clone()
    }

    /// Why the GPU was given up, if it was. Never waits for a running pass.
    pub fn failure(&self) -> Option<String> {
        self.failed_lock().clone()
    }

    /// Whether requests go to the GPU now. Waits for a running GPU pass: not for the
    /// UI thread.
    pub fn uses_gpu(&self) -> bool {
        self.lock().ctx.is_some()
    }

    fn failed_lock(&self) -> MutexGuard<'_, Option<String>> {
        self.failed.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock(&self) -> MutexGuard<'_, GpuSide> {
        self.gpu.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `model` on `input`. `Err` only for inputs the model cannot take (the same
    /// errors on either backend); GPU trouble is answered by the CPU.
    pub fn forward<M>(
        &self,
        model: &Arc<M>,
        input: &ModelInput,
        opts: &ForwardOptions,
    ) -> Result<Computed, ForwardError>
    where
        M: AsRef<BertWeights> + Send + Sync + 'static,
    {
        let request = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        let weights = model.as_ref().as_ref();
        let mut note = None;
        {
            let mut g = self.lock();
            if let Some(ctx) = g.ctx.clone() {
                match run_on_gpu(&mut g, &ctx, model, weights, input, opts) {
                    Ok(trace) => {
                        return Ok(Computed {
                            trace,
                            ran: Ran::Gpu,
                            note: None,
                            request,
                        });
                    }
                    Err(GpuForwardError::Input(e)) => return Err(e),
                    // A limit of the GPU path, not a fault: this request only.
                    Err(GpuForwardError::Gpu(e @ GpuError::Unsupported(_))) => {
                        note = Some(format!("ran on the CPU: {e}"));
                    }
                    Err(GpuForwardError::Gpu(e)) => {
                        let reason = format!("the GPU failed ({e}); switched to the CPU");
                        g.ctx = None;
                        g.resident = None;
                        *self.failed_lock() = Some(reason.clone());
                        note = Some(reason);
                    }
                }
            }
        }
        let trace = forward(weights, input, opts)?;
        Ok(Computed {
            trace,
            ran: Ran::Cpu,
            note,
            request,
        })
    }
}

impl Engine {
    /// One GPU pass of `model` with each kernel timed (`bench --profile`); an error,
    /// never the CPU, when the GPU is not in use or fails.
    pub fn profile<M>(
        &self,
        model: &Arc<M>,
        input: &ModelInput,
        opts: &ForwardOptions,
    ) -> Result<Profile, String>
    where
        M: AsRef<BertWeights> + Send + Sync + 'static,
    {
        let mut g = self.lock();
        let Some(ctx) = g.ctx.clone() else {
            return Err("the GPU is not in use".to_owned());
        };
        let weights = model.as_ref().as_ref();
        with_resident(&mut g, &ctx, model, weights, |m| {
            m.profile(&ctx, input, opts)
        })
        .map(|(_, profile)| profile)
        .map_err(|e| e.to_string())
    }
}

/// Uploads `model` if it is not the resident one, then runs it. A driver panic is
/// caught and reported as a GPU failure.
fn run_on_gpu<M>(
    g: &mut GpuSide,
    ctx: &GpuContext,
    model: &Arc<M>,
    weights: &BertWeights,
    input: &ModelInput,
    opts: &ForwardOptions,
) -> Result<Trace, GpuForwardError>
where
    M: AsRef<BertWeights> + Send + Sync + 'static,
{
    with_resident(g, ctx, model, weights, |m| m.forward(ctx, input, opts))
}

/// Uploads `model` if it is not the resident one, then calls `f` with it; a driver
/// panic becomes a GPU failure.
fn with_resident<M, T>(
    g: &mut GpuSide,
    ctx: &GpuContext,
    model: &Arc<M>,
    weights: &BertWeights,
    f: impl FnOnce(&mut GpuModel) -> Result<T, GpuForwardError>,
) -> Result<T, GpuForwardError>
where
    M: AsRef<BertWeights> + Send + Sync + 'static,
{
    let same = g
        .resident
        .as_ref()
        .is_some_and(|r| std::ptr::addr_eq(r.owner.as_ptr(), Arc::as_ptr(model)));
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if !same {
            // Free the old model's buffers before uploading the new one.
            g.resident = None;
            let owner: Arc<dyn Any + Send + Sync> = model.clone();
            g.resident = Some(Resident {
                owner: Arc::downgrade(&owner),
                model: GpuModel::upload(ctx, weights)?,
            });
        }
        match g.resident.as_mut() {
            Some(r) => f(&mut r.model),
            None => Err(GpuError::Validation("the model is not on the GPU".to_owned()).into()),
        }
    }));
    attempt.unwrap_or_else(|_| {
        Err(GpuError::Lost("the GPU driver crashed during the forward pass".to_owned()).into())
    })
}

impl AsRef<BertWeights> for BertWeights {
    fn as_ref(&self) -> &BertWeights {
        self
    }
}

impl AsRef<BertWeights> for crate::model::bert::model_dir::Model {
    fn as_ref(&self) -> &BertWeights {
        &self.weights
    }
}
