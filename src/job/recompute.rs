//! Recomputing a result when its settings change without freezing the window: cheap work
//! runs inline, work that was slow last time moves to a thread, and the previous result
//! stays on screen until the new one arrives.

use std::time::Duration;
use web_time::Instant;

use super::Job;

/// Work that took longer than this last time runs on a worker thread next time.
pub const INLINE_BUDGET: Duration = Duration::from_millis(30);

/// The latest result for settings `K`, recomputed by a plain function when `K` changes.
pub struct Recompute<K, V> {
    /// The settings `value` was computed from.
    key: Option<K>,
    value: Option<V>,
    /// Settings being computed on a thread, and where the result will arrive.
    pending: Option<(K, Job<(V, Duration)>)>,
    last_cost: Duration,
}

impl<K, V> Default for Recompute<K, V> {
    fn default() -> Self {
        Self {
            key: None,
            value: None,
            pending: None,
            last_cost: Duration::ZERO,
        }
    }
}

impl<K, V> Recompute<K, V>
where
    K: PartialEq + Clone + Send + 'static,
    V: Send + 'static,
{
    /// Brings the result up to date with `wanted` and returns the freshest one available
    /// (possibly for older settings while a worker runs).
    pub fn get(&mut self, ctx: &egui::Context, wanted: &K, compute: fn(&K) -> V) -> Option<&V> {
        if let Some((key, job)) = &self.pending {
            match job.try_next() {
                Ok(Some((value, cost))) => {
                    self.key = Some(key.clone());
                    self.value = Some(value);
                    self.last_cost = cost;
                    self.pending = None;
                }
                Ok(None) => ctx.request_repaint_after(Duration::from_millis(30)),
                // The worker died (a bug in the model code) or could not start: try
                // again inline next time.
                Err(()) => {
                    self.pending = None;
                    self.last_cost = Duration::ZERO;
                }
            }
        }
        let up_to_date = self.key.as_ref() == Some(wanted);
        if !up_to_date && self.pending.is_none() {
            if self.last_cost <= INLINE_BUDGET {
                let started = Instant::now();
                self.value = Some(compute(wanted));
                self.last_cost = started.elapsed();
                self.key = Some(wanted.clone());
            } else {
                let key = wanted.clone();
                let job = Job::spawn("recompute", Some(ctx), move |r| {
                    let started = Instant::now();
                    let value = compute(&key);
                    r.send((value, started.elapsed()));
                });
                self.pending = Some((wanted.clone(), job));
            }
        }
        self.value.as_ref()
    }

    /// Whether a newer result is being computed on a thread.
    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }
}
