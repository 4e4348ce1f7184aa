//! Every `.wgsl` file in the tree parses and validates with naga (no GPU needed), every
//! one is registered in `gpu::kernels::ALL` so the app can build it, and every kernel's
//! Rust side (parameter struct, workgroup size, storage bindings, shared constants)
//! matches what naga reads from its shader.

use std::path::{Path, PathBuf};

use llm_lens::gpu::kernels::{self, KernelSpec};

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
            kernels::ALL
                .iter()
                .any(|k| k.file == name && k.source == source),
            "{name} is not registered in gpu::kernels::ALL"
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

fn parse(spec: &KernelSpec) -> naga::Module {
    naga::front::wgsl::parse_str(spec.source)
        .unwrap_or_else(|e| panic!("{}: {}", spec.file, e.emit_to_string(spec.source)))
}

/// A scalar type as WGSL spells it, or `None` for anything else.
fn scalar_name(inner: &naga::TypeInner) -> Option<&'static str> {
    let naga::TypeInner::Scalar(scalar) = inner else {
        return None;
    };
    match (scalar.kind, scalar.width) {
        (naga::ScalarKind::Uint, 4) => Some("u32"),
        (naga::ScalarKind::Sint, 4) => Some("i32"),
        (naga::ScalarKind::Float, 4) => Some("f32"),
        _ => None,
    }
}

#[test]
fn every_kernel_is_listed_once() {
    let mut files: Vec<&str> = kernels::ALL.iter().map(|k| k.file).collect();
    files.sort_unstable();
    files.dedup();
    assert_eq!(files.len(), kernels::ALL.len(), "a kernel is listed twice");
}

#[test]
fn params_structs_mirror_the_wgsl() {
    for spec in kernels::ALL {
        let module = parse(spec);
        let Some((_, ty)) = module
            .types
            .iter()
            .find(|(_, t)| t.name.as_deref() == Some("Params"))
        else {
            panic!("{}: no struct Params", spec.file);
        };
        let naga::TypeInner::Struct { members, span } = &ty.inner else {
            panic!("{}: Params is not a struct", spec.file);
        };
        assert_eq!(
            spec.params_size, *span as usize,
            "{}: Rust params are {} bytes, WGSL's {span}",
            spec.file, spec.params_size
        );
        assert!(
            spec.params_size <= kernels::MAX_PARAM_BYTES,
            "{}: params larger than MAX_PARAM_BYTES",
            spec.file
        );
        let wgsl: Vec<(&str, &str, usize)> = members
            .iter()
            .map(|m| {
                let name = m.name.as_deref().unwrap_or_default();
                let ty = scalar_name(&module.types[m.ty].inner)
                    .unwrap_or_else(|| panic!("{}: Params.{name} is not a scalar", spec.file));
                (name, ty, m.offset as usize)
            })
            .collect();
        let rust: Vec<(&str, &str, usize)> = spec
            .params_fields
            .iter()
            .map(|f| (f.name, f.ty, f.offset))
            .collect();
        assert_eq!(rust, wgsl, "{}: (field, type, offset) differ", spec.file);
    }
}

#[test]
fn workgroup_sizes_match_the_wgsl() {
    for spec in kernels::ALL {
        let module = parse(spec);
        let Some(main) = module.entry_points.iter().find(|e| e.name == "main") else {
            panic!("{}: no entry point main", spec.file);
        };
        assert_eq!(main.stage, naga::ShaderStage::Compute, "{}", spec.file);
        assert_eq!(
            main.workgroup_size, spec.workgroup_size,
            "{}: @workgroup_size differs",
            spec.file
        );
    }
}

#[test]
fn bindings_match_the_wgsl() {
    for spec in kernels::ALL {
        let module = parse(spec);
        let mut uniforms = Vec::new();
        let mut storage = Vec::new();
        for (_, var) in module.global_variables.iter() {
            let Some(binding) = &var.binding else {
                continue;
            };
            assert_eq!(binding.group, 0, "{}: one bind group", spec.file);
            match var.space {
                naga::AddressSpace::Uniform => {
                    uniforms.push((binding.binding, module.types[var.ty].name.clone()))
                }
                naga::AddressSpace::Storage { .. } => storage.push(binding.binding),
                other => panic!("{}: unexpected binding in {other:?}", spec.file),
            }
        }
        assert_eq!(
            uniforms,
            [(0, Some("Params".to_owned()))],
            "{}: the parameters are the one uniform, at binding 0",
            spec.file
        );
        storage.sort_unstable();
        let want: Vec<u32> = (1..=spec.storage as u32).collect();
        assert_eq!(storage, want, "{}: storage bindings", spec.file);
    }
}

#[test]
fn shared_constants_match_the_wgsl() {
    for spec in kernels::ALL {
        let module = parse(spec);
        for &(name, value) in spec.shared_consts {
            let Some((_, constant)) = module
                .constants
                .iter()
                .find(|(_, c)| c.name.as_deref() == Some(name))
            else {
                panic!("{}: no const {name}", spec.file);
            };
            assert_eq!(
                module.global_expressions[constant.init],
                naga::Expression::Literal(naga::Literal::U32(value)),
                "{}: const {name}",
                spec.file
            );
        }
    }
}
