#!/usr/bin/env bash
# The whole system at work: the simulated half-year of deploy/local/run.sh at
# district and at state scale. Prints one JSON line per scale — wall time of
# the simulation, events the services published (courses, schools, housing)
# and per second, each service's peak resident memory — beside the targets
# (state scale under 10 minutes, each service under 100 MB at district scale).
#   bench/district.sh [district|state]...   (default: district state)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/lib.sh"
scales=("$@")
[[ ${#scales[@]} -gt 0 ]] || scales=(district state)
for scale in "${scales[@]}"; do
  "$ROOT/deploy/local/run.sh" --scale "$scale" --weeks 26 --keep-running >"$VAR_DIR/bench-$scale.log" 2>&1 \
    || { tail -20 "$VAR_DIR/bench-$scale.log"; "$ROOT/deploy/local/stop.sh" >/dev/null; exit 1; }
  report="$VAR_DIR/reports/report-meissen-optimal-seed1-$scale-26w.json"
  memory=""
  for service in registry courses schools housing notifications; do
    kb=$(awk '/^VmHWM/ { print $2 }' "/proc/$(cat "$RUN_DIR/$service.pid")/status")
    memory+="\"${service}_max_rss_mb\": $((kb / 1024)), "
  done
  "$ROOT/deploy/local/stop.sh" >/dev/null
  python3 - "$report" "$scale" "$memory" "$(nproc)" <<'PY'
import json, sys
report, scale, memory, cores = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], int(sys.argv[4])
line = json.loads("{" + sys.argv[3] + f'"case": "simulated_half_year_{scale}"' + "}")
line.update({"households": report["households_registered"], "persons": report["persons_registered"],
             "seconds": report["seconds"], "events": report["events"],
             "events_per_second": round(report["events"] / report["seconds"], 1),
             "reconciled": report["reconciled"], "target_seconds": 600 if scale == "state" else None,
             "target_max_rss_mb": 100, "cores": cores})
print(json.dumps(line))
mb = " / ".join(str(line[f"{s}_max_rss_mb"]) for s in ["registry", "courses", "schools", "housing", "notifications"])
print(f"{scale}: {line['households']} households in {line['seconds']} s"
      + (f" (target 600 s)" if scale == "state" else "")
      + f", {line['events_per_second']} events/s, peak MB {mb} (target 100 each), reconciled: {line['reconciled']}")
PY
done
