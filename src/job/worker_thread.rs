//! Where a job's work runs on the desktop: a named OS thread, started at once.

/// Nothing to keep: the thread runs by itself.
pub(super) struct Pending;

/// Starts `work` on a thread named `name`; the error says why no thread could start.
pub(super) fn start(
    name: &str,
    _repaint: Option<&egui::Context>,
    work: Box<dyn FnOnce() + Send>,
) -> (Pending, Option<String>) {
    let failed = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(work)
        .err()
        .map(|e| format!("could not start a worker thread: {e}"));
    (Pending, failed)
}

/// Calls `step` on a thread named `name` until it returns false.
pub(super) fn start_steps(
    name: &str,
    repaint: Option<&egui::Context>,
    mut step: Box<dyn FnMut() -> bool + Send>,
) -> (Pending, Option<String>) {
    start(name, repaint, Box::new(move || while step() {}))
}

/// Runs the future `make` builds to its end on a thread named `name`.
pub(super) fn start_future<F: std::future::Future<Output = ()> + 'static>(
    name: &str,
    repaint: Option<&egui::Context>,
    make: Box<dyn FnOnce() -> F + Send>,
) -> (Pending, Option<String>) {
    start(name, repaint, Box::new(move || pollster::block_on(make())))
}

impl Pending {
    /// The thread runs on its own; polling has nothing to do.
    pub(super) fn run_if_due(&self) {}
}

/// A pause on the worker thread that runs the future.
pub(super) async fn pause(pause: std::time::Duration) {
    std::thread::sleep(pause);
}
