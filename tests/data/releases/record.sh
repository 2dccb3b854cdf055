#!/usr/bin/env bash
# Records what this build stores, for the upgrade test of the releases after
# it (tests/e2e/operations/upgrade_e2e_test.cpp): two simulated weeks of the
# bundled district, its Redis state saved as one RDB file, and a manifest of
# what it holds. Run once per release, at the release's commit:
#   tests/data/releases/record.sh      (writes tests/data/releases/<version>/)
# JetStream is not recorded: a release must start on the events' streams as
# they are, which the proto checks (buf breaking) keep compatible.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../../deploy/local/lib.sh"
version=$(sed -n 's/^project(ankommen VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")
out="$ROOT/tests/data/releases/$version"
var=$(mktemp -d)
trap 'rm -rf "$var"' EXIT
ANKOMMEN_VAR_DIR="$var" "$ROOT/deploy/local/run.sh" --seed 1 --weeks 2 --policy optimal >"$var/run.log" 2>&1 \
  || { tail -20 "$var/run.log"; exit 1; }

# The append-only files the run left, loaded and written out as one RDB.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$port" --dir "$var/redis" --appendonly yes --save "" \
  --daemonize yes --logfile "$var/redis-record.log"
wait_until 20 "redis-server on port $port" bash -c "redis-cli -p $port ping | grep -q PONG"
count() { redis-cli -p "$port" --scan --pattern "$1" | wc -l; }
mkdir -p "$out"
cat >"$out/manifest.json" <<JSON
{
  "version": "$version",
  "commit": "$(git -C "$ROOT" rev-parse HEAD)",
  "written_by": "deploy/local/run.sh --seed 1 --weeks 2 --policy optimal",
  "keys": {
    "registry_households": $(count 'ankommen:registry:*:household:*'),
    "registry_persons": $(count 'ankommen:registry:*:person:*'),
    "courses_courses": $(count 'ankommen:courses:*:course:*'),
    "courses_learners": $(count 'ankommen:courses:*:learner:*'),
    "schools_children": $(count 'ankommen:schools:*:child:*'),
    "housing_households": $(count 'ankommen:housing:*:household:*'),
    "notifications_messages": $(count 'ankommen:notifications:*:message:*')
  }
}
JSON
redis-cli -p "$port" SAVE >/dev/null
redis-cli -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
cp "$var/redis/dump.rdb" "$out/dump.rdb"
echo "recorded $out: $(du -h "$out/dump.rdb" | cut -f1), $(tr -d '\n ' <"$out/manifest.json" | sed 's/.*"keys"://')"
