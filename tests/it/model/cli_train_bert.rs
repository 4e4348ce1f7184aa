//! `llm-lens train-bert`, `fill-mask` and `eval-mlm` as a user runs them: a tiny run
//! stopped by its time limit and resumed to the end, its logs and exported folder,
//! the exported model filling a blank, and the refusals.

use std::process::Command;

fn llm_lens() -> Command {
    Command::new(env!("CARGO_BIN_EXE_llm-lens"))
}

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("llm-lens-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Four short "addresses" in the shipped corpus format.
fn corpus(dir: &std::path::Path) -> std::path::PathBuf {
    let mut text = String::new();
    for (i, year) in [1801, 1805, 1901, 1999].iter().enumerate() {
        text.push_str(&format!(
            "#doc\t{year}-Test-{i}\t{year}\tTest\t\tspoken\ttrue\n"
        ));
        for p in 0..12 {
            text.push_str(&format!(
                "The union of states {p} asked congress for peace and trade in year {year}. The people of the nation work and the law stands.\n"
            ));
        }
    }
    let path = dir.join("corpus.txt");
    std::fs::write(&path, text).expect("write corpus");
    path
}

fn train(out: &std::path::Path, corpus: &std::path::Path, extra: &[&str]) -> std::process::Output {
    llm_lens()
        .args(["train-bert", "--out"])
        .arg(out)
        .arg("--corpus")
        .arg(corpus)
        .args([
            "--vocab-size",
            "120",
            "--layers",
            "1",
            "--hidden",
            "16",
            "--heads",
            "2",
            "--seq-len",
            "32",
            "--short-seq-len",
            "32",
            "--batch",
            "2",
            "--steps",
            "6",
            "--warmup",
            "2",
            "--eval-every",
            "3",
            "--eval-pairs",
            "4",
            "--log-every",
            "1",
            "--held-out",
            "1",
        ])
        .args(extra)
        .output()
        .expect("run llm-lens")
}

#[test]
fn a_run_stops_resumes_exports_and_fills_a_blank() {
    let dir = temp("train-bert");
    let corpus = corpus(&dir);
    let out = dir.join("run");
    // --max-minutes 0 stops after the first update, with a checkpoint.
    let first = train(&out, &corpus, &["--max-minutes", "0"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stderr).contains("continue with --resume"));
    assert!(out.join("checkpoint/state.json").is_file());
    assert!(!out.join("model").exists());
    // A second fresh start into the same folder is refused, not overwritten.
    let again = train(&out, &corpus, &[]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--resume"));

    let resumed = train(&out, &corpus, &["--resume"]);
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let log = std::fs::read_to_string(out.join("log.csv")).expect("log.csv");
    let steps: Vec<&str> = log
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or(""))
        .collect();
    assert_eq!(steps, ["1", "2", "3", "4", "5", "6"], "{log}");
    let eval = std::fs::read_to_string(out.join("eval.csv")).expect("eval.csv");
    assert_eq!(eval.lines().count(), 3, "{eval}");
    for f in ["config.json", "model.safetensors", "vocab.txt"] {
        assert!(out.join("model").join(f).is_file(), "{f}");
    }

    let fill = llm_lens()
        .args(["fill-mask", "--model"])
        .arg(out.join("model"))
        .args([
            "--text",
            "the [MASK] of states asked [MASK]",
            "--top-k",
            "3",
            "--json",
        ])
        .output()
        .expect("run fill-mask");
    assert!(
        fill.status.success(),
        "{}",
        String::from_utf8_lossy(&fill.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_slice(&fill.stdout).expect("fill-mask prints JSON");
    let blanks = json.as_array().expect("a list per [MASK]");
    assert_eq!(blanks.len(), 2);
    for guesses in blanks {
        let guesses = guesses.as_array().expect("a list of guesses");
        assert_eq!(guesses.len(), 3);
        let probs: Vec<f64> = guesses
            .iter()
            .map(|g| g["prob"].as_f64().unwrap_or(-1.0))
            .collect();
        assert!(probs.windows(2).all(|w| w[0] >= w[1]) && probs[0] <= 1.0 && probs[2] > 0.0);
        assert!(guesses.iter().all(|g| g["token"].is_string()));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fill_mask_without_a_blank_and_a_missing_folder_are_one_line_errors() {
    let none = llm_lens()
        .args(["fill-mask", "--text", "no blank here"])
        .output()
        .expect("run fill-mask");
    assert!(!none.status.success());
    let err = String::from_utf8_lossy(&none.stderr);
    assert!(
        err.contains("[MASK]") && err.trim().lines().count() == 1,
        "{err}"
    );
    let missing = llm_lens()
        .args(["eval-mlm", "--model", "/no/such/folder", "--pairs", "2"])
        .output()
        .expect("run eval-mlm");
    assert!(!missing.status.success());
    assert_eq!(
        String::from_utf8_lossy(&missing.stderr)
            .trim()
            .lines()
            .count(),
        1
    );
}

#[test]
fn absurd_settings_are_refused_in_one_line() {
    let dir = temp("train-bert-bad");
    for bad in [
        ["--batch", "0"],
        ["--seq-len", "100000"],
        ["--eval-pairs", "1000000000"],
        ["--lr", "NaN"],
    ] {
        let run = llm_lens()
            .args(["train-bert", "--out"])
            .arg(dir.join("run"))
            .args(bad)
            .output()
            .expect("run llm-lens");
        assert!(!run.status.success(), "{bad:?}");
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    assert!(!dir.join("run/checkpoint").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn eval_mlm_scores_the_builtin_model() {
    let run = llm_lens()
        .args([
            "eval-mlm",
            "--model",
            "builtin",
            "--pairs",
            "8",
            "--seq-len",
            "64",
            "--json",
        ])
        .output()
        .expect("run eval-mlm");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
    assert_eq!(json["pairs"], 8);
    let top1 = json["top1"].as_f64().expect("top1");
    let top5 = json["top5"].as_f64().expect("top5");
    assert!((0.0..=1.0).contains(&top1) && top5 >= top1);
}

/// The shipped model fills in-domain blanks: the expected word is among its first
/// five guesses (and first for the two set phrases), read from `fill-mask --json`.
#[test]
fn the_shipped_model_fills_in_domain_blanks() {
    let prompts = [
        ("god bless the united [MASK] of america", "states", true),
        ("the state of the [MASK] is strong", "union", true),
        (
            "The president asked Congress to cut [MASK] on working families.",
            "taxes",
            false,
        ),
        ("we must balance the federal [MASK].", "budget", false),
        ("the [MASK] of representatives", "house", false),
    ];
    for (text, want, first) in prompts {
        let run = llm_lens()
            .args([
                "fill-mask",
                "--model",
                "builtin",
                "--text",
                text,
                "--top-k",
                "5",
                "--json",
            ])
            .output()
            .expect("run fill-mask");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
        let guesses: Vec<&str> = json[0]
            .as_array()
            .expect("one list for the one [MASK]")
            .iter()
            .filter_map(|g| g["token"].as_str())
            .collect();
        assert!(guesses.contains(&want), "{text:?}: {guesses:?}");
        if first {
            assert_eq!(guesses[0], want, "{text:?}: {guesses:?}");
        }
    }
}
