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

#[test]
fn saved_findings_now_pass() {
    // Inputs the long runs found, kept in fuzz/findings/ (named after their target).
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/findings");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz/findings") {
        let path = entry.expect("an entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let target = Target::ALL
            .into_iter()
            .find(|t| name.starts_with(t.name()))
            .unwrap_or_else(|| panic!("{name} does not start with a target's name"));
        let input = std::fs::read(&path).unwrap();
        if let Err(why) = llm_lens::loader_fuzz::check(target, &input) {
            panic!("{name}: {why}");
        }
        replayed += 1;
    }
    assert!(replayed > 0);
}
