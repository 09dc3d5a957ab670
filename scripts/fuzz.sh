#!/usr/bin/env bash
# Runs one fuzz target from fuzz/ with libFuzzer on the STABLE toolchain (no cargo-fuzz, no nightly):
# SanitizerCoverage is enabled through stable -C flags; `--target` keeps them off build scripts.
#
#   scripts/fuzz.sh TARGET [SECONDS]     # default 60 s; corpus in fuzz/corpus/TARGET (not committed)
#   scripts/fuzz.sh --list               # the targets
#
# A crash is written to fuzz/artifacts/TARGET/ and the script exits non-zero: turn it into a named
# regression test in the crate that owns the parser.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
if [ "${1:-}" = "--list" ]; then
  grep -A1 '^\[\[bin\]\]' Cargo.toml | sed -n 's/^name = "\(.*\)"/\1/p'
  exit 0
fi
target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS]}
secs=${2:-60}
triple=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$PWD/target}
cargo build --release --target "$triple" --bin "$target"
mkdir -p "corpus/$target" "artifacts/$target"
"$CARGO_TARGET_DIR/$triple/release/$target" "corpus/$target" \
  -artifact_prefix="artifacts/$target/" -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1
