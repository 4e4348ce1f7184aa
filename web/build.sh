#!/usr/bin/env bash
# Builds the web version into web/dist/: index.html, the wasm module and its JS glue.
# The corpus, built-in model and tokeniser ranks are compiled into the wasm, so the
# folder is all a static web server needs.
#
# Toolchain (Debian 12; see README "The web version"): Debian's rustc with its std
# sources, LLVM's wasm-ld, and wasm-bindgen-cli at the version in Cargo.lock:
#   apt-get install -y --no-install-recommends rustc-web cargo-web rust-web-src lld-22
#   cargo install wasm-bindgen-cli --version <the version in Cargo.lock>
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's cargo and rustc (rustup's proxies may come first on PATH): std is rebuilt
# for wasm32 from Debian's sources (-Zbuild-std), which needs RUSTC_BOOTSTRAP.
CARGO=${CARGO:-/usr/bin/cargo}
export RUSTC=${RUSTC:-/usr/bin/rustc}
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=${WASM_LD:-wasm-ld-22}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/wasm}
WASM_BINDGEN=${WASM_BINDGEN:-wasm-bindgen}

want=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
have=$("$WASM_BINDGEN" --version 2>/dev/null | awk '{print $2}' || true)
if [ "$want" != "$have" ]; then
    echo "web/build.sh: wasm-bindgen-cli $want is needed (found '${have:-none}'):" >&2
    echo "  cargo install wasm-bindgen-cli --version $want" >&2
    exit 1
fi

# The library as a cdylib for the browser only: the desktop build stays an rlib.
"$CARGO" rustc --locked --release --lib --crate-type cdylib \
    --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort

out=web/dist
rm -rf "$out"
mkdir -p "$out"
"$WASM_BINDGEN" --target web --no-typescript --out-dir "$out" --out-name llm_lens \
    --remove-name-section --remove-producers-section \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/llm_lens.wasm"
cp web/index.html "$out/"
ls -l "$out"
