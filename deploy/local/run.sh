#!/usr/bin/env bash
# Sets up and runs a whole district on this machine: installs what is missing
# (Debian packages), builds, checks the district's tables, starts nats-server
# and redis-server on loopback and the six services on a simulated clock with
# the district's settings, imports its schools, Kitas and accommodations,
# simulates half a year of arrivals with ankommen-sim, prints the report, and
# stops exactly what it started.
#
#   deploy/local/run.sh [--district DIR] [--scenario FILE] [--weeks 26] [--seed 1]
#                       [--scale district|state] [--policy optimal|fcfs|both] [--keep-running]
#
# --district is a directory of tables (docs/district-format.md); the default is
# Landkreis Meißen (deploy/sample/meissen), deploy/sample/kaiserslautern is the
# other bundled one. A district with a problem stops the run before anything is
# started or written (exit status 2), each problem named by file, line and field.
# --scenario runs the district and the district as the scenario changes it
# (tools/ankommen-sim/scenario.h; e.g. deploy/sample/meissen/scenarios/) on the
# same seed and policy, and shows them side by side.
# --policy both runs fcfs and then optimal on the same seed and shows them side
# by side. Reports (JSON, an SVG chart of waiting over the weeks, and the
# council's report on the period as PDF, JSON and CSV) are written to var/reports. A simulation starts from an empty district: it
# replaces the NATS and Redis data under var/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WEEKS=26 SEED=1 SCALE=district POLICY=optimal KEEP_RUNNING=0 DISTRICT="$ROOT/deploy/sample/meissen" SCENARIO=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --district) DISTRICT=$(cd "$2" 2>/dev/null && pwd) || { echo "--district: no directory $2" >&2; exit 2; }; shift ;;
    --scenario) SCENARIO=$(realpath -e "$2" 2>/dev/null) || { echo "--scenario: no file $2" >&2; exit 2; }; shift ;;
    --weeks) WEEKS=$2; shift ;;
    --seed) SEED=$2; shift ;;
    --scale) SCALE=$2; shift ;;
    --policy) POLICY=$2; shift ;;
    --keep-running) KEEP_RUNNING=1 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $WEEKS =~ ^[0-9]+$ && $SEED =~ ^[0-9]+$ ]] || { echo "--weeks and --seed take whole numbers" >&2; exit 2; }
[[ $SCALE == district || $SCALE == state ]] || { echo "--scale is district or state" >&2; exit 2; }
case $POLICY in optimal|fcfs) POLICIES=$POLICY ;; both) POLICIES="fcfs optimal" ;;
  *) echo "--policy is optimal, fcfs or both" >&2; exit 2 ;; esac
[[ -z $SCENARIO || $POLICY != both ]] || { echo "--scenario compares with one policy: optimal or fcfs" >&2; exit 2; }

say "Installing Debian packages (if missing)"
"$ROOT/deploy/local/install-deps.sh"
say "Building"
configure_and_build ankommen-registry ankommen-courses ankommen-schools ankommen-housing ankommen-notifications ankommen-mediators \
  ankommen-casework ankommen-indicators \
  ankommenctl ankommen-sim

CTL="$BUILD_DIR/tools/ankommenctl/ankommenctl"
SIM="$BUILD_DIR/tools/ankommen-sim/ankommen-sim"
say "Checking the district in $DISTRICT"
"$SIM" check --district "$DISTRICT" || exit 2
DISTRICTS=("$DISTRICT")
if [[ -n $SCENARIO ]]; then
  # The scenario's district beside the base, under var/ (replaced on every run).
  changed="$VAR_DIR/scenarios/$(basename "$DISTRICT")+$(basename "$SCENARIO" .csv)"
  rm -rf "$changed"
  say "Applying the scenario $SCENARIO"
  "$SIM" scenario --district "$DISTRICT" --scenario "$SCENARIO" --out "$changed" || exit 2
  DISTRICTS+=("$changed")
fi

stop_all  # what an earlier --keep-running left
if [[ $KEEP_RUNNING -eq 0 ]]; then trap stop_all EXIT; fi
REPORTS="$VAR_DIR/reports"
mkdir -p "$REPORTS"

report_of() {  # policy district_dir
  echo "$REPORTS/report-$(basename "$2")-$1-seed$SEED-$SCALE-${WEEKS}w"
}

district_env=()
simulate() {  # policy district_dir
  local policy=$1 dir=$2 report line
  report=$(report_of "$1" "$2")
  stop_all
  rm -rf "$VAR_DIR/nats" "$VAR_DIR/redis" "$VAR_DIR/letters"
  # The services' settings the district implies (housing standard, social
  # workers per area, travel limits, the teams told of capacity gaps), in
  # place of the previous district's.
  for line in "${district_env[@]}"; do unset "${line%%=*}"; done
  district_env=()
  while IFS= read -r line; do district_env+=("$line"); done < <("$SIM" env --district "$dir" --scale "$SCALE")
  # The simulator moves the clock; the services place by the policy asked for.
  # Capacity gaps go to each area's social-work team (printed, like every message here).
  export ANKOMMEN_CLOCK=simulated ANKOMMEN_COURSES_POLICY=$policy ANKOMMEN_SCHOOLS_POLICY=$policy \
    ANKOMMEN_HOUSING_POLICY=$policy "${district_env[@]}"
  # The dashboard's indicators against the district's own targets, if it sets any.
  if [[ -f $dir/targets.csv ]]; then export ANKOMMEN_INDICATORS_TARGETS="$dir/targets.csv"; else unset ANKOMMEN_INDICATORS_TARGETS; fi
  start_district

  say "Importing the district's DaZ schools, Kitas and accommodations"
  "$CTL" import schools "$dir/schools.csv"
  "$CTL" import kitas "$dir/kitas.csv"
  "$CTL" import accommodations "$dir/accommodations.csv"

  say "Simulating $WEEKS weeks of $(basename "$dir") (seed $SEED, $SCALE scale, policy $policy)"
  local proposal="$REPORTS/proposal-$(basename "$dir")-$policy-seed$SEED-$SCALE-${WEEKS}w.csv"
  rm -f "$proposal"
  "$SIM" run --district "$dir" --weeks "$WEEKS" --seed "$SEED" --scale "$SCALE" --policy "$policy" \
    --json "$report.json" --svg "$report.svg" --proposal "$proposal" --council-report "$report-council" \
    --letters "$VAR_DIR/letters"
  echo "report: $report.json, chart: $report.svg, the council's report: $report-council/"
  if [[ -s $proposal ]]; then
    echo "the planning gaps' proposed course series, as a scenario: $proposal"
    echo "  to see what they change: deploy/local/run.sh --district $dir --scenario $proposal --policy $policy"
  fi
}

for dir in "${DISTRICTS[@]}"; do
  for policy in $POLICIES; do simulate "$policy" "$dir"; done
done

if [[ $POLICY == both ]]; then
  say "fcfs and optimal on seed $SEED, side by side"
  both="$REPORTS/compare-$(basename "$DISTRICT")-seed$SEED-$SCALE-${WEEKS}w.svg"
  "$SIM" compare "$(report_of fcfs "$DISTRICT").json" "$(report_of optimal "$DISTRICT").json" --svg "$both"
  echo "chart of both policies and the hindsight bound: $both"
elif [[ -n $SCENARIO ]]; then
  say "The district and the scenario on seed $SEED, side by side"
  both="$REPORTS/compare-$(basename "${DISTRICTS[1]}")-seed$SEED-$SCALE-${WEEKS}w.svg"
  "$SIM" compare "$(report_of "$POLICY" "$DISTRICT").json" "$(report_of "$POLICY" "${DISTRICTS[1]}").json" --svg "$both"
  echo "chart of both and the district's hindsight bound: $both"
fi

if [[ $KEEP_RUNNING -eq 1 ]]; then
  say "Left running. Logs in $LOG_DIR; metrics on :$REGISTRY_METRICS :$COURSES_METRICS :$SCHOOLS_METRICS :$HOUSING_METRICS :$NOTIFICATIONS_METRICS :$MEDIATORS_METRICS :$CASEWORK_METRICS, the indicators :$INDICATORS_METRICS; stop with deploy/local/stop.sh"
  echo "ANKOMMEN_REGISTRY_ADDR=$ANKOMMEN_REGISTRY_ADDR ANKOMMEN_COURSES_ADDR=$ANKOMMEN_COURSES_ADDR ANKOMMEN_SCHOOLS_ADDR=$ANKOMMEN_SCHOOLS_ADDR ANKOMMEN_HOUSING_ADDR=$ANKOMMEN_HOUSING_ADDR ANKOMMEN_NOTIFICATIONS_ADDR=$ANKOMMEN_NOTIFICATIONS_ADDR ANKOMMEN_MEDIATORS_ADDR=$ANKOMMEN_MEDIATORS_ADDR ANKOMMEN_CASEWORK_ADDR=$ANKOMMEN_CASEWORK_ADDR ANKOMMEN_NATS_URL=$ANKOMMEN_NATS_URL ANKOMMEN_REDIS_URL=$ANKOMMEN_REDIS_URL"
else
  say "Stopping what was started"
fi
