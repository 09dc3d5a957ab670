#!/usr/bin/env bash
# Sets up and runs every check and test: formatting, clippy (warnings are errors), unit,
# integration, CLI, benchmark smoke runs and doc tests, with every feature on.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TERM_COLOR=never
start=$(date +%s)
echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy (all targets, all features, -D warnings)"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
echo "== cargo test (lib, bins, tests, benches in test mode)"
cargo test --workspace --all-targets --all-features --locked
echo "== cargo test --doc"
cargo test --workspace --all-features --locked --doc
echo "== all checks passed in $(( $(date +%s) - start )) s"
