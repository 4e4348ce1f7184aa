//! What `bench --profile` prints: the GPU time of each kernel kind summed over a pass
//! and averaged over the profiled passes, or one line saying the adapter cannot time
//! kernels; and always the readback's host time on the wall clock.

use std::time::Duration;

use crate::gpu::profile::Profile;
use crate::gpu::record::Kind;

/// "12.3 MB" (10⁶ bytes), "512 B" below a kilobyte.
pub fn megabytes(bytes: u64) -> String {
    if bytes < 1000 {
        format!("{bytes} B")
    } else {
        format!("{:.3} MB", bytes as f64 / 1e6)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Mean milliseconds per pass and steps per pass of each kind, in [`Kind::ALL`] order;
/// `None` when the adapter has no timestamps.
fn per_kind(profiles: &[Profile]) -> Option<Vec<(Kind, f64, usize)>> {
    let passes = profiles.len().max(1) as f64;
    let mut out: Vec<(Kind, f64, usize)> = Vec::new();
    for p in profiles {
        for t in p.kernels.as_ref()? {
            match out.iter_mut().find(|(k, ..)| *k == t.kind) {
                Some((_, total, _)) => *total += ms(t.time) / passes,
                None => out.push((t.kind, ms(t.time) / passes, t.steps)),
            }
        }
    }
    out.sort_by_key(|(k, ..)| *k);
    Some(out)
}

fn mean(profiles: &[Profile], f: impl Fn(&Profile) -> Duration) -> f64 {
    profiles.iter().map(|p| ms(f(p))).sum::<f64>() / profiles.len().max(1) as f64
}

const UNSUPPORTED: &str = "per-kernel times: not available, the adapter has no timestamp queries (wgpu feature TIMESTAMP_QUERY)";

/// The profile as lines of text.
pub fn print(profiles: &[Profile]) {
    let host = mean(profiles, |p| p.host_readback);
    let wall = mean(profiles, |p| p.wall);
    let bytes = profiles.first().map_or(0, |p| p.readback_bytes);
    match per_kind(profiles) {
        None => crate::outln!("{UNSUPPORTED}"),
        Some(kinds) => {
            let total: f64 = kinds.iter().map(|(_, t, _)| t).sum();
            crate::outln!(
                "profile (GPU timestamps, each step in a pass of its own; mean of {} passes):",
                profiles.len()
            );
            for (kind, t, steps) in kinds {
                crate::outln!(
                    "  {:<18} {t:>9.3} ms {:>5.1} %  ({steps} per pass)",
                    kind.label(),
                    100.0 * t / total.max(f64::MIN_POSITIVE)
                );
            }
            crate::outln!("  {:<18} {total:>9.3} ms", "sum on the GPU");
            let untimed = profiles.first().map_or(0, |p| p.untimed_copies);
            if untimed > 0 {
                crate::outln!(
                    "  ({untimed} copies per pass untimed: no timestamps between passes)"
                );
            }
        }
    }
    crate::outln!(
        "readback on the host: {host:.3} ms per pass (map and copy out, wall clock) for {}; whole profiled pass {wall:.3} ms",
        megabytes(bytes)
    );
}

/// The profile as one JSON value.
pub fn json(profiles: &[Profile]) -> serde_json::Value {
    let kinds = per_kind(profiles).map(|kinds| {
        kinds
            .iter()
            .map(|(k, t, steps)| serde_json::json!({"kind": k.label(), "ms": t, "steps": steps}))
            .collect::<Vec<_>>()
    });
    serde_json::json!({
        "passes": profiles.len(),
        "timestamps": kinds.is_some(),
        "note": kinds.is_none().then_some(UNSUPPORTED),
        "kinds": kinds,
        "untimed_copies": profiles.first().map_or(0, |p| p.untimed_copies),
        "host_readback_ms": mean(profiles, |p| p.host_readback),
        "wall_ms": mean(profiles, |p| p.wall),
        "readback_bytes": profiles.first().map_or(0, |p| p.readback_bytes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::profile::KindTime;

    fn profile(kernels: Option<Vec<KindTime>>) -> Profile {
        Profile {
            kernels,
            untimed_copies: 0,
            host_readback: Duration::from_millis(2),
            wall: Duration::from_millis(10),
            readback_bytes: 1234,
        }
    }

    #[test]
    fn without_timestamps_the_json_says_why_and_keeps_the_readback_time() {
        let v = json(&[profile(None)]);
        assert_eq!(v["timestamps"], false);
        assert!(
            v["note"]
                .as_str()
                .is_some_and(|n| n.contains("TIMESTAMP_QUERY"))
        );
        assert_eq!(v["host_readback_ms"].as_f64(), Some(2.0));
    }

    #[test]
    fn kinds_are_averaged_over_the_passes() {
        let one = |ms| {
            profile(Some(vec![KindTime {
                kind: Kind::Linear,
                time: Duration::from_millis(ms),
                steps: 6,
            }]))
        };
        let v = json(&[one(2), one(4)]);
        assert_eq!(v["kinds"][0]["kind"], "linear");
        assert_eq!(v["kinds"][0]["ms"].as_f64(), Some(3.0));
        assert_eq!(v["kinds"][0]["steps"], 6);
        assert_eq!(megabytes(512), "512 B");
        assert_eq!(megabytes(1_500_000), "1.500 MB");
    }
}
