//! [`train`]: the desktop's run, worker threads updating the shared matrices without
//! locks (see "Hogwild" in the parent module) while the calling thread reports.

use super::setup::{Monitor, Setup};
use super::worker::{Cursor, Job, WorkerStats, run_worker, thread_cpu_ns};
use super::{Control, TrainError, TrainResult, TrainerConfig, TrainingEvent};
use crate::model::numerics::rng::SplitMix64;
use crate::model::text::corpus::Corpus;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use web_time::Instant;

/// Trains word2vec on `corpus`, calling `sink` with `Started`, `Progress` and
/// `Snapshot` events from the calling thread. Workers run in a scoped thread
/// pool; the calling thread watches them.
pub fn train(
    corpus: &Corpus,
    config: &TrainerConfig,
    control: &Control,
    sink: &mut dyn FnMut(TrainingEvent),
) -> Result<TrainResult, TrainError> {
    let mut setup = Setup::new(corpus, config, config.threads, control, sink)?;
    let mut monitor = Monitor::start(config, &mut setup, control, sink);
    let threads = setup.threads;
    let next_chunk = AtomicUsize::new(0);
    let stats: Vec<WorkerStats> = (0..threads).map(|_| WorkerStats::default()).collect();
    let words_done = AtomicU64::new(0);
    let base = setup.job(config, &next_chunk, &stats[0], &words_done, control);
    let shared = base.shared;

    let coordinator = std::thread::current();
    let worker_result: Result<(), String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let job = Job {
                    stats: &stats[t],
                    ..base
                };
                let coordinator = coordinator.clone();
                scope.spawn(move || {
                    let stats = job.stats;
                    let rng = SplitMix64::for_stream(config.seed, t as u64 + 1);
                    let cpu0 = thread_cpu_ns();
                    run_worker(&job, &mut Cursor::new(config, rng), u64::MAX);
                    if let (Some(a), Some(b)) = (cpu0, thread_cpu_ns()) {
                        stats
                            .cpu_ns
                            .store(b.saturating_sub(a).max(1), Ordering::Relaxed);
                    }
                    stats.done.store(true, Ordering::SeqCst);
                    coordinator.unpark();
                })
            })
            .collect();

        // Watch the workers: progress and snapshots at their intervals.
        loop {
            let all_done = stats.iter().all(|s| s.done.load(Ordering::SeqCst));
            let next = monitor.report(config, &stats, shared.syn0, all_done, control, sink);
            if all_done {
                break;
            }
            std::thread::park_timeout(next.saturating_duration_since(Instant::now()));
        }
        let mut result = Ok(());
        for h in handles {
            if let Err(p) = h.join() {
                let msg = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                result = Err(msg);
            }
        }
        result
    });
    worker_result.map_err(TrainError::WorkerPanicked)?;
    if control.is_cancelled() {
        return Err(TrainError::Cancelled);
    }
    monitor.finish(config, setup, &stats, control)
}
