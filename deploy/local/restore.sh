#!/usr/bin/env bash
# Restores the local district from a backup of deploy/local/backup.sh DIR:
# stops what runs, keeps its data aside (var/before-restore-<time>), starts
# fresh servers with the backup (Redis on its RDB file, JetStream's streams
# restored and cut to what that Redis holds, each durable consumer set back to
# where it stood: ankommenctl restore), then the services as they ran
# (var/run/district.env). What was committed after the backup's recovery point
# is not there (docs/operations.md, "Back up and restore").
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="${1:?usage: deploy/local/restore.sh BACKUP_DIR}"
CTL="${ANKOMMEN_CTL:-$BUILD_DIR/tools/ankommenctl/ankommenctl}"
for f in redis.rdb consumers.json streams.json; do
  [[ -f $DIR/$f ]] || { echo "error: $DIR/$f missing: not a backup of deploy/local/backup.sh" >&2; exit 2; }
done
[[ -x $CTL ]] || { echo "error: $CTL not built (cmake --build build --target ankommenctl)" >&2; exit 2; }
# The services' settings as they last ran (before stop_all removes var/run).
settings=""
[[ -f $RUN_DIR/district.env ]] && settings=$(cat "$RUN_DIR/district.env")

stop_all
aside="$VAR_DIR/before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$aside"
for d in nats redis; do [[ -d $VAR_DIR/$d ]] && mv "$VAR_DIR/$d" "$aside/"; done
echo "the data before the restore: $aside"

start_servers "$DIR/redis.rdb"
say "Restoring JetStream from $DIR"
"$CTL" restore "$DIR"
[[ -n $settings ]] && eval "$settings"
start_services
say "Restored from $DIR; stop with deploy/local/stop.sh"
