//! Runs the parts of a split batch: each on a scoped thread on the desktop, one after
//! another in the browser, which has no threads (the results are summed in the same
//! fixed order either way, so a seed gives the same run).

/// `f` applied to every part, results in the parts' order; `None` for a part whose
/// thread panicked.
#[cfg(not(target_arch = "wasm32"))]
pub fn map_parts<T: Send, R: Send>(parts: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<Option<R>> {
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || f(part)))
            .collect();
        handles.into_iter().map(|h| h.join().ok()).collect()
    })
}

/// `f` applied to every part on this thread, results in the parts' order.
#[cfg(target_arch = "wasm32")]
pub fn map_parts<T: Send, R: Send>(parts: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<Option<R>> {
    parts.into_iter().map(|part| Some(f(part))).collect()
}
