#!/usr/bin/env bash
# Backs up the running district (run.sh --keep-running, or any servers named
# by ANKOMMEN_NATS_URL and ANKOMMEN_REDIS_URL) while it runs, into DIR
# (default var/backups/<time>). Three steps, in this order
# (docs/operations.md, "Back up and restore"):
#   1. where each durable consumer stands (ankommenctl backup consumers);
#   2. Redis, as one RDB file (redis-cli --rdb: the server forks, nothing stops);
#   3. every JetStream stream (ankommenctl backup streams).
# The recovery point is step 2: what was committed after it is not in the
# backup. Restore with deploy/local/restore.sh DIR.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="${1:-$VAR_DIR/backups/$(date -u +%Y%m%dT%H%M%SZ)}"
CTL="${ANKOMMEN_CTL:-$BUILD_DIR/tools/ankommenctl/ankommenctl}"
if [[ -z ${ANKOMMEN_NATS_URL:-} && -f $RUN_DIR/servers.env ]]; then
  set -a
  source "$RUN_DIR/servers.env"
  set +a
fi
: "${ANKOMMEN_NATS_URL:?no district running (run.sh --keep-running), and ANKOMMEN_NATS_URL not set}"
: "${ANKOMMEN_REDIS_URL:?ANKOMMEN_REDIS_URL not set}"
export ANKOMMEN_NATS_URL ANKOMMEN_REDIS_URL
[[ -x $CTL ]] || { echo "error: $CTL not built (cmake --build build --target ankommenctl)" >&2; exit 2; }

# redis://[user:password@]host:port[/db] → redis-cli's arguments.
if [[ ! $ANKOMMEN_REDIS_URL =~ ^redis://(([^:@]*):([^@]*)@)?([^:/]+):([0-9]+) ]]; then
  echo "error: ANKOMMEN_REDIS_URL is not redis://host:port" >&2
  exit 2
fi
REDIS_ARGS=(-h "${BASH_REMATCH[4]}" -p "${BASH_REMATCH[5]}")
[[ -n ${BASH_REMATCH[2]} ]] && REDIS_ARGS+=(--user "${BASH_REMATCH[2]}")
[[ -n ${BASH_REMATCH[3]} ]] && export REDISCLI_AUTH="${BASH_REMATCH[3]}"

mkdir -p "$DIR"
say "Backing up into $DIR"
"$CTL" backup consumers "$DIR"
redis-cli "${REDIS_ARGS[@]}" --rdb "$DIR/redis.rdb" >/dev/null
echo "redis: $(stat -c %s "$DIR/redis.rdb") bytes in $DIR/redis.rdb (the recovery point)"
"$CTL" backup streams "$DIR"
echo "backup complete: $DIR"
