#!/usr/bin/env bash
# The whole system at work: the simulated half-year of deploy/local/run.sh at
# district and at state scale. Prints one JSON line per scale — wall time of
# the simulation, events the services published (courses, schools, housing)
# and per second, each service's peak resident memory — beside the targets
# (state scale under 10 minutes, each service under 100 MB at district scale);
# and what Redis holds and did at the end (the capacity plan in
# docs/operations.md is made from it): its dataset's bytes and keys per
# household and per person, by service, and the commands it ran per household
# and per event.
#   bench/district.sh [district|state]...   (default: district state)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/lib.sh"
scales=("$@")
[[ ${#scales[@]} -gt 0 ]] || scales=(district state)
mkdir -p "$VAR_DIR"
for scale in "${scales[@]}"; do
  "$ROOT/deploy/local/run.sh" --scale "$scale" --weeks 26 --keep-running >"$VAR_DIR/bench-$scale.log" 2>&1 \
    || { tail -20 "$VAR_DIR/bench-$scale.log"; "$ROOT/deploy/local/stop.sh" >/dev/null; exit 1; }
  report="$VAR_DIR/reports/report-meissen-optimal-seed1-$scale-26w.json"
  memory=""
  for service in registry courses schools housing notifications; do
    kb=$(awk '/^VmHWM/ { print $2 }' "/proc/$(cat "$RUN_DIR/$service.pid")/status")
    memory+="\"${service}_max_rss_mb\": $((kb / 1024)), "
  done
  # Redis at the end of the half-year: memory, commands, keys and their bytes by service.
  redis_port=$(tr '\0' ' ' <"/proc/$(cat "$RUN_DIR/redis.pid")/cmdline" | grep -oE '(--port |:)[0-9]+' | grep -oE '[0-9]+' | head -1)
  redis_info="$VAR_DIR/bench-$scale-redis.txt"
  {
    redis-cli -p "$redis_port" info memory
    redis-cli -p "$redis_port" info stats
    redis-cli -p "$redis_port" --scan | awk -F: '{ print "MEMORY_KEY " $2 }' | sort | uniq -c
    for service in registry courses schools housing notifications; do
      echo "MEMORY_BYTES $service $(redis-cli -p "$redis_port" --scan --pattern "ankommen:$service:*" \
        | sed 's/^/MEMORY USAGE "/; s/$/" SAMPLES 0/' | redis-cli -p "$redis_port" | awk '{ s += $1 } END { print s + 0 }')"
    done
  } >"$redis_info"
  "$ROOT/deploy/local/stop.sh" >/dev/null
  python3 - "$report" "$scale" "$memory" "$(nproc)" "$redis_info" <<'PY'
import json, sys
report, scale, memory, cores = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], int(sys.argv[4])
line = json.loads("{" + sys.argv[3] + f'"case": "simulated_half_year_{scale}"' + "}")
info, keys, by_service = {}, {}, {}
for raw in open(sys.argv[5], encoding="utf-8", errors="replace"):
    raw = raw.strip()
    if raw.startswith("MEMORY_BYTES "):
        _, service, total = raw.split()
        by_service[service] = int(total)
    elif " MEMORY_KEY " in f" {raw}":
        count, _, service = raw.split(maxsplit=2)
        keys[service] = int(count)
    elif ":" in raw and not raw.startswith("#"):
        k, v = raw.split(":", 1)
        info[k] = v
households, persons = report["households_registered"], report["persons_registered"]
dataset = int(info["used_memory_dataset"])
line.update({"redis_used_memory_mb": round(int(info["used_memory"]) / 2**20, 1),
             "redis_dataset_mb": round(dataset / 2**20, 1),
             "redis_dataset_bytes_per_household": round(dataset / households),
             "redis_dataset_bytes_per_person": round(dataset / persons),
             "redis_bytes_per_household_by_service": {s: round(b / households) for s, b in by_service.items()},
             "redis_keys_by_service": keys,
             "redis_commands": int(info["total_commands_processed"]),
             "redis_commands_per_household": round(int(info["total_commands_processed"]) / households),
             "redis_commands_per_event": round(int(info["total_commands_processed"]) / max(1, report["events"]), 1)})
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
print(f"  redis: {line['redis_dataset_mb']} MB of data ({line['redis_dataset_bytes_per_household']} bytes a household, "
      f"{line['redis_dataset_bytes_per_person']} a person; by service "
      + ", ".join(f"{s} {b}" for s, b in line["redis_bytes_per_household_by_service"].items())
      + f"), {line['redis_commands_per_household']} commands a household, {line['redis_commands_per_event']} an event")
PY
done
