//! Keeps freed memory in the process instead of handing it back to the OS.
//!
//! Every forward pass builds a fresh trace of a few hundred arrays, many larger than
//! glibc's default 128 KiB `mmap` threshold, so each was mapped, zero-filled page by
//! page on first touch, and unmapped when the trace was dropped: page faults took about
//! a fifth of a MiniLM forward pass. Served from the heap and kept there, the same
//! memory is reused by the next pass. Memory use stays at the largest pass's peak.

/// Raises glibc's `mmap` and trim thresholds (to their 32 MiB and 256 MiB); a no-op
/// elsewhere. Call once at start-up.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning parameters; it is safe to call at
    // any time, and values it rejects are ignored (it returns 0).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}
