//! Where computation runs: a GPU found on a worker thread at start-up, or the CPU.
//!
//! The UI never waits here: [`Compute::start`] returns at once with
//! [`BackendStatus::Probing`], and [`Compute::poll`] picks up the answer when the worker
//! has one (it asks egui for a repaint so the status line updates by itself).

pub mod attention_cost;
pub mod engine;

pub use engine::{Computed, Engine, Ran};

use engine::CatchUnwind;

use crate::gpu::{AdapterPolicy, GpuContext};
use crate::job::Job;
use std::sync::Arc;

/// The learner's (or the command line's) choice of backend.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
pub enum BackendChoice {
    /// A real GPU when there is one, else the CPU. Never a software GPU.
    #[default]
    Auto,
    /// Always the CPU (ndarray).
    Cpu,
    /// Any GPU adapter, software ones too (for tests and curious learners).
    Gpu,
}

/// What the compute layer is using now, and why.
#[derive(Debug, Clone, PartialEq)]
pub enum BackendStatus {
    Probing,
    Gpu { adapter: String },
    Cpu { reason: String },
}

impl BackendStatus {
    /// One line for the status bar: "GPU: NVIDIA H200 (Vulkan)" or "CPU (no GPU adapter …)".
    pub fn label(&self) -> String {
        match self {
            Self::Probing => "Looking for a GPU…".to_owned(),
            Self::Gpu { adapter } => format!("GPU: {adapter}"),
            Self::Cpu { reason } => format!("CPU — {reason}"),
        }
    }

    pub fn is_gpu(&self) -> bool {
        matches!(self, Self::Gpu { .. })
    }
}

type ProbeResult = (BackendStatus, Option<Arc<GpuContext>>);

/// The compute backend as the app sees it.
pub struct Compute {
    status: BackendStatus,
    gpu: Option<Arc<GpuContext>>,
    pending: Option<Job<ProbeResult>>,
    /// Runs the forward passes; gets the GPU once the probe finds one.
    engine: Arc<Engine>,
    choice: BackendChoice,
}

impl Compute {
    /// Starts looking for an adapter (on a worker thread; in the browser, awaited by
    /// the page); returns immediately.
    pub fn start(choice: BackendChoice, repaint: Option<egui::Context>) -> Self {
        let job = Job::future(
            "llm-lens-gpu-probe",
            repaint.as_ref(),
            move |r| async move {
                r.send(probe_async(choice).await);
            },
        );
        match job.failure() {
            None => Self {
                status: BackendStatus::Probing,
                gpu: None,
                pending: Some(job),
                engine: Arc::new(Engine::cpu()),
                choice,
            },
            Some(why) => Self {
                choice,
                ..Self::fixed(BackendStatus::Cpu {
                    reason: format!("the GPU was not probed: {why}"),
                })
            },
        }
    }

    /// A backend decided up front (tests, screenshots, `--backend cpu`).
    pub fn fixed(status: BackendStatus) -> Self {
        Self {
            status,
            gpu: None,
            pending: None,
            engine: Arc::new(Engine::cpu()),
            choice: BackendChoice::Cpu,
        }
    }

    /// Finds the backend on this thread. For the command line, where blocking is fine.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn blocking(choice: BackendChoice) -> Self {
        let (status, gpu) = probe(choice);
        let engine = Arc::new(match &gpu {
            Some(ctx) => Engine::with_gpu(ctx.clone()),
            None => Engine::cpu(),
        });
        Self {
            status,
            gpu,
            pending: None,
            engine,
            choice,
        }
    }

    /// Picks up the worker's answer if it has arrived, and a GPU failure the engine met
    /// since; never blocks.
    pub fn poll(&mut self) -> &BackendStatus {
        if self.status.is_gpu()
            && let Some(reason) = self.engine.failure()
        {
            self.status = BackendStatus::Cpu { reason };
            self.gpu = None;
        }
        if let Some(job) = &self.pending {
            match job.try_next() {
                Ok(Some((status, gpu))) => {
                    if let Some(ctx) = &gpu {
                        self.engine.set_gpu(ctx.clone());
                    }
                    self.status = status;
                    self.gpu = gpu;
                    self.pending = None;
                }
                Ok(None) => {}
                Err(()) => {
                    self.status = BackendStatus::Cpu {
                        reason: "the GPU probe crashed".to_owned(),
                    };
                    self.pending = None;
                }
            }
        }
        &self.status
    }

    /// The backend asked for (the status says what is in use).
    pub fn choice(&self) -> BackendChoice {
        self.choice
    }

    pub fn status(&self) -> &BackendStatus {
        &self.status
    }

    /// The forward-pass engine, for workers.
    pub fn engine(&self) -> Arc<Engine> {
        self.engine.clone()
    }

    /// The GPU context, when the GPU backend is in use.
    pub fn gpu(&self) -> Option<Arc<GpuContext>> {
        self.gpu.clone()
    }
}

/// Decides the backend: finds an adapter, then proves it computes correctly by running
/// the softmax kernel against its CPU twin. Any failure means the CPU, with the reason.
/// Blocking: the command line's (the app's is [`probe_async`], on a worker).
#[cfg(not(target_arch = "wasm32"))]
pub fn probe(choice: BackendChoice) -> ProbeResult {
    pollster::block_on(probe_async(choice))
}

/// [`probe`] as a future, which the browser's page awaits.
pub async fn probe_async(choice: BackendChoice) -> ProbeResult {
    let policy = match choice {
        BackendChoice::Cpu => {
            return (
                BackendStatus::Cpu {
                    reason: "chosen with --backend cpu".to_owned(),
                },
                None,
            );
        }
        BackendChoice::Auto => AdapterPolicy::HardwareOnly,
        BackendChoice::Gpu => AdapterPolicy::AllowSoftware,
    };
    // A driver that panics must not take the app down with it.
    let attempt = CatchUnwind(Box::pin(async {
        let ctx = GpuContext::open(policy).await.map_err(|e| e.to_string())?;
        self_test(&ctx).await?;
        Ok::<_, String>(ctx)
    }))
    .await;
    match attempt {
        Ok(Ok(ctx)) => (
            BackendStatus::Gpu {
                adapter: ctx.describe(),
            },
            Some(Arc::new(ctx)),
        ),
        Ok(Err(reason)) => (BackendStatus::Cpu { reason }, None),
        Err(()) => (
            BackendStatus::Cpu {
                reason: "the GPU driver crashed while starting".to_owned(),
            },
            None,
        ),
    }
}

/// Runs a small masked softmax on the GPU and on the CPU; they must agree to 1e-4.
async fn self_test(ctx: &GpuContext) -> Result<(), String> {
    let (rows, cols) = (7, 13);
    let mut rng = crate::model::numerics::rng::SplitMix64::new(1);
    let input: Vec<f32> = (0..rows * cols).map(|_| rng.uniform(-8.0, 8.0)).collect();
    let mask: Vec<bool> = (0..cols).map(|c| c % 5 != 4).collect();
    let gpu = ctx
        .softmax_rows_masked_async(&input, cols, Some(&mask))
        .await
        .map_err(|e| e.to_string())?;
    let mut cpu = input;
    crate::model::numerics::softmax::softmax_rows_masked(&mut cpu, cols, Some(&mask));
    let worst = gpu
        .iter()
        .zip(&cpu)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    if gpu.len() == cpu.len() && worst <= 1e-4 {
        Ok(())
    } else {
        Err(format!(
            "the GPU's results differ from the CPU's (by {worst:e}); using the CPU"
        ))
    }
}
