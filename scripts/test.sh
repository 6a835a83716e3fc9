#!/usr/bin/env bash
# Every test: format, lint, Rust (unit, integration, property, doc), benches
# build, Python (wheel in a venv, pytest, stubtest, mypy) and C (C11 and C++,
# shared and static, under valgrind). Installs what a bare machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, benches included; warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

step "Rust tests (unit, integration, proptest, golden vectors, doc-tests)"
cargo test --workspace

step "rustdoc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc -p zhiyuan --no-deps

step "fuzz targets: build on stable and replay the saved corpus"
cargo build --manifest-path core/fuzz/Cargo.toml
for dir in core/fuzz/corpus/*/; do
  target=$(basename "$dir")
  "core/fuzz/target/debug/$target" "$dir"*
done

if [ -x scripts/test-python.sh ]; then
  step "Python"
  scripts/test-python.sh
fi

if [ -x scripts/test-c.sh ]; then
  step "C"
  scripts/test-c.sh
fi

step "all tests passed"
