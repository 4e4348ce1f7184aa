//! Helpers shared by the `model_*` integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The MiniLM folder: `$LLM_LENS_MINILM_DIR`, else `<crate>/.cache/minilm`.
///
/// When it is absent the test is skipped with a notice, unless
/// `LLM_LENS_REQUIRE_FIXTURES=1`, in which case it fails (CI sets that).
pub fn minilm_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("LLM_LENS_MINILM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/minilm"));
    let complete = [
        "config.json",
        "model.safetensors",
        "vocab.txt",
        "tokenizer.json",
    ]
    .iter()
    .all(|f| dir.join(f).is_file());
    if complete {
        return Some(dir);
    }
    let msg = format!(
        "{test}: MiniLM fixture not found in {} (run tests/fixtures/fetch_minilm.sh or set LLM_LENS_MINILM_DIR)",
        dir.display()
    );
    if std::env::var("LLM_LENS_REQUIRE_FIXTURES").as_deref() == Ok("1") {
        panic!("{msg}; LLM_LENS_REQUIRE_FIXTURES=1 makes this a failure");
    }
    // Straight to stderr: libtest captures eprintln!, and a skip must be seen.
    let _ = writeln!(std::io::stderr(), "SKIPPED {msg}");
    None
}

/// A fresh folder under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("llm-lens-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Standard base64 (with `=` padding) → bytes.
pub fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a') as u32 + 26,
            b'0'..=b'9' => (c - b'0') as u32 + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let clean: Vec<u8> = text.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c) << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

/// Small deterministic PRNG (xorshift64*) for generating test inputs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
