#!/usr/bin/env bash
# Sets up, builds and runs the main job on a fresh machine: with no reader, against the built-in
# simulated passport.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The built-in simulated passport: MRZ scanned, chip read with PACE, passive authentication against
# the fixture CSCA, Chip and Active Authentication, the face match against the holder's selfie, and the
# approved MitID enrolment record on standard output. `--demo clone|tampered|impostor` show the
# three main rejections.
cargo run --release --locked -p epassport-cli --all-features -- enrol --demo "$@"
