#!/usr/bin/env bash
# Sets up and runs ankommen on this machine: installs what is missing, builds,
# starts nats-server and redis-server on loopback, starts the services, and
# shows the registry at work with a sample household. Stops exactly what it
# started, unless --keep-running.
#
#   deploy/local/run.sh [--keep-running]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEEP_RUNNING=0
for arg in "$@"; do
  case $arg in
    --keep-running) KEEP_RUNNING=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

say "Installing Debian packages (if missing)"
"$ROOT/deploy/local/install-deps.sh"
say "Building"
configure_and_build ankommen-registry ankommenctl

stop_all  # what an earlier --keep-running left
if [[ $KEEP_RUNNING -eq 0 ]]; then trap stop_all EXIT; fi

NATS_PORT=$(free_port "${ANKOMMEN_NATS_PORT:-14222}")
REDIS_PORT=$(free_port "${ANKOMMEN_REDIS_PORT:-16379}")
REGISTRY_PORT=$(free_port 50051)
REGISTRY_METRICS_PORT=$(free_port 9101)

say "Starting nats-server (JetStream) on 127.0.0.1:$NATS_PORT and redis-server on 127.0.0.1:$REDIS_PORT"
start_nats "$NATS_PORT"
start_redis "$REDIS_PORT"

export ANKOMMEN_NATS_URL="nats://127.0.0.1:$NATS_PORT"
export ANKOMMEN_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
CTL="$BUILD_DIR/tools/ankommenctl/ankommenctl"

say "Starting the registry on 127.0.0.1:$REGISTRY_PORT (metrics on :$REGISTRY_METRICS_PORT)"
ANKOMMEN_GRPC_ADDR="127.0.0.1:$REGISTRY_PORT" ANKOMMEN_METRICS_ADDR="127.0.0.1:$REGISTRY_METRICS_PORT" \
  start_process registry "$LOG_DIR/registry.log" "$BUILD_DIR/services/registry/ankommen-registry"
export ANKOMMEN_REGISTRY_ADDR="127.0.0.1:$REGISTRY_PORT"
wait_until 30 "the registry to be SERVING" "$CTL" health --addr "$ANKOMMEN_REGISTRY_ADDR" \
  --service ankommen.registry.v1.RegistryService

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
echo "$households household(s) registered in Riesa (state persists in var/ between runs)"
sleep 0.5
say "Metrics (http://127.0.0.1:$REGISTRY_METRICS_PORT/metrics)"
curl -s "http://127.0.0.1:$REGISTRY_METRICS_PORT/metrics" | grep -E '^ankommen_(grpc_requests_total|events_published_total|outbox_pending_events)'

if [[ $KEEP_RUNNING -eq 1 ]]; then
  say "Left running. Logs in $LOG_DIR; stop with deploy/local/stop.sh"
  echo "ANKOMMEN_REGISTRY_ADDR=$ANKOMMEN_REGISTRY_ADDR ANKOMMEN_NATS_URL=$ANKOMMEN_NATS_URL ANKOMMEN_REDIS_URL=$ANKOMMEN_REDIS_URL"
else
  say "Stopping what was started"
fi
