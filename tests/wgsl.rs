//! Every `.wgsl` file in the tree parses and validates with naga (no GPU needed), and
//! every one is registered in `gpu::SHADERS` so the app can build it.

use std::path::{Path, PathBuf};

fn wgsl_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() && name != "target" && name != ".git" {
            wgsl_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "wgsl") {
            out.push(path);
        }
    }
}

#[test]
fn every_wgsl_file_validates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    wgsl_files(root, &mut files);
    assert!(!files.is_empty(), "the tree has WGSL kernels");
    for path in &files {
        let source = std::fs::read_to_string(path).expect("read");
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.emit_to_string(&source)));
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::default(),
        )
        .validate(&module)
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        assert!(
            llm_lens::gpu::SHADERS
                .iter()
                .any(|(n, src)| *n == name && *src == source),
            "{name} is not registered in gpu::SHADERS"
        );
    }
}

#[test]
fn validation_catches_a_broken_kernel() {
    let broken = "@compute @workgroup_size(64) fn main() { let x: f32 = 1u; }";
    let parsed = naga::front::wgsl::parse_str(broken);
    let valid = parsed.ok().map(|m| {
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::default(),
        )
        .validate(&m)
        .is_ok()
    });
    assert_ne!(valid, Some(true), "a type error must not validate");
}
