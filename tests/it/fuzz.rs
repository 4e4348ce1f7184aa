//! A short run of every loader fuzz target (`llm_lens::loader_fuzz`); the long runs are
//! `cargo run --example fuzz_loaders` (figures in fuzz/README.md).

use llm_lens::loader_fuzz::{Target, run};

#[test]
fn every_loader_survives_a_short_fuzz_run() {
    for target in Target::ALL {
        let report = run(target, 1500, 7, None);
        assert_eq!(report.executions, 1500);
        assert!(
            report.loaded > 0,
            "{}: no mutated input loaded",
            target.name()
        );
        assert!(
            report.findings.is_empty(),
            "{}: {:?}",
            target.name(),
            report.findings.iter().map(|f| &f.1).collect::<Vec<_>>()
        );
    }
}
