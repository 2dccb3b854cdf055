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

# start_service NAME GRPC_PORT METRICS_PORT HEALTH_NAME: the service's binary on
# the first free ports from those given, waited for until SERVING. Exports
# ANKOMMEN_<NAME>_ADDR for ankommenctl and sets <NAME>_METRICS to the metrics port.
# The ports lie in Linux's ephemeral range, so a connection elsewhere on the
# machine can take one between the check and the service's bind: a service
# that stops at start is tried again on the next ports. Ready means its own
# log says it is serving, not only that the address answers: another run's
# service may hold the port until this one gives up on it.
start_service() {
  local name=$1 health=$4 upper port=$2 metrics=$3 pid attempt deadline
  upper=$(tr '[:lower:]' '[:upper:]' <<<"$name")
  for attempt in 1 2 3 4 5; do
    port=$(free_port "$port")
    metrics=$(free_port "$metrics")
    say "Starting the $name service on 127.0.0.1:$port (metrics on :$metrics)"
    ANKOMMEN_GRPC_ADDR="127.0.0.1:$port" ANKOMMEN_METRICS_ADDR="127.0.0.1:$metrics" \
      start_process "$name" "$LOG_DIR/$name.log" "$BUILD_DIR/services/$name/ankommen-$name"
    pid=$(cat "$RUN_DIR/$name.pid")
    deadline=$((SECONDS + 60))
    until grep -q '"event":"grpc_serving"' "$LOG_DIR/$name.log" 2>/dev/null &&
      "$BUILD_DIR/tools/ankommenctl/ankommenctl" health --addr "127.0.0.1:$port" --service "$health" \
        >/dev/null 2>&1; do
      kill -0 "$pid" 2>/dev/null || break
      if ((SECONDS >= deadline)); then
        echo "timed out waiting for the $name service to be SERVING (log: $LOG_DIR/$name.log)" >&2
        return 1
      fi
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      export "ANKOMMEN_${upper}_ADDR=127.0.0.1:$port"
      printf -v "${upper}_METRICS" '%s' "$metrics"
      return 0
    fi
    echo "the $name service stopped at start: $(tail -n 1 "$LOG_DIR/$name.log" | cut -c1-200)" >&2
    port=$((port + 1)) metrics=$((metrics + 1))
  done
  echo "the $name service did not start (log: $LOG_DIR/$name.log)" >&2
  return 1
}

start_nats() {  # port
  mkdir -p "$VAR_DIR/nats"
  start_process nats "$LOG_DIR/nats.log" nats-server -a 127.0.0.1 -p "$1" -js -sd "$VAR_DIR/nats"
  # Ready when it greets with JetStream on (INFO {... "jetstream":true ...}).
  wait_until 20 "nats-server on port $1" timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1; head -n1 <&3 | grep -q '\"jetstream\":true'"
}

start_redis() {  # port [rdb]: with an RDB file (a backup), started on a copy of it
  mkdir -p "$VAR_DIR/redis"
  if [[ -n ${2:-} ]]; then
    # Redis 7 loads an RDB only with the append-only file off: load it, then
    # switch the file on (Redis writes it from what it loaded).
    cp "$2" "$VAR_DIR/redis/dump.rdb"
    start_process redis "$LOG_DIR/redis.log" redis-server --bind 127.0.0.1 --port "$1" --dir "$VAR_DIR/redis" \
      --appendonly no --save ""
    wait_until 60 "redis-server on port $1" bash -c "redis-cli -p $1 ping | grep -q PONG"
    redis-cli -p "$1" config set appendonly yes >/dev/null
    wait_until 120 "the append-only file of the restored Redis" \
      bash -c "redis-cli -p $1 info persistence | grep -q '^aof_rewrite_in_progress:0'"
    return
  fi
  start_process redis "$LOG_DIR/redis.log" redis-server --bind 127.0.0.1 --port "$1" --dir "$VAR_DIR/redis" \
    --appendonly yes --save ""
  wait_until 20 "redis-server on port $1" bash -c "redis-cli -p $1 ping | grep -q PONG"
}

export PATH="$PATH:/usr/sbin"

# nats-server and redis-server on the first free ports from 14222 and 16379
# (or ANKOMMEN_NATS_PORT / ANKOMMEN_REDIS_PORT), then the seven services and the
# integration indicators; the
# services' own settings come from the caller's environment. Messages go out
# as printed letters into var/letters: a fresh machine has no mail server or
# SMS gateway.
start_district() {
  start_servers
  start_services
}

# start_servers [rdb]: nats-server and redis-server (Redis on a backup's RDB
# file when given); their URLs exported and kept in var/run/servers.env (for
# backup.sh).
start_servers() {
  NATS_PORT=$(free_port "${ANKOMMEN_NATS_PORT:-14222}")
  REDIS_PORT=$(free_port "${ANKOMMEN_REDIS_PORT:-16379}")
  say "Starting nats-server (JetStream) on 127.0.0.1:$NATS_PORT and redis-server on 127.0.0.1:$REDIS_PORT"
  start_nats "$NATS_PORT"
  start_redis "$REDIS_PORT" "${1:-}"
  export ANKOMMEN_NATS_URL="nats://127.0.0.1:$NATS_PORT"
  export ANKOMMEN_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
  printf 'ANKOMMEN_NATS_URL=%s\nANKOMMEN_REDIS_URL=%s\n' "$ANKOMMEN_NATS_URL" "$ANKOMMEN_REDIS_URL" >"$RUN_DIR/servers.env"
}

# The seven services and the indicators on the servers started; their
# settings (the caller's ANKOMMEN_*) kept in var/run/district.env, so that
# restore.sh starts them again as they ran.
start_services() {
  # A district on this machine, reachable from it only: without tokens, as
  # development (the services refuse auth off otherwise). ANKOMMEN_AUTH=jwt
  # with ANKOMMEN_JWT_KEY_FILE runs it with them.
  export ANKOMMEN_AUTH="${ANKOMMEN_AUTH:-off}" ANKOMMEN_DEVELOPMENT=on
  export -p | grep -E '^declare -x ANKOMMEN_' | grep -vE 'ANKOMMEN_(NATS|REDIS)_URL=' >"$RUN_DIR/district.env"
  start_service registry 50051 9101 ankommen.registry.v1.RegistryService
  start_service courses 50052 9102 ankommen.courses.v1.CourseService
  start_service schools 50053 9103 ankommen.schools.v1.SchoolService
  start_service housing 50054 9104 ankommen.housing.v1.HousingService
  start_service mediators 50056 9106 ankommen.mediators.v1.MediatorService
  start_service casework 50058 9108 ankommen.casework.v1.CaseworkService
  ANKOMMEN_NOTIFICATIONS_LETTERS="$VAR_DIR/letters" \
    start_service notifications 50055 9105 ankommen.notifications.v1.NotificationService
  start_indicators 9107
}

# start_indicators METRICS_PORT: the integration indicators as metrics (no
# API), read from the streams every 30 s, with the district's targets when
# ANKOMMEN_INDICATORS_TARGETS names them; sets INDICATORS_METRICS.
start_indicators() {
  local metrics
  metrics=$(free_port "$1")
  say "Starting the integration indicators (metrics on :$metrics)"
  ANKOMMEN_METRICS_ADDR="127.0.0.1:$metrics" ANKOMMEN_INDICATORS_PERIOD="${ANKOMMEN_INDICATORS_PERIOD:-30}" \
    start_process indicators "$LOG_DIR/indicators.log" "$BUILD_DIR/services/monitoring/ankommen-indicators"
  wait_until 30 "the indicators' metrics on port $metrics" curl -sf "http://127.0.0.1:$metrics/metrics" -o /dev/null
  INDICATORS_METRICS=$metrics
}
