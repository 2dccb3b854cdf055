#!/usr/bin/env bash
# Runs the benchmarks (builds them first). Figures go to stdout as JSON lines
# and tables; bench/README.md records a run with the machine it ran on.
#   bench/run.sh [district|state|nation]...   (default: district state)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/lib.sh"
"$ROOT/deploy/local/install-deps.sh"
configure_and_build ankommen-placement-bench
scales=("$@")
[[ ${#scales[@]} -gt 0 ]] || scales=(district state)
for scale in "${scales[@]}"; do
  say "placement, $scale scale"
  "$BUILD_DIR/bench/ankommen-placement-bench" --scale "$scale"
done
