#!/usr/bin/env bash
# Sets up and runs every test: installs what is missing, builds from scratch
# (or incrementally), and runs ctest. Integration and e2e tests start their own
# nats-server and redis-server on free loopback ports.
#
#   deploy/local/test.sh [-L unit|integration|e2e|security|fault|fuzz|bench] [other ctest arguments]
# Without arguments it also runs fuzz/run.sh briefly.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "Installing Debian packages (if missing)"
"$ROOT/deploy/local/install-deps.sh" --tests
say "Building"
configure_and_build
say "Testing"
(cd "$BUILD_DIR" && ctest --output-on-failure --parallel "$(nproc)" --timeout 300 "$@")
# The whole suite also fuzzes each target briefly with libFuzzer (clang,
# sanitizers; fuzz/run.sh). ANKOMMEN_FUZZ_SECONDS=0 leaves it out.
fuzz_seconds=${ANKOMMEN_FUZZ_SECONDS:-10}
if [[ $# -eq 0 && $fuzz_seconds -gt 0 ]]; then
  say "Fuzzing request validation, table imports and event decoding (${fuzz_seconds}s per target)"
  "$ROOT/fuzz/run.sh" "$fuzz_seconds"
fi
