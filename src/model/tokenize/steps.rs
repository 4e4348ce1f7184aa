//! The loop every merge-based trainer runs: step until done, checking a cancel flag
//! before each step and reporting progress about a hundred times.

use std::sync::atomic::{AtomicBool, Ordering};

use super::TokenizeError;

/// Calls `step` until it returns false; `progress(done, planned)` every 1 % of
/// `planned` and once at the end. Returns the number of steps done.
pub fn run_steps(
    planned: usize,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, usize),
    mut step: impl FnMut() -> bool,
) -> Result<usize, TokenizeError> {
    let every = (planned / 100).max(1);
    let mut done = 0;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(TokenizeError::Cancelled);
        }
        if !step() {
            break;
        }
        done += 1;
        if done % every == 0 {
            progress(done, planned);
        }
    }
    progress(done, planned);
    Ok(done)
}
