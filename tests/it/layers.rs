//! The crate's layers, checked on its sources (see ARCHITECTURE.md): which module may
//! import which, and patterns that must not come back (`#[path]` module trees, caches
//! keyed by an `Arc`'s address, threads started outside the job module).

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// (file relative to `src/`, its text without line comments) for every file under `dir`.
fn sources(dir: &str) -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src.join(dir), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            let code: Vec<&str> = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect();
            let name = p.strip_prefix(&src).unwrap_or(&p).display().to_string();
            (name, code.join("\n"))
        })
        .collect()
}

/// Fails listing every file under `dir` whose code contains any of `forbidden`.
fn forbid(dir: &str, forbidden: &[&str], why: &str) {
    let offenders: Vec<String> = sources(dir)
        .into_iter()
        .flat_map(|(name, code)| {
            forbidden
                .iter()
                .filter(|f| code.contains(**f))
                .map(move |f| format!("{name}: {f}"))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(offenders.is_empty(), "{why}:\n{}", offenders.join("\n"));
}

#[test]
fn the_maths_knows_no_ui_and_no_gpu() {
    forbid(
        "model",
        &[
            "egui",
            "wgpu",
            "crate::gpu",
            "crate::compute",
            "crate::lessons",
            "crate::widgets",
            "crate::app",
        ],
        "src/model is the maths: no UI, no GPU",
    );
}

#[test]
fn lessons_and_widgets_never_import_the_shell() {
    forbid(
        "lessons",
        &["crate::app", "crate::cli", "crate::screenshot"],
        "lessons talk to the shell through LessonContext::send",
    );
    forbid(
        "widgets",
        &["crate::app", "crate::cli", "crate::lessons"],
        "widgets are below the lessons",
    );
    forbid(
        "screenshot.rs",
        &["crate::cli"],
        "the renderer does not know the command line",
    );
}

#[test]
fn opening_files_knows_no_lesson_and_starts_no_thread() {
    forbid(
        "files",
        &[
            "crate::app",
            "crate::cli",
            "crate::lessons",
            "crate::widgets",
            "thread::spawn",
            "thread::Builder",
        ],
        "src/files hands chosen files to whoever asked, and runs dialogs through crate::job",
    );
}

#[test]
fn no_path_attributes_address_keys_or_stray_threads() {
    forbid("", &["#[path"], "one module per file, in folders");
    let address_keys: Vec<String> = sources("")
        .into_iter()
        .flat_map(|(name, code)| {
            code.lines()
                .filter(|l| l.contains("as_ptr(") && l.contains("as usize"))
                .map(|l| format!("{name}: {}", l.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        address_keys.is_empty(),
        "an address can be reused once its Arc is freed: key caches by ArcKey or a generation:\n{}",
        address_keys.join("\n")
    );
    forbid(
        "lessons",
        &["thread::spawn", "thread::Builder"],
        "lessons run background work through crate::job",
    );
}
