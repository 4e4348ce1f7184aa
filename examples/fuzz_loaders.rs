//! Long fuzzing campaigns of the loaders (`llm_lens::loader_fuzz`): word2vec vectors,
//! vocab.txt, tokenizer.json, config.json, model.safetensors and the settings file.
//!
//!     cargo run --example fuzz_loaders -- [--target NAME] [--iterations N] [--seconds S] [--seed S]
//!
//! Prints executions, inputs that loaded, findings and the slowest input per target;
//! each finding is written to `fuzz-finding-<target>-<n>.bin` and the exit status is 1.

use std::time::{Duration, Instant};

use llm_lens::loader_fuzz::{Target, run};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let targets: Vec<Target> = match value("--target") {
        Some(name) => match Target::from_name(&name) {
            Some(t) => vec![t],
            None => {
                let names: Vec<&str> = Target::ALL.iter().map(|t| t.name()).collect();
                eprintln!("unknown target {name:?}; targets: {}", names.join(", "));
                std::process::exit(2);
            }
        },
        None => Target::ALL.to_vec(),
    };
    let iterations = value("--iterations")
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX);
    let seconds: f64 = value("--seconds")
        .and_then(|n| n.parse().ok())
        .unwrap_or(10.0);
    let seed = value("--seed").and_then(|n| n.parse().ok()).unwrap_or(1);
    // Findings are collected, not printed by the default hook for every panic.
    std::panic::set_hook(Box::new(|_| {}));
    let mut failed = false;
    for target in targets {
        let start = Instant::now();
        let deadline = start + Duration::from_secs_f64(seconds.clamp(0.0, 1e7));
        let report = run(target, iterations, seed, Some(deadline));
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{:<15} {:>11} executions in {secs:>7.1} s ({:>8.0}/s), {:>9} loaded, {} findings, slowest input {:.1} ms",
            target.name(),
            report.executions,
            report.executions as f64 / secs.max(1e-9),
            report.loaded,
            report.finding_count,
            report.slowest.as_secs_f64() * 1e3
        );
        for (n, (input, why)) in report.findings.iter().enumerate() {
            let path = format!("fuzz-finding-{}-{}.bin", target.name(), n + 1);
            let _ = std::fs::write(&path, input);
            println!("  {why} ({path})");
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
}
