#!/usr/bin/env bash
# One household's way through the district, step by step, on the real clock
# (deploy/local/run.sh simulates the whole district): installs what is
# missing, builds, starts nats-server, redis-server and the services, and
# shows them at work with a sample household: registered, on the waiting list
# of the course it is entitled to, offered a seat, enrolled; its children
# placed in a Kita and a DaZ class near home from the district's school table;
# the household offered a flat that meets the standard, confirmed, moved in;
# and the messages that reached the mother, in Arabic.
# Starts from an empty district; stops exactly what it started, unless --keep-running.
#
#   deploy/local/walkthrough.sh [--keep-running]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEEP_RUNNING=0
for arg in "$@"; do
  case $arg in
    --keep-running) KEEP_RUNNING=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

say "Installing Debian packages (if missing)"
"$ROOT/deploy/local/install-deps.sh"
say "Building"
configure_and_build ankommen-registry ankommen-courses ankommen-schools ankommen-housing ankommen-notifications ankommen-mediators \
  ankommen-casework ankommen-indicators \
  ankommenctl

stop_all  # what an earlier --keep-running left
if [[ $KEEP_RUNNING -eq 0 ]]; then trap stop_all EXIT; fi

# An empty district, like run.sh's: it replaces the NATS and Redis data under var/.
rm -rf "$VAR_DIR/nats" "$VAR_DIR/redis" "$VAR_DIR/letters"
export ANKOMMEN_HOUSING_SOCIAL_WORKERS="Riesa=2,Meißen=3,Radebeul=1"
start_district
CTL="$BUILD_DIR/tools/ankommenctl/ankommenctl"

say "Importing the district's accommodations (deploy/sample/accommodations.csv)"
accommodations=$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1], encoding="utf-8").read()))' \
  "$ROOT/deploy/sample/accommodations.csv")
"$CTL" call housing ImportAccommodations --json "{\"idempotency_key\": \"sample-accommodations-1\", \"csv\": $accommodations}" \
  | grep -E '"(imported|line|reason)"'

say "Importing the district's DaZ school table (deploy/sample/meissen-daz-schools-2017.csv) and a Kita in Riesa"
csv=$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1], encoding="utf-8").read()))' \
  "$ROOT/deploy/sample/meissen-daz-schools-2017.csv")
"$CTL" call schools ImportSchools --json "{\"idempotency_key\": \"sample-import-1\", \"csv\": $csv,
  \"default_municipality_ags\": \"14627000\", \"area_locations\": {
    \"Riesa\": {\"lat\": 51.308, \"lon\": 13.294}, \"Meißen\": {\"lat\": 51.164, \"lon\": 13.477},
    \"Radebeul\": {\"lat\": 51.106, \"lon\": 13.660}, \"Großenhain\": {\"lat\": 51.289, \"lon\": 13.524}}}" \
  | grep -E '"(imported|school_type|pupils|classes|reserve)"'
"$CTL" call schools CreateKita --json '{"idempotency_key": "sample-kita-1", "kita": {"name": "Kita Sonnenschein Riesa",
  "location": {"municipality_ags": "14627230", "social_area": "Riesa", "coordinates": {"lat": 51.31, "lon": 13.29}},
  "places_under_3": 12, "places_3_to_school": 40, "hours_per_day": 9}}' | grep -E '"kita_id"'

say "Registering the sample household (deploy/sample/household.json)"
registered=$("$CTL" registry register --file "$ROOT/deploy/sample/household.json" --idempotency-key sample-household-1)
household_id=$(grep -m1 -o '"household_id": "[^"]*"' <<<"$registered" | cut -d'"' -f4)
echo "registered household $household_id"
say "Reading it back"
"$CTL" registry get-household "$household_id" --purpose "local demo"
say "Retrying the registration with the same idempotency key"
again=$("$CTL" registry register --file "$ROOT/deploy/sample/household.json" --idempotency-key sample-household-1)
again_id=$(grep -m1 -o '"household_id": "[^"]*"' <<<"$again" | cut -d'"' -f4)
[[ $again_id == "$household_id" ]] && echo "same household $again_id: nothing was registered twice"
say "Households in the social area Riesa"
households=$("$CTL" registry list --area Riesa --purpose "local demo" | grep -c '"registered_at"' || true)
echo "$households household(s) registered in Riesa"

# Amina (protection granted, A1, a son not yet at school) is entitled to an
# integration course; the registry's event alone puts her on the waiting list.
person_id=$(grep -m1 -o '"person_id": "[^"]*"' <<<"$registered" | cut -d'"' -f4)
field() { grep -m1 -o "\"$1\": \"[^\"]*\"" | cut -d'"' -f4; }
say "The course service learned of her from the registry's event: her requests"
wait_until 15 "the course service to know $person_id" "$CTL" call courses GetLearner --json "{\"person_id\": \"$person_id\"}"
"$CTL" call courses GetLearner --json "{\"person_id\": \"$person_id\"}"

say "A provider announces a parents' integration course with childcare in Riesa"
provider_id=$("$CTL" call courses CreateProvider \
  --json '{"idempotency_key": "sample-provider-1", "provider": {"name": "VHS Meißen", "bamf_number": "4711"}}' | field provider_id)
course=$("$CTL" call courses CreateCourse --json "{\"idempotency_key\": \"sample-course-1\", \"course\": {
  \"provider_id\": \"$provider_id\", \"title\": \"Elternintegrationskurs Riesa\", \"course_type\": \"COURSE_TYPE_INTEGRATION_PARENTS\",
  \"location\": {\"municipality_ags\": \"14627230\", \"social_area\": \"Riesa\", \"coordinates\": {\"lat\": 51.305, \"lon\": 13.297}},
  \"start_date\": \"2027-02-01\", \"schedule\": \"SCHEDULE_MORNING\", \"seats\": 20, \"childcare_places\": 6, \"target_level\": \"B1\"}}")
course_id=$(field course_id <<<"$course")
echo "course $course_id: 20 seats, 6 childcare places"

say "New seats wake the allocator: she is offered a seat (with a childcare place)"
offered() { "$CTL" call courses GetLearner --json "{\"person_id\": \"$person_id\"}" | grep -qE 'REQUEST_STATUS_(OFFERED|ENROLLED)'; }
wait_until 15 "an offer" offered
learner=$("$CTL" call courses GetLearner --json "{\"person_id\": \"$person_id\"}")
offer_id=$(field offer_id <<<"$learner" || true)
if [[ -n $offer_id ]]; then
  grep -E '"(status|offer_id|deadline)"' <<<"$learner"
  say "She accepts"
  "$CTL" call courses AcceptOffer --json "{\"idempotency_key\": \"sample-accept-1\", \"offer_id\": \"$offer_id\"}" \
    | grep -E '"(status|course_id)"'
else
  echo "already enrolled (state from an earlier run)"
fi
say "The course now"
"$CTL" call courses GetCourse --json "{\"course_id\": \"$course_id\"}" | grep -E '"(seats|childcare_places|enrolled|offered|free_seats|childcare_in_use)"'

say "Her children: Yusuf (5) in a Kita, Lina (9) in a Grundschule's DaZ class near home — proposed, then confirmed by the schools office"
child_ids=$(grep -o '"person_id": "[^"]*"' <<<"$registered" | cut -d'"' -f4 | tail -n +2)
for child in $child_ids; do
  has_place() { "$CTL" call schools GetChild --json "{\"person_id\": \"$1\"}" | grep -qE 'CHILD_STATUS_(PROPOSED|PLACED)'; }
  wait_until 15 "a place for $child" has_place "$child"
done
"$CTL" proposals --area Riesa
for child in $child_ids; do
  if "$CTL" call schools GetChild --json "{\"person_id\": \"$child\"}" | grep -q CHILD_STATUS_PROPOSED; then
    "$CTL" decide confirm "$child"
  fi
  "$CTL" call schools GetChild --json "{\"person_id\": \"$child\"}" \
    | grep -E '"(age_years|school_type|age_group|place_id|phase|km|status)"' | tr -s ' ' | paste -sd' '
done
say "DaZ seats and Kita places in Riesa"
"$CTL" call schools GetCapacity --json '{"social_area": "Riesa"}' | python3 -c '
import json, sys
for row in json.load(sys.stdin).get("areas", []):
    kind = row.get("school_type") or row.get("age_group")
    print("%-24s seats %4d  used %4d  free %4d  waiting %d" % (kind, row.get("seats", 0), row.get("used", 0),
                                                               row.get("free", 0), row.get("waiting", 0)))'

say "Housing: the household of three is offered a flat (flats first, 7 m² per person), the authority confirms"
household_housing() { "$CTL" call housing GetHousehold --json "{\"household_id\": \"$household_id\"}"; }
housing_offered() { household_housing | grep -qE 'HOUSEHOLD_STATUS_(OFFERED|HOUSED)'; }
wait_until 15 "a housing offer" housing_offered
housing=$(household_housing)
grep -E '"(status|accommodation_id|reason)"' <<<"$housing"
housing_offer=$(field offer_id <<<"$housing" || true)
if grep -q HOUSEHOLD_STATUS_OFFERED <<<"$housing"; then
  "$CTL" call housing ConfirmPlacement --json "{\"idempotency_key\": \"sample-confirm-1\", \"offer_id\": \"$housing_offer\"}" \
    | grep -E '"(status|reason)"'
fi
say "Housing figures in Riesa"
"$CTL" call housing GetFigures --json '{"social_area": "Riesa"}' | grep -E '"(beds|beds_used|persons_housed|share_in_flats|square_metres_per_person|persons_per_social_worker)"'

say "The messages to the household, in Arabic (printed letters in $VAR_DIR/letters)"
messages_out() { "$CTL" call notifications GetMessages --json "{\"person_id\": \"$person_id\"}" | grep -c MESSAGE_STATUS_DELIVERED; }
three_messages() { [[ $(messages_out) -ge 3 ]]; }
wait_until 20 "three messages delivered" three_messages || true
"$CTL" call notifications GetMessages --json "{\"person_id\": \"$person_id\"}" | python3 -c '
import json, sys
for m in json.load(sys.stdin).get("messages", []):
    print("%-16s %-3s %-8s %s" % (m["kind"], m.get("language", ""), m.get("channel", ""), m["status"]))'
letter=$(grep -l "مقعد" "$VAR_DIR"/letters/*.txt 2>/dev/null | head -1 || true)
if [[ -n $letter ]]; then echo "--- $letter"; sed -n '3,8p' "$letter"; fi

sleep 0.5
say "Metrics (http://127.0.0.1:$REGISTRY_METRICS/metrics, :$COURSES_METRICS, :$SCHOOLS_METRICS, :$HOUSING_METRICS, :$NOTIFICATIONS_METRICS)"
curl -s "http://127.0.0.1:$REGISTRY_METRICS/metrics" | grep -E '^ankommen_(grpc_requests_total|events_published_total|outbox_pending_events)'
curl -s "http://127.0.0.1:$COURSES_METRICS/metrics" | grep -E '^ankommen_course_(seats|childcare_places|offers_total|waitlist_size)'
curl -s "http://127.0.0.1:$SCHOOLS_METRICS/metrics" | grep -E '^ankommen_(school_children_waiting|kita_places)' | grep Riesa
curl -s "http://127.0.0.1:$HOUSING_METRICS/metrics" | grep -E '^ankommen_housing_(beds|households_waiting|persons_per_social_worker)' | grep Riesa
curl -s "http://127.0.0.1:$NOTIFICATIONS_METRICS/metrics" | grep -E '^ankommen_notifications_total'

if [[ $KEEP_RUNNING -eq 1 ]]; then
  say "Left running. Logs in $LOG_DIR; stop with deploy/local/stop.sh"
  echo "ANKOMMEN_REGISTRY_ADDR=$ANKOMMEN_REGISTRY_ADDR ANKOMMEN_COURSES_ADDR=$ANKOMMEN_COURSES_ADDR ANKOMMEN_SCHOOLS_ADDR=$ANKOMMEN_SCHOOLS_ADDR ANKOMMEN_HOUSING_ADDR=$ANKOMMEN_HOUSING_ADDR ANKOMMEN_NOTIFICATIONS_ADDR=$ANKOMMEN_NOTIFICATIONS_ADDR ANKOMMEN_MEDIATORS_ADDR=$ANKOMMEN_MEDIATORS_ADDR ANKOMMEN_NATS_URL=$ANKOMMEN_NATS_URL ANKOMMEN_REDIS_URL=$ANKOMMEN_REDIS_URL"
else
  say "Stopping what was started"
fi
