#!/usr/bin/env bash
# Runs the benchmarks (builds them first). Figures go to stdout as JSON lines
# and tables; bench/README.md records a run with the machine it ran on.
#   bench/run.sh [district|state|nation]...   (default: district state)
# and then the whole system (bench/district.sh) at district and state scale, and
# the policies against the hindsight bound (bench/policies.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/lib.sh"
"$ROOT/deploy/local/install-deps.sh"
configure_and_build ankommen-placement-bench ankommen-store-bench ankommen-api-bench ankommen-events-bench \
  ankommen-duplicates-bench ankommen-waiting-bench
scales=("$@")
[[ ${#scales[@]} -gt 0 ]] || scales=(district state)
for scale in "${scales[@]}"; do
  say "placement, $scale scale"
  "$BUILD_DIR/bench/ankommen-placement-bench" --scale "$scale"
done
say "the API: RegisterHousehold beside a bare gRPC echo server"
"$BUILD_DIR/bench/ankommen-api-bench"
say "events: registry events applied by the course service beside raw JetStream"
"$BUILD_DIR/bench/ankommen-events-bench"
say "the store: the atomic commit beside a plain SET"
"$BUILD_DIR/bench/ankommen-store-bench"
say "duplicate detection: a registration against 100,000 persons beside scoring every person"
"$BUILD_DIR/bench/ankommen-duplicates-bench"
say "place in line: the line index beside the whole waiting view, 100,000 waiting"
"$BUILD_DIR/bench/ankommen-waiting-bench"
say "the whole system: a simulated half-year"
"$ROOT/bench/district.sh"
say "what a district buys: fcfs and the engine against the hindsight bound, two districts, five seeds"
"$ROOT/bench/policies.sh"
