//! Where a job's work runs in the browser: the page has one thread and no blocking
//! waits, so the work waits here and runs on the page's thread when the job is polled,
//! in a later frame than the one that started it and one job per frame. The frame that
//! starts a job therefore draws its "working…" state first, and several jobs started
//! together run in successive frames instead of one long freeze. A job is one slice: a
//! long one (training) still holds the page until it ends.

use std::cell::Cell;
use std::sync::Mutex;

thread_local! {
    /// The egui pass in which a job last ran (one per frame).
    static LAST_PASS: Cell<Option<u64>> = const { Cell::new(None) };
}

/// The work, until it runs, and the frame that started it.
pub(super) struct Pending {
    work: Mutex<Option<Box<dyn FnOnce() + Send>>>,
    repaint: Option<egui::Context>,
    started_in: Option<u64>,
}

/// Keeps `work` to run when the job is first polled in a later frame.
pub(super) fn start(
    _name: &str,
    repaint: Option<&egui::Context>,
    work: Box<dyn FnOnce() + Send>,
) -> (Pending, Option<String>) {
    if let Some(ctx) = repaint {
        ctx.request_repaint();
    }
    let pending = Pending {
        work: Mutex::new(Some(work)),
        repaint: repaint.cloned(),
        started_in: repaint.map(egui::Context::cumulative_pass_nr),
    };
    (pending, None)
}

impl Pending {
    /// Runs the work if it has not run, unless this frame started it or already ran
    /// another job (then it asks for the next frame). Without a context to wake, it runs
    /// at once: nothing else would bring it back.
    pub(super) fn run_if_due(&self) {
        let Ok(mut slot) = self.work.lock() else {
            return;
        };
        if slot.is_none() {
            return;
        }
        if let Some(ctx) = &self.repaint {
            let pass = ctx.cumulative_pass_nr();
            if self.started_in == Some(pass) || LAST_PASS.get() == Some(pass) {
                ctx.request_repaint();
                return;
            }
            LAST_PASS.set(Some(pass));
        }
        if let Some(work) = slot.take() {
            drop(slot);
            work();
        }
    }
}
