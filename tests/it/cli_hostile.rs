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

fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = llm_lens()
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("finishes");
    writer.join().expect("writer");
    out
}

#[test]
fn text_may_start_with_a_dash_and_come_from_a_file_or_stdin() {
    // Before: clap took "-5 degrees" for an option.
    let out = llm_lens()
        .args([
            "tokenize",
            "--tokenizer",
            "r50k",
            "--json",
            "--text",
            "-5 degrees",
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["tokens"][0], "-");

    // A 1 MB text, more than the shell passes as one argument.
    let dir = out_dir("text");
    let path = dir.join("big.txt");
    let big = "the bank of the river. ".repeat(1 << 20 >> 4);
    std::fs::write(&path, &big).unwrap();
    let out = llm_lens()
        .args(["tokenize", "--tokenizer", "cl100k", "--json", "--text-file"])
        .arg(&path)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["ids"].as_array().unwrap().len() > 100_000);

    let out = run_with_stdin(
        &[
            "tokenize",
            "--tokenizer",
            "cl100k",
            "--json",
            "--text-file",
            "-",
        ],
        b"hello world",
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["tokens"], serde_json::json!(["hello", " world"]));

    let small = dir.join("small.txt");
    std::fs::write(&small, "-5 degrees at the bank").unwrap();
    let out = llm_lens()
        .args([
            "trace",
            "--model",
            "builtin",
            "--backend",
            "cpu",
            "--json",
            "--text-file",
        ])
        .arg(&small)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    for (args, expected) in [
        (
            vec![
                "tokenize",
                "--tokenizer",
                "chars",
                "--text-file",
                "/dev/zero",
            ],
            "device",
        ),
        (
            vec![
                "tokenize",
                "--tokenizer",
                "chars",
                "--text",
                "a",
                "--text-file",
                "x",
            ],
            "cannot be used with",
        ),
        (
            vec!["fill-mask", "--text-file", "/nonexistent"],
            "/nonexistent",
        ),
    ] {
        let out = llm_lens().args(&args).output().expect("runs");
        let err = one_line_failure(&out, args[0]);
        assert!(err.contains(expected), "{err}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn vectors_from_a_device_or_a_one_line_file_are_one_short_line() {
    // Before: /dev/zero aborted asking for 8 GB; a 20 MB one-line file printed 20 MB.
    let dir = out_dir("vectors");
    let one_line = dir.join("one-line.txt");
    std::fs::write(&one_line, "x".repeat(20 << 20)).unwrap();
    for vectors in [std::path::Path::new("/dev/zero"), one_line.as_path()] {
        let out = llm_lens()
            .args(["neighbours", "--word", "the", "--vectors"])
            .arg(vectors)
            .output()
            .expect("runs");
        one_line_failure(&out, &vectors.display().to_string());
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn word2vec_refuses_tables_over_the_memory_budget_before_allocating() {
    // Before: 60 k distinct words × 10 000 dimensions allocated 4.8 GB and trained.
    let dir = out_dir("w2v");
    let corpus = dir.join("corpus.txt");
    let text: String = (0..60_000).map(|i| format!("w{i:x}q ")).collect();
    std::fs::write(&corpus, text).unwrap();
    let out = llm_lens()
        .args([
            "word2vec",
            "--min-count",
            "1",
            "--dim",
            "10000",
            "--epochs",
            "1",
            "--corpus",
        ])
        .arg(&corpus)
        .output()
        .expect("runs");
    let err = one_line_failure(&out, "word2vec");
    assert!(
        err.contains("4.5 GiB") && err.contains("budget of 4 GiB"),
        "{err}"
    );
    let out = llm_lens()
        .args(["word2vec", "--corpus", "/dev/zero"])
        .output()
        .expect("runs");
    assert!(one_line_failure(&out, "/dev/zero").contains("device"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn smaller_wrongs_are_one_line_errors_that_say_the_range() {
    let dir = out_dir("small");
    let corpus = dir.join("c.txt");
    std::fs::write(&corpus, "low lower lowest newer newest ".repeat(50)).unwrap();
    // Before: --vocab-size 0, 1 or 256 reported success with 0 merges.
    for size in ["0", "1", "256"] {
        let out = llm_lens()
            .args(["bpe-train", "--vocab-size", size, "--out"])
            .arg(dir.join("m.txt"))
            .arg("--corpus")
            .arg(&corpus)
            .output()
            .expect("runs");
        assert!(one_line_failure(&out, size).contains("258–"));
    }
    // Before: the error did not say where --model minilm looks.
    let out = llm_lens()
        .args(["bench", "--model", "minilm"])
        .env("LLM_LENS_MINILM_DIR", "/nonexistent")
        .output()
        .expect("runs");
    assert!(one_line_failure(&out, "bench").contains("LLM_LENS_MINILM_DIR"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn negative_numbers_are_values_and_wrong_ones_say_what_is_wanted() {
    // Before: clap took "-1" for an unknown option, even where negative is valid.
    let out = llm_lens()
        .args([
            "rnn-grad",
            "--cell",
            "lstm",
            "--activation",
            "tanh",
            "--steps",
            "3",
        ])
        .args(["--forget-bias", "-1", "--json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = llm_lens()
        .args(["word2vec", "--dim", "-5"])
        .output()
        .expect("runs");
    let err = one_line_failure(&out, "--dim -5");
    assert!(err.contains("--dim") && err.contains("0 or more"), "{err}");
    let out = llm_lens()
        .args(["word2vec", "--dim", "0"])
        .output()
        .expect("runs");
    assert!(one_line_failure(&out, "--dim 0").contains("between 1 and 10000"));
}
