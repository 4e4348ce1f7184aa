//! Waiting for GPU buffer maps, with or without blocking. `map_async` answers through
//! a callback: on the desktop only inside `device.poll`, in the browser when the page's
//! event loop runs (after the page's code has returned to it). [`Maps`] counts the
//! callbacks of a set of maps; [`Maps::wait_blocking`] polls the device (the desktop,
//! the command line), [`Maps::wait`] is a future that the browser's executor resumes
//! when the last callback arrives, so the page is never blocked.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Poll, Waker};

use eframe::egui_wgpu::wgpu;

use super::context::GPU_TIMEOUT;
use super::{GpuContext, GpuError};

/// What the callbacks have reported so far.
#[derive(Default)]
struct MapState {
    /// Maps still to answer.
    left: usize,
    /// The first map that failed, and why.
    error: Option<String>,
    /// The future waiting for the last answer.
    waker: Option<Waker>,
}

/// A set of maps started together.
pub(crate) struct Maps {
    state: Arc<Mutex<MapState>>,
}

fn lock(state: &Mutex<MapState>) -> MutexGuard<'_, MapState> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

impl Maps {
    /// Starts mapping every slice for reading.
    pub(crate) fn start<'a>(slices: impl IntoIterator<Item = wgpu::BufferSlice<'a>>) -> Self {
        let state = Arc::new(Mutex::new(MapState::default()));
        for slice in slices {
            lock(&state).left += 1;
            let answer = Arc::clone(&state);
            slice.map_async(wgpu::MapMode::Read, move |result| {
                let mut s = lock(&answer);
                s.left = s.left.saturating_sub(1);
                if let Err(e) = result {
                    s.error.get_or_insert_with(|| e.to_string());
                }
                if s.left == 0
                    && let Some(w) = s.waker.take()
                {
                    w.wake();
                }
            });
        }
        Self { state }
    }

    /// Every map's answer, once all have answered.
    fn outcome(&self, waker: Option<&Waker>) -> Option<Result<(), GpuError>> {
        let mut s = lock(&self.state);
        if s.left > 0 {
            if let Some(w) = waker {
                s.waker = Some(w.clone());
            }
            return None;
        }
        Some(match s.error.take() {
            Some(e) => Err(GpuError::Readback(e)),
            None => Ok(()),
        })
    }

    /// Polls the device until the maps are done (never in the browser, where polling
    /// does nothing and the callbacks come only from the event loop).
    pub(crate) fn wait_blocking(&self, ctx: &GpuContext) -> Result<(), GpuError> {
        ctx.device
            .poll(wgpu::PollType::Wait {
                submission_index: None,
                timeout: Some(GPU_TIMEOUT),
            })
            .map_err(|e| match e {
                wgpu::PollError::Timeout => GpuError::Timeout(GPU_TIMEOUT),
                other => GpuError::Readback(other.to_string()),
            })?;
        self.outcome(None)
            .unwrap_or(Err(GpuError::Timeout(GPU_TIMEOUT)))
    }

    /// Waits for the maps without blocking the browser's page: resumed by the last
    /// callback, or after [`GPU_TIMEOUT`]. On the desktop it polls the device as
    /// [`Maps::wait_blocking`] does (futures there run on worker threads).
    pub(crate) async fn wait(&self, ctx: &GpuContext) -> Result<(), GpuError> {
        if !cfg!(target_arch = "wasm32") {
            return self.wait_blocking(ctx);
        }
        let mut timeout = Box::pin(crate::job::pause(GPU_TIMEOUT));
        std::future::poll_fn(|cx| {
            if let Some(done) = self.outcome(Some(cx.waker())) {
                return Poll::Ready(done);
            }
            match timeout.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(GpuError::Timeout(GPU_TIMEOUT))),
                Poll::Pending => Poll::Pending,
            }
        })
        .await
    }
}
