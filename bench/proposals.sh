#!/usr/bin/env bash
# What the planning gaps' proposal changes: each bundled district is run on
# one seed under the engine's policy, which writes its planning gaps'
# proposed course series as a scenario (ankommen-sim run --proposal); the
# district and the district with the proposal are then run side by side on
# other seeds, held out, so the proposal is judged on arrivals it was not made
# from. Prints one JSON line per district × seed, then the medians beside the
# target of issue 19 (p90 from request to course start at least 30 % lower,
# with at most 10 % more course seats).
#   bench/proposals.sh [--weeks 26] [--from-seed 1] [--seeds "2 3 4"] [DISTRICT_DIR...]
#   (default: deploy/sample/meissen deploy/sample/kaiserslautern; about 15 minutes on 2 cores)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/lib.sh"
WEEKS=26 FROM_SEED=1 SEEDS="2 3 4"
districts=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --weeks) WEEKS=$2; shift ;;
    --from-seed) FROM_SEED=$2; shift ;;
    --seeds) SEEDS=$2; shift ;;
    *) districts+=("$(cd "$1" && pwd)") ;;
  esac
  shift
done
[[ ${#districts[@]} -gt 0 ]] || districts=("$ROOT/deploy/sample/meissen" "$ROOT/deploy/sample/kaiserslautern")
# A var directory of its own, so that a district left running elsewhere is not touched.
export ANKOMMEN_VAR_DIR="$VAR_DIR/bench-proposals"
lines="$ANKOMMEN_VAR_DIR/proposals.jsonl"
mkdir -p "$ANKOMMEN_VAR_DIR"
: >"$lines"
reports="$ANKOMMEN_VAR_DIR/reports"
for district in "${districts[@]}"; do
  name=$(basename "$district")
  log="$ANKOMMEN_VAR_DIR/$name-seed$FROM_SEED.log"
  "$ROOT/deploy/local/run.sh" --district "$district" --seed "$FROM_SEED" --weeks "$WEEKS" --policy optimal >"$log" 2>&1 \
    || { tail -20 "$log"; exit 1; }
  proposal="$ANKOMMEN_VAR_DIR/proposal-$name.csv"
  made="$reports/proposal-$name-optimal-seed$FROM_SEED-district-${WEEKS}w.csv"
  if [[ ! -s $made ]]; then
    echo "{\"case\": \"proposal\", \"district\": \"$name\", \"proposal\": null}" | tee -a "$lines"
    continue
  fi
  cp "$made" "$proposal"
  sed 's/^/  /' "$proposal"
  for seed in $SEEDS; do
    log="$ANKOMMEN_VAR_DIR/$name-seed$seed.log"
    "$ROOT/deploy/local/run.sh" --district "$district" --scenario "$proposal" --seed "$seed" --weeks "$WEEKS" \
      --policy optimal >"$log" 2>&1 || { tail -20 "$log"; exit 1; }
    python3 - "$reports/report-$name-optimal-seed$seed-district-${WEEKS}w.json" \
      "$reports/report-$name+proposal-$name-optimal-seed$seed-district-${WEEKS}w.json" "$FROM_SEED" >>"$lines" <<'PY'
import json, sys
base, changed = (json.load(open(p)) for p in sys.argv[1:3])
def waiting(r): return sum(c["waiting"] for c in r["courses"])
print(json.dumps({
    "case": "proposal", "district": base["district"], "proposal_from_seed": int(sys.argv[3]), "seed": base["seed"],
    "seats": base["course_seats_planned"], "seats_with_proposal": changed["course_seats_planned"],
    "seats_ratio": round(changed["course_seats_planned"] / base["course_seats_planned"], 3),
    "p90": base["course_access_wait"]["p90_days"], "p90_with_proposal": changed["course_access_wait"]["p90_days"],
    "p90_ratio": round(changed["course_access_wait"]["p90_days"] / base["course_access_wait"]["p90_days"], 3)
                 if base["course_access_wait"]["p90_days"] else None,
    "enrolled": base["period"]["policy"]["enrolled"], "enrolled_with_proposal": changed["period"]["policy"]["enrolled"],
    "waiting_at_end": waiting(base), "waiting_at_end_with_proposal": waiting(changed),
    "person_days_waited": base["period"]["policy"]["person_days_waited"],
    "person_days_waited_with_proposal": changed["period"]["policy"]["person_days_waited"]}, ensure_ascii=False))
PY
    tail -n 1 "$lines"
  done
done
python3 - "$lines" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if '"seed"' in l]
print(f"\n{'district':26} {'seats ×':>8} {'p90':>5} {'→':>3} {'p90 ×':>6} {'enrolled':>9} {'→':>5} "
      f"{'waiting at end':>15} {'→':>5}   (medians over the held-out seeds)")
for d in dict.fromkeys(r["district"] for r in rows):
    rs = [r for r in rows if r["district"] == d]
    m = lambda k: statistics.median(r[k] for r in rs)
    print(f"{d:26} {m('seats_ratio'):8.3f} {m('p90'):5.0f} {m('p90_with_proposal'):3.0f} {m('p90_ratio'):6.2f} "
          f"{m('enrolled'):9.0f} {m('enrolled_with_proposal'):5.0f} {m('waiting_at_end'):15.0f} "
          f"{m('waiting_at_end_with_proposal'):5.0f}")
print("target: p90 × ≤ 0.70 with seats × ≤ 1.10")
PY
