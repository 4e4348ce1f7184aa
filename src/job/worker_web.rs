//! Where a job's work runs in the browser: the page has one thread and no blocking
//! waits, so the work waits here and runs on the page's thread when the job is polled,
//! never in the frame that started it (which draws its "working…" state first) and
//! within a budget per frame: work in steps ([`super::Job::steps`], training) runs
//! steps for as long as the page spent drawing since the last slice (at least
//! [`MIN_SLICE`], at most [`MAX_SLICE`]), so about half of the time goes to the work
//! and the page keeps drawing, however slow its frames are. Work in one piece
//! ([`super::Job::spawn`]) is one step and holds the page until it ends.

use std::cell::Cell;
use std::sync::Mutex;
use std::time::Duration;
use web_time::Instant;

/// The shortest slice of steps a frame: most of a 60 Hz frame is left for drawing.
const MIN_SLICE: Duration = Duration::from_millis(10);
/// The longest slice, so that input is still answered within about a tenth of a second.
const MAX_SLICE: Duration = Duration::from_millis(100);

/// The slice being spent: its egui pass, its budget, what is gone, and when the last
/// slice ended.
#[derive(Clone, Copy)]
struct Slice {
    pass: u64,
    budget: Duration,
    spent: Duration,
    ended: Option<Instant>,
}

thread_local! {
    static SLICE: Cell<Slice> = const {
        Cell::new(Slice { pass: u64::MAX, budget: MIN_SLICE, spent: Duration::ZERO, ended: None })
    };
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

/// Hands the future `make` builds to the page's executor: it runs whenever what it
/// awaits is ready, between frames, and never blocks the page.
pub(super) fn start_future<F: std::future::Future<Output = ()> + 'static>(
    _name: &str,
    repaint: Option<&egui::Context>,
    make: Box<dyn FnOnce() -> F + Send>,
) -> (Pending, Option<String>) {
    wasm_bindgen_futures::spawn_local(make());
    let pending = Pending {
        work: Mutex::new(None),
        repaint: repaint.cloned(),
        started_in: None,
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
        let mut slice = SLICE.get();
        if slice.pass != pass {
            // A new frame: as long a slice as the page spent since the last one.
            let drawing = slice.ended.map_or(MIN_SLICE, |t| t.elapsed());
            slice = Slice {
                pass,
                budget: drawing.clamp(MIN_SLICE, MAX_SLICE),
                spent: Duration::ZERO,
                ended: slice.ended,
            };
        }
        if self.started_in != Some(pass) && slice.spent < slice.budget {
            while slice.spent < slice.budget {
                let t = Instant::now();
                let more = step();
                slice.spent += t.elapsed();
                if !more {
                    *slot = None;
                    break;
                }
            }
            slice.ended = Some(Instant::now());
        }
        SLICE.set(slice);
        if slot.is_some() {
            ctx.request_repaint();
        }
    }
}

/// A pause that lets the page's event loop run (the browser's `setTimeout`): frames
/// draw and GPU callbacks arrive meanwhile.
pub(super) fn pause(pause: Duration) -> impl std::future::Future<Output = ()> {
    let millis = i32::try_from(pause.as_millis()).unwrap_or(i32::MAX);
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis);
        }
    });
    async move {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}
