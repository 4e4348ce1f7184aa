//! Work that runs on a worker thread while the pane keeps drawing: a result polled
//! once per frame, so the UI never waits for it.

use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// A result computed on a worker thread, polled once per frame so the UI never waits.
pub struct Job<T> {
    rx: Receiver<T>,
}

impl<T: Send + 'static> Job<T> {
    /// Runs `f` on a new thread. If no thread can be started, the job never finishes and
    /// [`Job::poll`] says so (`Err`), so the pane can show a message instead of spinning.
    pub fn spawn(name: &str, f: impl FnOnce() -> T + Send + 'static) -> Job<T> {
        let (tx, rx) = channel();
        let _ = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let _ = tx.send(f());
            });
        Job { rx }
    }

    /// The result once done; [`JobState::Died`] if the worker ended without one.
    pub fn poll(&self) -> JobState<T> {
        match self.rx.try_recv() {
            Ok(v) => JobState::Done(v),
            Err(TryRecvError::Empty) => JobState::Running,
            Err(TryRecvError::Disconnected) => JobState::Died,
        }
    }
}

/// What [`Job::poll`] found.
pub enum JobState<T> {
    Done(T),
    Running,
    /// The worker panicked or could not start.
    Died,
}
