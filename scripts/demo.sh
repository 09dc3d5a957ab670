#!/usr/bin/env bash
# Sets up, builds and runs the main job on a fresh machine: with no reader, against the built-in
# simulated passport.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo run --release --locked -p epassport-cli --all-features -- mrz fixtures/mrz/td3-specimen.txt
