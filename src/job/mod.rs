//! The one place that starts threads for the UI: work that runs on a worker while the
//! window keeps drawing, with results that arrive by polling once per frame, never by
//! blocking. In the browser (no OS threads) the work runs on the page's thread between
//! frames instead (`worker_web.rs`); nothing outside this module differs.
//!
//! [`Job`] is a worker that sends any number of messages (progress, then a result) and
//! can be cancelled; [`Job::once`] is the common case of one result. [`Recompute`] keeps a
//! result in step with its settings.

mod recompute;
#[cfg(not(target_arch = "wasm32"))]
mod worker_thread;
#[cfg(target_arch = "wasm32")]
mod worker_web;
#[cfg(not(target_arch = "wasm32"))]
use worker_thread as worker;
#[cfg(target_arch = "wasm32")]
use worker_web as worker;

pub use recompute::{INLINE_BUDGET, Recompute};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

/// In a [`Job::future`]: waits `pause`, letting the browser's page draw frames and
/// answer GPU callbacks meanwhile (on the desktop the worker thread sleeps).
pub async fn pause(pause: std::time::Duration) {
    worker::pause(pause).await;
}

/// Work on a worker thread; dropping the job asks the worker to stop.
pub struct Job<M> {
    rx: Receiver<M>,
    cancel: Arc<AtomicBool>,
    /// Why the worker could not start, if it could not.
    failed: Option<String>,
    /// In the browser, the work until it runs.
    pending: worker::Pending,
}

/// What a worker holds: where its messages go and whether it should stop.
pub struct Reporter<M> {
    tx: Sender<M>,
    cancel: Arc<AtomicBool>,
    repaint: Option<egui::Context>,
}

impl<M> Reporter<M> {
    /// Sends a message and wakes the UI. Returns false when nobody listens any more.
    pub fn send(&self, message: M) -> bool {
        let sent = self.tx.send(message).is_ok();
        if let Some(ctx) = &self.repaint {
            ctx.request_repaint();
        }
        sent
    }

    /// Set when the job was cancelled or dropped: the worker should return soon.
    pub fn cancel_flag(&self) -> &Arc<AtomicBool> {
        &self.cancel
    }

    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// What one step of [`Job::steps`] left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    More,
    Done,
}

/// What [`Job::poll`] found.
pub enum JobState<T> {
    Done(T),
    Running,
    /// The worker panicked, ended without a result, or could not start.
    Died,
}

impl<M: Send + 'static> Job<M> {
    /// Runs `work` on a new thread named `name`; `repaint` (if any) is woken at each
    /// message. If no thread can be started the job is finished at once and
    /// [`Job::failure`] says why, so the pane can show a message instead of spinning.
    pub fn spawn(
        name: &str,
        repaint: Option<&egui::Context>,
        work: impl FnOnce(Reporter<M>) + Send + 'static,
    ) -> Job<M> {
        Job::start(repaint, |reporter| {
            worker::start(name, repaint, Box::new(move || work(reporter)))
        })
    }

    /// Makes the channel and cancel flag, hands the reporter to `start` (which starts
    /// the worker), and keeps the receiving end: what both kinds of job share.
    fn start(
        repaint: Option<&egui::Context>,
        start: impl FnOnce(Reporter<M>) -> (worker::Pending, Option<String>),
    ) -> Job<M> {
        let (tx, rx) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let reporter = Reporter {
            tx,
            cancel: cancel.clone(),
            repaint: repaint.cloned(),
        };
        let (pending, failed) = start(reporter);
        Job {
            rx,
            cancel,
            failed,
            pending,
        }
    }

    /// Work in short steps (a training run, one update a step): on the desktop a thread
    /// calls `step` back to back; in the browser the steps run between frames, a few
    /// milliseconds' worth a frame, so the page keeps drawing. It stops at
    /// [`Step::Done`] or when the job is cancelled.
    pub fn steps(
        name: &str,
        repaint: Option<&egui::Context>,
        mut step: impl FnMut(&Reporter<M>) -> Step + Send + 'static,
    ) -> Job<M> {
        Job::start(repaint, |reporter| {
            let one = move || !reporter.cancelled() && step(&reporter) == Step::More;
            worker::start_steps(name, repaint, Box::new(one))
        })
    }

    /// Work that waits on something outside the program (a GPU buffer map, a file
    /// dialog): `make` builds a future that sends the job's messages. On the desktop a
    /// thread runs it to its end (blocking there is fine); in the browser the page's
    /// executor runs it, so the awaits return to the event loop instead of blocking it.
    pub fn future<F>(
        name: &str,
        repaint: Option<&egui::Context>,
        make: impl FnOnce(Reporter<M>) -> F + Send + 'static,
    ) -> Job<M>
    where
        F: std::future::Future<Output = ()> + 'static,
    {
        Job::start(repaint, |reporter| {
            worker::start_future(name, repaint, Box::new(move || make(reporter)))
        })
    }

    /// The next message, if one has arrived; `Err(())` once the worker has ended and
    /// every message was taken (or it never started).
    #[allow(clippy::result_unit_err)]
    pub fn try_next(&self) -> Result<Option<M>, ()> {
        self.pending.run_if_due();
        match self.rx.try_recv() {
            Ok(m) => Ok(Some(m)),
            Err(TryRecvError::Empty) => Ok(None),
            Err(TryRecvError::Disconnected) => Err(()),
        }
    }

    /// Asks the worker to stop; it sees [`Reporter::cancelled`].
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether [`Job::cancel`] was called.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Why the worker never started, if it did not.
    pub fn failure(&self) -> Option<&str> {
        self.failed.as_deref()
    }
}

impl<T: Send + 'static> Job<T> {
    /// Runs `f` on a new thread; its value is the job's one message.
    pub fn once(name: &str, f: impl FnOnce() -> T + Send + 'static) -> Job<T> {
        Self::spawn(name, None, move |r| {
            r.send(f());
        })
    }

    /// As [`Job::once`], waking `ctx` when the value is ready, so it is drawn in the
    /// next frame instead of at the next timed repaint.
    pub fn once_waking(
        name: &str,
        ctx: &egui::Context,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Job<T> {
        Self::spawn(name, Some(ctx), move |r| {
            r.send(f());
        })
    }

    /// The result once done; [`JobState::Died`] if the worker ended without one.
    pub fn poll(&self) -> JobState<T> {
        match self.try_next() {
            Ok(Some(v)) => JobState::Done(v),
            Ok(None) => JobState::Running,
            Err(()) => JobState::Died,
        }
    }
}

impl<M> Drop for Job<M> {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_delivers_its_value_then_reports_the_end() {
        let job = Job::once("test", || 41 + 1);
        let value = loop {
            match job.poll() {
                JobState::Done(v) => break v,
                JobState::Running => std::thread::yield_now(),
                JobState::Died => panic!("the worker died"),
            }
        };
        assert_eq!(value, 42);
        while let Ok(None) = job.try_next() {
            std::thread::yield_now();
        }
        assert!(matches!(job.poll(), JobState::Died));
        assert!(job.failure().is_none());
    }

    #[test]
    fn steps_run_until_done_and_report_in_order() {
        let mut n = 0;
        let job: Job<u32> = Job::steps("test", None, move |r| {
            n += 1;
            r.send(n);
            if n == 5 { Step::Done } else { Step::More }
        });
        let mut got = Vec::new();
        while let Ok(m) = job.try_next() {
            match m {
                Some(v) => got.push(v),
                None => std::thread::yield_now(),
            }
        }
        assert_eq!(got, [1, 2, 3, 4, 5]);
    }

    /// Pending once (waking itself), then ready: an await that really suspends.
    struct YieldOnce(bool);

    impl std::future::Future for YieldOnce {
        type Output = ();
        fn poll(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<()> {
            if self.0 {
                return std::task::Poll::Ready(());
            }
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }

    #[test]
    fn a_future_job_sends_across_its_awaits() {
        let job: Job<u32> = Job::future("test", None, |r| async move {
            r.send(1);
            YieldOnce(false).await;
            r.send(2);
        });
        let mut got = Vec::new();
        while let Ok(m) = job.try_next() {
            match m {
                Some(v) => got.push(v),
                None => std::thread::yield_now(),
            }
        }
        assert_eq!(got, [1, 2]);
        assert!(job.failure().is_none());
    }

    #[test]
    fn dropping_a_job_cancels_its_worker() {
        let (done_tx, done_rx) = channel();
        let job: Job<()> = Job::spawn("test", None, move |r| {
            while !r.cancelled() {
                std::thread::yield_now();
            }
            let _ = done_tx.send(());
        });
        drop(job);
        assert!(
            done_rx
                .recv_timeout(std::time::Duration::from_secs(10))
                .is_ok()
        );
    }
}
