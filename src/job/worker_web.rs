//! Where a job's work runs in the browser: the page has one thread and no blocking
//! waits, so the work waits here and runs on the page's thread when the job is polled,
//! never in the frame that started it (which draws its "working…" state first) and
//! within a budget per frame: work in steps ([`super::Job::steps`], training) runs
//! about [`FRAME_BUDGET`] of steps per frame, so the page keeps drawing. Work in one
//! piece ([`super::Job::spawn`]) is one step and holds the page until it ends.

use std::cell::Cell;
use std::sync::Mutex;
use std::time::Duration;
use web_time::Instant;

/// Time per frame for jobs' steps, leaving the rest of a 60 Hz frame for drawing.
const FRAME_BUDGET: Duration = Duration::from_millis(10);

thread_local! {
    /// The egui pass whose budget is being spent, and how much of it is gone.
    static SPENT: Cell<(u64, Duration)> = const { Cell::new((u64::MAX, Duration::ZERO)) };
}

/// One step of the work: false once it is finished.
type StepFn = Box<dyn FnMut() -> bool + Send>;

/// The work, until it has finished, and the frame that started it.
pub(super) struct Pending {
    work: Mutex<Option<StepFn>>,
    repaint: Option<egui::Context>,
    started_in: Option<u64>,
}

/// Keeps `work` to run, as one step, when the job is polled in a later frame.
pub(super) fn start(
    name: &str,
    repaint: Option<&egui::Context>,
    work: Box<dyn FnOnce() + Send>,
) -> (Pending, Option<String>) {
    let mut once = Some(work);
    let step = move || {
        if let Some(work) = once.take() {
            work();
        }
        false
    };
    start_steps(name, repaint, Box::new(step))
}

/// Keeps `step` to run between frames until it returns false.
pub(super) fn start_steps(
    _name: &str,
    repaint: Option<&egui::Context>,
    step: StepFn,
) -> (Pending, Option<String>) {
    if let Some(ctx) = repaint {
        ctx.request_repaint();
    }
    let pending = Pending {
        work: Mutex::new(Some(step)),
        repaint: repaint.cloned(),
        started_in: repaint.map(egui::Context::cumulative_pass_nr),
    };
    (pending, None)
}

impl Pending {
    /// Runs steps while this frame's budget lasts, unless this frame started the job;
    /// asks for another frame while work remains. Without a context to wake (and so
    /// without frames to count) the work runs to its end at once.
    pub(super) fn run_if_due(&self) {
        let Ok(mut slot) = self.work.lock() else {
            return;
        };
        let Some(step) = slot.as_mut() else {
            return;
        };
        let Some(ctx) = &self.repaint else {
            while step() {}
            *slot = None;
            return;
        };
        let pass = ctx.cumulative_pass_nr();
        let (spent_in, spent) = SPENT.get();
        let mut spent = if spent_in == pass {
            spent
        } else {
            Duration::ZERO
        };
        if self.started_in != Some(pass) {
            while spent < FRAME_BUDGET {
                let t = Instant::now();
                let more = step();
                spent += t.elapsed();
                if !more {
                    *slot = None;
                    break;
                }
            }
            SPENT.set((pass, spent));
        }
        if slot.is_some() {
            ctx.request_repaint();
        }
    }
}
