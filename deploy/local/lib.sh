# Shared by run.sh and test.sh: paths, the build, and starting and stopping
# the servers this checkout owns. Processes are tracked by PID files under
# var/run and stopped by PID, never by name.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${ANKOMMEN_BUILD_DIR:-$ROOT/build}"
VAR_DIR="${ANKOMMEN_VAR_DIR:-$ROOT/var}"
RUN_DIR="$VAR_DIR/run"
LOG_DIR="$VAR_DIR/log"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

configure_and_build() {  # targets...
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD_DIR" --parallel "$(nproc)" ${1:+--target "$@"}
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The first free port from $1 upwards.
free_port() {
  local port=$1
  while port_in_use "$port"; do port=$((port + 1)); done
  echo "$port"
}

# start NAME LOGFILE command... : runs it in the background, records its PID.
start_process() {
  local name=$1 log=$2
  shift 2
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  "$@" >"$log" 2>&1 &
  echo $! >"$RUN_DIR/$name.pid"
}

wait_until() {  # seconds description command...
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "timed out waiting for $what" >&2
      return 1
    fi
    sleep 0.1
  done
}

# Stops every process this checkout started (newest first): SIGTERM, then SIGKILL after 15 s.
stop_all() {
  [[ -d $RUN_DIR ]] || return 0
  local pidfile pid
  for pidfile in $(ls -t "$RUN_DIR"/*.pid 2>/dev/null); do
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    fi
    rm -f "$pidfile"
  done
}

start_nats() {  # port
  mkdir -p "$VAR_DIR/nats"
  start_process nats "$LOG_DIR/nats.log" nats-server -a 127.0.0.1 -p "$1" -js -sd "$VAR_DIR/nats"
  # Ready when it greets with JetStream on (INFO {... "jetstream":true ...}).
  wait_until 20 "nats-server on port $1" timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1; head -n1 <&3 | grep -q '\"jetstream\":true'"
}

start_redis() {  # port
  mkdir -p "$VAR_DIR/redis"
  start_process redis "$LOG_DIR/redis.log" redis-server --bind 127.0.0.1 --port "$1" --dir "$VAR_DIR/redis" \
    --appendonly yes --save ""
  wait_until 20 "redis-server on port $1" bash -c "redis-cli -p $1 ping | grep -q PONG"
}

export PATH="$PATH:/usr/sbin"
