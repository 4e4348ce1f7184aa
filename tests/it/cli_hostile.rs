//! The command line fed what a hostile user would type: NaN waits, empty sentences,
//! wrong file types, device files, huge inputs. Every case ends in one short line on
//! stderr and exit status 1 (or a success), never a panic or an abort.

use crate::common;

use std::process::{Command, Output};

fn llm_lens() -> Command {
    Command::new(env!("CARGO_BIN_EXE_llm-lens"))
}

fn out_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("llm-lens-hostile-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Stderr of a run that must fail cleanly: exit status 1, one short line, no panic.
pub fn one_line_failure(output: &Output, what: &str) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{what}: {stderr}");
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{what}: {stderr}");
    assert!(stderr.len() <= 300, "{what}: {} bytes", stderr.len());
    stderr
}

fn have_adapter(test: &str) -> bool {
    let probe = llm_lens::screenshot::offscreen_renderer();
    common::have_adapter_or_skip(test, &probe)
}

#[test]
fn screenshot_refuses_a_nan_wait_and_a_jpeg_before_rendering() {
    let dir = out_dir("shot");
    for wait in ["nan", "inf", "-1", "1e9"] {
        let out = llm_lens()
            .args(["screenshot", "--lesson", "bert", "--wait", wait, "--out"])
            .arg(dir.join("x.png"))
            .output()
            .expect("runs");
        let err = one_line_failure(&out, wait);
        assert!(
            err.contains("--wait") && err.contains("3600"),
            "{wait}: {err}"
        );
    }
    let jpg = dir.join("x.jpg");
    let out = llm_lens()
        .args(["screenshot", "--lesson", "bert", "--out"])
        .arg(&jpg)
        .output()
        .expect("runs");
    assert!(one_line_failure(&out, "jpg").contains(".png"));
    assert!(!jpg.exists(), "no empty file is left behind");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn screenshot_of_the_playground_with_an_empty_sentence_works() {
    if !have_adapter("screenshot_empty_sentence") {
        return;
    }
    let dir = out_dir("empty");
    for sentence in ["", "   "] {
        let out = dir.join("p.png");
        let output = llm_lens()
            .args(["screenshot", "--lesson", "playground", "--size", "900x600"])
            .args(["--backend", "cpu", "--sentence", sentence, "--out"])
            .arg(&out)
            .output()
            .expect("runs");
        assert!(
            output.status.success(),
            "{sentence:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(out.exists());
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn argument_errors_are_one_line_and_help_still_works() {
    // Before: clap printed usage and a tip over several lines and exited with 2.
    let long = "x".repeat(100_000);
    for args in [
        vec!["tokenize", "--nope"],
        vec![
            "neighbours",
            "--vectors",
            "v.txt",
            "--word",
            "w",
            "-k",
            long.as_str(),
        ],
        vec!["screenshot"],
    ] {
        let out = llm_lens().args(&args).output().expect("runs");
        let err = one_line_failure(&out, &args[0..1].join(" "));
        assert!(err.contains("--help"), "{err}");
    }
    let out = llm_lens().arg("--help").output().expect("runs");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
}
