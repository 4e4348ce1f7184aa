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

/// The GPU and the model on it. The lock is held only for moments: a pass takes the
/// resident model out (`busy`) and puts it back when it ends, so no lock is held across
/// an await (in the browser a second lock would panic, not wait).
#[derive(Default)]
struct GpuSide {
    ctx: Option<Arc<GpuContext>>,
    resident: Option<Resident>,
    /// A pass has the resident model.
    busy: bool,
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

    /// Runs `model` on `input`, blocking until it is done. `Err` only for inputs the
    /// model cannot take (the same errors on either backend); GPU trouble is answered
    /// by the CPU. Not in the browser, where nothing may block: the page awaits
    /// [`Engine::forward_async`].
    #[cfg(not(target_arch = "wasm32"))]
    pub fn forward<M>(
        &self,
        model: &Arc<M>,
        input: &ModelInput,
        opts: &ForwardOptions,
    ) -> Result<Computed, ForwardError>
    where
        M: AsRef<BertWeights> + Send + Sync + 'static,
    {
        pollster::block_on(self.forward_async(model, input, opts))
    }

    /// [`Engine::forward`] as a future: on the GPU it awaits the readback (the
    /// browser's page returns to its event loop meanwhile); one GPU pass at a time, a
    /// second waits for the first.
    pub async fn forward_async<M>(
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
        let attempt = match self.hold(model, weights).await {
            Ok(Some(mut held)) => {
                let ran = match held.parts() {
                    Some((ctx, gpu_model)) => {
                        let pass = gpu_model.forward_async(&ctx, input, opts);
                        CatchUnwind(Box::pin(pass)).await.unwrap_or_else(|()| {
                            Err(GpuError::Lost(
                                "the GPU driver crashed during the forward pass".into(),
                            )
                            .into())
                        })
                    }
                    None => Err(GpuError::Validation("the model is not on the GPU".into()).into()),
                };
                if ran.is_err() {
                    held.discard();
                }
                Some(ran)
            }
            Ok(None) => None,
            Err(e) => Some(Err(e.into())),
        };
        match attempt {
            Some(Ok(trace)) => {
                return Ok(Computed {
                    trace,
                    ran: Ran::Gpu,
                    note: None,
                    request,
                });
            }
            Some(Err(GpuForwardError::Input(e))) => return Err(e),
            // A limit of the GPU path, not a fault: this request only.
            Some(Err(GpuForwardError::Gpu(e @ GpuError::Unsupported(_)))) => {
                note = Some(format!("ran on the CPU: {e}"));
            }
            Some(Err(GpuForwardError::Gpu(e))) => {
                let reason = format!("the GPU failed ({e}); switched to the CPU");
                let mut g = self.lock();
                g.ctx = None;
                g.resident = None;
                *self.failed_lock() = Some(reason.clone());
                note = Some(reason);
            }
            None => {}
        }
        let trace = forward(weights, input, opts)?;
        Ok(Computed {
            trace,
            ran: Ran::Cpu,
            note,
            request,
        })
    }

    /// Takes the GPU for one pass with `model` resident on it (uploaded if it is not),
    /// waiting while another pass has it; `None` when the GPU is not in use.
    async fn hold<M>(
        &self,
        model: &Arc<M>,
        weights: &BertWeights,
    ) -> Result<Option<Held<'_>>, GpuError>
    where
        M: AsRef<BertWeights> + Send + Sync + 'static,
    {
        loop {
            {
                let mut g = self.lock();
                let Some(ctx) = g.ctx.clone() else {
                    return Ok(None);
                };
                if !g.busy {
                    make_resident(&mut g, &ctx, model, weights)?;
                    let resident = g.resident.take();
                    g.busy = true;
                    return Ok(Some(Held {
                        engine: self,
                        ctx,
                        resident,
                    }));
                }
            }
            crate::job::pause(std::time::Duration::from_millis(2)).await;
        }
    }
}

/// One pass's hold on the GPU: the resident model goes back when it ends.
struct Held<'a> {
    engine: &'a Engine,
    ctx: Arc<GpuContext>,
    resident: Option<Resident>,
}

impl Held<'_> {
    /// The context and the model (`hold` makes one resident before it hands out a
    /// `Held`, so `None` means a bug, answered on the CPU).
    fn parts(&mut self) -> Option<(Arc<GpuContext>, &mut GpuModel)> {
        let ctx = self.ctx.clone();
        self.resident.as_mut().map(|r| (ctx, &mut r.model))
    }

    /// Drops the model instead of putting it back (the pass failed).
    fn discard(&mut self) {
        self.resident = None;
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mut g = self.engine.lock();
        g.busy = false;
        if g.ctx.is_some() && g.resident.is_none() {
            g.resident = self.resident.take();
        }
    }
}

/// Polls a future, turning a panic (a driver's) into `Err(())`.
pub(crate) struct CatchUnwind<F>(pub(crate) std::pin::Pin<Box<F>>);

impl<F: std::future::Future> std::future::Future for CatchUnwind<F> {
    type Output = Result<F::Output, ()>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let inner = self.get_mut().0.as_mut();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(_) => std::task::Poll::Ready(Err(())),
        }
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
        if g.busy {
            return Err("the GPU is running another pass".to_owned());
        }
        let weights = model.as_ref().as_ref();
        make_resident(&mut g, &ctx, model, weights).map_err(|e| e.to_string())?;
        let Some(r) = g.resident.as_mut() else {
            return Err("the model is not on the GPU".to_owned());
        };
        let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            r.model.profile(&ctx, input, opts)
        }));
        match attempt {
            Ok(result) => result
                .map(|(_, profile)| profile)
                .map_err(|e| e.to_string()),
            Err(_) => Err("the GPU driver crashed during the forward pass".to_owned()),
        }
    }
}

/// Uploads `model` unless it is the resident one; a driver panic becomes a GPU failure.
fn make_resident<M>(
    g: &mut GpuSide,
    ctx: &GpuContext,
    model: &Arc<M>,
    weights: &BertWeights,
) -> Result<(), GpuError>
where
    M: AsRef<BertWeights> + Send + Sync + 'static,
{
    let same = g
        .resident
        .as_ref()
        .is_some_and(|r| std::ptr::addr_eq(r.owner.as_ptr(), Arc::as_ptr(model)));
    if same {
        return Ok(());
    }
    // Free the old model's buffers before uploading the new one.
    g.resident = None;
    let upload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        GpuModel::upload(ctx, weights)
    }));
    let model_on_gpu = upload.unwrap_or_else(|_| {
        Err(GpuError::Lost(
            "the GPU driver crashed while uploading the model".to_owned(),
        ))
    })?;
    let owner: Arc<dyn Any + Send + Sync> = model.clone();
    g.resident = Some(Resident {
        owner: Arc::downgrade(&owner),
        model: model_on_gpu,
    });
    Ok(())
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
