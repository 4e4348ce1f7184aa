//! The binary as a user runs it: `llm-lens screenshot` and its error messages.

use crate::common;

use std::process::Command;

fn llm_lens() -> Command {
    Command::new(env!("CARGO_BIN_EXE_llm-lens"))
}

fn out_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("llm-lens-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn screenshot_of_every_lesson_is_a_real_picture() {
    let probe = llm_lens::screenshot::offscreen_renderer();
    if !common::have_adapter_or_skip("screenshot_of_every_lesson", &probe) {
        return;
    }
    drop(probe);
    let dir = out_dir();
    for lesson in llm_lens::lessons::LessonId::ALL {
        let out = dir.join(format!("{}.png", lesson.id()));
        let status = llm_lens()
            .args([
                "screenshot",
                "--lesson",
                lesson.id(),
                "--step",
                "1",
                "--size",
                "900x600",
                "--backend",
                "cpu",
                "--out",
            ])
            .arg(&out)
            .args(["--sentence", "We sat on the bank and started fishing."])
            .output()
            .expect("run llm-lens");
        assert!(
            status.status.success(),
            "{}: {}",
            lesson.id(),
            String::from_utf8_lossy(&status.stderr)
        );
        let image = image::open(&out).expect("a PNG").to_rgba8();
        assert_eq!(image.dimensions(), (900, 600));
        let mut colours = std::collections::HashSet::new();
        for p in image.pixels() {
            colours.insert(p.0);
        }
        assert!(
            colours.len() > 20,
            "{}: a blank image has few colours, got {}",
            lesson.id(),
            colours.len()
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_arguments_give_one_clear_line_and_fail() {
    let dir = out_dir();
    let out = dir.join("x.png");
    let cases: [(&[&str], &str); 4] = [
        (&["--lesson", "nope"], "unknown lesson \"nope\""),
        (&["--lesson", "bert", "--step", "99"], "--step must be 1–"),
        (
            &["--lesson", "bert", "--size", "big"],
            "--size must look like",
        ),
        (&["--lesson", "bert", "--size", "10x10"], "out of range"),
    ];
    for (args, expected) in cases {
        let output = llm_lens()
            .arg("screenshot")
            .args(args)
            .arg("--out")
            .arg(&out)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} should fail");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        assert!(!stderr.contains("panicked"));
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Runs `llm-lens ARGS --json`: the JSON object on success, stderr on failure.
fn json_of(args: &[&str]) -> Result<serde_json::Value, String> {
    let out = llm_lens().args(args).arg("--json").output().expect("runs");
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).expect("one JSON object"))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn bench_times_a_forward_pass_and_refuses_bad_arguments() {
    let cpu = [
        "bench", "--model", "builtin", "--seq", "8", "--runs", "2", "--warmup", "0",
    ];
    let v = json_of(&cpu).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["seq"], 8);
    assert!(v["median_ms"].as_f64().is_some_and(|m| m > 0.0));
    // The GPU bench runs on any adapter (lavapipe in CI) and names it.
    match json_of(&[&cpu[..], &["--backend", "gpu"]].concat()) {
        Ok(v) => {
            assert_eq!(v["backend"], "gpu");
            assert!(v["adapter"].as_str().is_some_and(|a| !a.is_empty()));
            // And the matmul kernel's throughput.
            let v = json_of(&["bench", "--matmul", "48", "--runs", "2"])
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(v["gflops"].as_f64().is_some_and(|g| g > 0.0), "{v}");
            // Rectangular: every tiling timed, the chosen one named.
            let v = json_of(&["bench", "--matmul", "40x70x130", "--runs", "1"])
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                (&v["m"], &v["k"], &v["n"]),
                (&40.into(), &70.into(), &130.into())
            );
            assert_eq!(v["tiles"].as_array().map(Vec::len), Some(3), "{v}");
            assert!(v["tile"].is_string(), "{v}");
            // A lean level, with the profile (timestamps or the reason there are none).
            let lean = [
                "bench",
                "--model",
                "tiny",
                "--seq",
                "8",
                "--runs",
                "1",
                "--warmup",
                "0",
                "--backend",
                "gpu",
                "--detail",
                "predictions",
                "--profile",
            ];
            let v = json_of(&lean).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(v["detail"], "predictions");
            let bytes = |level: &str| v["readback_bytes"][level].as_u64().unwrap_or(0);
            assert!(bytes("full") > bytes("hidden-and-attention"), "{v}");
            assert!(bytes("hidden-and-attention") > bytes("predictions"), "{v}");
            assert!(bytes("predictions") > 0, "{v}");
            let p = &v["profile"];
            assert_eq!(
                p["readback_bytes"].as_u64(),
                Some(bytes("predictions")),
                "{v}"
            );
            if p["timestamps"] == true {
                let kinds = p["kinds"].to_string();
                for kind in ["embedding", "linear", "softmax", "MLM head", "readback"] {
                    assert!(kinds.contains(kind), "{kind} missing: {p}");
                }
            } else {
                assert!(
                    p["note"]
                        .as_str()
                        .is_some_and(|n| n.contains("TIMESTAMP_QUERY"))
                );
            }
        }
        Err(err) => {
            assert!(
                !common::require_gpu(),
                "no GPU adapter, and LLM_LENS_REQUIRE_GPU=1: {err}"
            );
            assert!(err.contains("no GPU to benchmark"), "{err}");
        }
    }
    for (args, needle) in [
        (
            vec!["bench", "--model", "/nonexistent/model"],
            "/nonexistent/model",
        ),
        (vec!["bench", "--seq", "100000"], "longer than this model"),
        (vec!["bench", "--matmul", "0"], "from 1 to 65536"),
        (vec!["bench", "--matmul", "12x0x5"], "from 1 to 65536"),
        (vec!["bench", "--matmul", "9000"], "at most 8192×8192"),
        (vec!["bench", "--matmul", "12x5"], "N or MxKxN"),
        (vec!["bench", "--profile"], "--backend gpu"),
    ] {
        let out = llm_lens().args(&args).output().expect("runs");
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
    }
}

#[test]
fn neighbours_reads_the_binary_word2vec_format() {
    use llm_lens::model::word2vec::Embeddings;
    let words = ["king", "queen", "apple"].map(str::to_owned).to_vec();
    let e = Embeddings::new(words, 2, vec![1.0, 0.1, 0.9, 0.2, -1.0, 0.5]).expect("valid");
    let path = std::env::temp_dir().join(format!("llm-lens-neigh-{}.bin", std::process::id()));
    let mut bytes = Vec::new();
    e.write_binary(&mut bytes).expect("write");
    std::fs::write(&path, bytes).expect("file");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_llm-lens"))
        .args(["neighbours", "--vectors"])
        .arg(&path)
        .args(["--word", "king", "-k", "1"])
        .output()
        .expect("runs");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("queen"));
}
