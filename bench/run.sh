#!/usr/bin/env bash
# Load benchmark for the `nextstack` HTTP server.
#
#   bash bench/run.sh            # from any directory
#
# Steps: tools (wrk, curl, jq) -> PostgreSQL up -> (re)create the bench database
# -> cargo build --release -p nextstack -> nextstack migrate -> start-up time
# (best of 3) -> idle RSS -> wrk scenarios -> peak RSS -> table + JSON + targets.
#
# It is a benchmark, not a test: it exits 0 whether targets are met or not.
# It exits non-zero only when it cannot produce numbers at all (build fails,
# database unreachable, server does not start, ...).
#
# Knobs (environment):
#   BENCH_DURATION=10s     wrk duration per scenario
#   BENCH_CONNECTIONS=64   wrk connections
#   BENCH_THREADS=2        wrk threads
#   BENCH_WARMUP=2s        wrk warm-up per scenario (discarded); 0 to skip
#   BENCH_STARTS=3         server starts for the start-up measurement (best is kept)
#   BENCH_SETTLE=2         seconds to let the server settle before reading idle RSS
#   BENCH_PORT=38917       port the server listens on (127.0.0.1 only)
#   BENCH_DB=nextstack_bench   database name (dropped and re-created!)
#   BENCH_PG_PORT=5432     PostgreSQL port on 127.0.0.1 (user postgres, trust auth)
#   BENCH_SKIP_BUILD=1     do not run cargo build (use the existing binary)
#   BENCH_BIN=path         server binary (default: $CARGO_TARGET_DIR or target/ + release/nextstack)
#   BENCH_SERVER_ARGS=""   arguments to start the server (default none; e.g. "serve")
#   BENCH_RESULTS_DIR=dir  where latest.json and last-run/ go (default bench/results)
set -euo pipefail

# ---------------------------------------------------------------- settings --
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"

DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-2}"
WARMUP="${BENCH_WARMUP:-2s}"
STARTS="${BENCH_STARTS:-3}"
SETTLE="${BENCH_SETTLE:-2}"
HOST=127.0.0.1
PORT="${BENCH_PORT:-38917}"
DB_NAME="${BENCH_DB:-nextstack_bench}"
PG_PORT="${BENCH_PG_PORT:-5432}"
SKIP_BUILD="${BENCH_SKIP_BUILD:-0}"
BIN="${BENCH_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/nextstack}"
read -r -a SERVER_ARGS <<<"${BENCH_SERVER_ARGS:-}"
RESULTS_DIR="${BENCH_RESULTS_DIR:-$BENCH_DIR/results}"
RAW_DIR="$RESULTS_DIR/last-run"        # raw wrk output + server log (not for git)
LUA="$BENCH_DIR/wrk_json.lua"
START_TIMEOUT_S=30                     # give up on a start after this long
POLL_INTERVAL=0.005                    # start-up poll interval (seconds)

BASE_URL="http://$HOST:$PORT"
# name|path — order matters: /ready (DB) last so its pool growth does not
# colour the others.
SCENARIOS=(
  "health|/health"
  "meta_health|/trpc/_meta.health"
  "meta_batch3|/trpc/_meta.health,_meta.version,_meta.health?batch=1&input=%7B%7D"
  "ready|/ready"
)

# Scenarios that need a session or a body get extra request headers / wrk
# arguments (filled in once the bench user exists, see add_auth_scenarios).
declare -A HDR=() EXTRA=() PRE_CURL=()

# Targets: id|description|jq path into the result|op|threshold
TARGETS=(
  "meta_health_rps|_meta.health throughput (req/s)|.scenarios.meta_health.requests_per_sec|>=|40000"
  "meta_health_p99|_meta.health p99 latency (ms)|.scenarios.meta_health.latency_ms.p99|<|10"
  "ready_rps|/ready throughput (req/s)|.scenarios.ready.requests_per_sec|>=|15000"
  "idle_rss|idle RSS (MB)|.memory.idle_rss_mb|<|30"
  "startup|start-up to first 200 (ms)|.startup.best_ms|<|200"
  "user_get_rps|core.user.get throughput (req/s)|.scenarios.user_get.requests_per_sec|>=|10000"
  "user_get_p99|core.user.get p99 latency (ms)|.scenarios.user_get.latency_ms.p99|<|20"
  "sign_in_ratio|sign-in req/s ÷ scrypt checks/s on all cores|.auth.sign_in_ratio|>=|0.9"
  "order_place_rps|main.order.place throughput (req/s)|.scenarios.order_place.requests_per_sec|>=|3000"
  "post_list_p99|core.post.list p99 latency (ms)|.scenarios.post_list.latency_ms.p99|<|20"
)

# ----------------------------------------------------------------- helpers --
if [[ -t 2 ]]; then B=$'\033[1m' Y=$'\033[33m' R=$'\033[31m' N=$'\033[0m'; else B='' Y='' R='' N=''; fi
log()  { printf '%s==>%s %s\n' "$B" "$N" "$*" >&2; }
warn() { printf '%sWARN:%s %s\n' "$Y" "$N" "$*" >&2; }
die()  { printf '%sERROR:%s %s\n' "$R" "$N" "$*" >&2; exit 1; }

# microseconds since the epoch, without forking (bash >= 5)
now_us() { local t="${EPOCHREALTIME//[.,]/}"; printf '%s' "$t"; }

SUDO=()
if [[ "$(id -u)" -ne 0 ]] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi

ensure_tools() {
  local missing=() cmd pkg
  for pair in wrk:wrk curl:curl jq:jq psql:postgresql-client pg_isready:postgresql-client; do
    cmd="${pair%%:*}"; pkg="${pair#*:}"
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    # de-duplicate
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    log "installing missing packages: ${missing[*]}"
    "${SUDO[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  [[ -n "${EPOCHREALTIME:-}" ]] || die "bash >= 5 is required (EPOCHREALTIME)"
}

psql_admin() {
  PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PG_PORT" -U postgres -d postgres "$@"
}

ensure_postgres() {
  if ! pg_isready -q -h "$HOST" -p "$PG_PORT"; then
    [[ -d /etc/postgresql ]] || die "PostgreSQL is not running and /etc/postgresql does not exist"
    local ver
    ver="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n1)"
    log "starting PostgreSQL $ver/main"
    "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$ver" main start
    local i
    for ((i = 0; i < 60; i++)); do
      pg_isready -q -h "$HOST" -p "$PG_PORT" && break
      sleep 0.5
    done
    pg_isready -q -h "$HOST" -p "$PG_PORT" || die "PostgreSQL did not come up on $HOST:$PG_PORT"
  fi
}

recreate_db() {
  [[ "$DB_NAME" =~ ^[a-z_][a-z0-9_]*$ ]] || die "BENCH_DB must be a plain lower-case identifier"
  log "re-creating database $DB_NAME"
  # WITH (FORCE): drop even if a stray server from an earlier run is connected
  psql_admin -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)"
  psql_admin -c "CREATE DATABASE $DB_NAME"
}

# --- server process management ---------------------------------------------
SERVER_PID=""
SERVER_LOG=""

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

start_server() {  # $1 = log file; sets SERVER_PID
  SERVER_LOG="$1"
  "$BIN" "${SERVER_ARGS[@]}" >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
}

stop_server() {
  local pid="$SERVER_PID"
  [[ -n "$pid" ]] || return 0
  SERVER_PID=""
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 100; i++)); do           # up to ~5 s for a graceful stop
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
      warn "server $pid ignored SIGTERM for 5 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
}

server_alive() { [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; }

show_server_log() {
  [[ -n "$SERVER_LOG" && -f "$SERVER_LOG" ]] || return 0
  echo "---- last lines of $SERVER_LOG ----" >&2
  tail -n 40 "$SERVER_LOG" >&2 || true
  echo "-----------------------------------" >&2
}

cleanup() {
  local rc=$?
  if [[ -n "${WRK_PID:-}" ]]; then
    kill -TERM "$WRK_PID" 2>/dev/null || true
    wait "$WRK_PID" 2>/dev/null || true
  fi
  stop_server
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

http_status() {  # $1 = path, rest = extra curl args -> prints status code (000 when no answer)
  local path="$1"
  shift
  curl -g -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$BASE_URL$path" 2>/dev/null || true
}

proc_kb() {  # $1 = field (VmRSS, VmHWM) -> kB of SERVER_PID
  awk -v f="$1:" '$1 == f { print $2 }' "/proc/$SERVER_PID/status"
}

kb_to_mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# One GET /health over bash's /dev/tcp: no fork, so the poll loop has ~5 ms
# resolution (spawning curl costs 10-20 ms per try on a small machine).
# Returns 0 on "HTTP/1.x 200"; sets PROBE_STATUS to the status line seen.
PROBE_STATUS=""
probe_health() {
  local fd line="" rest
  PROBE_STATUS="no connection"
  { exec {fd}<>"/dev/tcp/$HOST/$PORT"; } 2>/dev/null || return 1
  # shellcheck disable=SC2261  # $fd is a fresh descriptor (>= 10), not stderr
  printf 'GET /health HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' \
    "$HOST" "$PORT" >&"$fd" 2>/dev/null || true
  IFS= read -r -t 1 -u "$fd" line || true
  # drain to EOF (server closes: Connection: close) so it sees no reset
  while IFS= read -r -t 1 -u "$fd" rest; do :; done || true
  exec {fd}>&-
  PROBE_STATUS="${line%$'\r'}"
  [[ "$line" =~ ^HTTP/1\.[01]\ 200 ]]
}

# Fork-free sleep: read with a timeout on a pipe that never gets data.
SLEEP_FD=""
short_sleep() {  # $1 = seconds (fractional)
  [[ -n "$SLEEP_FD" ]] || exec {SLEEP_FD}<> <(:)
  read -r -t "$1" -u "$SLEEP_FD" _ || true
}

# Start the server and poll /health until it answers 200; sets STARTUP_MS.
# (Must run in the main shell, not in $(...), so SERVER_PID stays known.)
STARTUP_MS=""
measure_start() {  # $1 = run number
  local logf="$RAW_DIR/server-start$1.log" t0 t1
  port_in_use && die "something is already listening on $HOST:$PORT (set BENCH_PORT)"
  trap '' PIPE          # a reset socket must not kill the shell mid-probe
  t0="$(now_us)"
  start_server "$logf"
  while :; do
    if probe_health; then
      t1="$(now_us)"
      break
    fi
    if ! server_alive; then
      show_server_log
      die "server exited during start-up (run $1)"
    fi
    if (($(now_us) - t0 > START_TIMEOUT_S * 1000000)); then
      show_server_log
      die "server did not answer 200 on /health within ${START_TIMEOUT_S}s (last: $PROBE_STATUS)"
    fi
    short_sleep "$POLL_INTERVAL"
  done
  trap - PIPE
  # cross-check with curl that it really is a 200 from an HTTP server
  local code
  code="$(http_status /health)"
  [[ "$code" == 200 ]] || die "/health probe said 200 but curl got $code"
  STARTUP_MS="$(awk -v d="$((t1 - t0))" 'BEGIN { printf "%.1f", d / 1000 }')"
}

# wrk in the background + wait, so a SIGTERM/SIGINT to this script is handled
# at once (cleanup stops wrk and the server) instead of after the run.
WRK_PID=""
run_wrk() {  # $1 = output file, rest = wrk arguments
  local outf="$1" rc=0
  shift
  wrk "$@" >"$outf" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || rc=$?
  WRK_PID=""
  return "$rc"
}

# Run one wrk scenario; writes a JSON object to $RAW_DIR/scenario-<name>.json
run_scenario() {  # $1 = name, $2 = path
  local name="$1" path="$2" url="$BASE_URL$2"
  local pre out wrk_json rc=0 alive=true
  out="$RAW_DIR/wrk-$name.txt"

  local hdr="${HDR[$name]:-}" extra=() pre_args=()
  read -r -a extra <<<"${EXTRA[$name]:-}"
  [[ -n "$hdr" ]] && pre_args+=(-H "$hdr")
  if [[ -n "${PRE_CURL[$name]:-}" ]]; then pre_args+=(-H 'content-type: application/json' -d "${PRE_CURL[$name]}"); fi
  pre="$(http_status "$path" "${pre_args[@]}")"
  [[ "$pre" =~ ^[0-9]+$ ]] || pre=0
  pre=$((10#$pre))                       # "000" (no answer) -> 0, valid JSON
  [[ "$pre" == 200 ]] || warn "$name: pre-check GET $path answered $pre (expected 200)"

  if [[ "$WARMUP" != 0 && "$WARMUP" != 0s ]]; then
    run_wrk "$RAW_DIR/wrk-$name-warmup.txt" -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" \
      ${hdr:+-H "$hdr"} "${extra[@]}" "$url" || true
  fi

  log "$name: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $path"
  run_wrk "$out" -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 2s --latency -s "$LUA" \
    ${hdr:+-H "$hdr"} "${extra[@]}" "$url" || rc=$?
  server_alive || alive=false

  wrk_json="$(sed -n 's/^BENCH_JSON //p' "$out" | tail -n1)"
  if [[ -z "$wrk_json" ]] || ! jq -e . >/dev/null 2>&1 <<<"$wrk_json"; then
    warn "$name: no parsable result from wrk (exit $rc); see $out"
    sed -n '1,20p' "$out" >&2 || true
    wrk_json=null
  fi

  jq -n \
    --arg name "$name" --arg path "$path" \
    --argjson pre "$pre" --argjson rc "$rc" --argjson alive "$alive" \
    --argjson w "$wrk_json" '
    def ms: if . == null then null else (. / 1000 * 1000 | round) / 1000 end;
    ($w // {}) as $w
    | ($w.errors // {}) as $e
    | {
        name: $name,
        path: $path,
        precheck_status: $pre,
        wrk_exit_code: $rc,
        server_alive_after: $alive,
        requests: $w.requests,
        duration_s: (if $w.duration_us then $w.duration_us / 1e6 else null end),
        requests_per_sec:
          (if $w.duration_us and $w.duration_us > 0
           then ($w.requests / ($w.duration_us / 1e6) * 10 | round) / 10 else null end),
        latency_ms: (($w.latency_us // {}) | with_entries(.value |= ms)),
        non_2xx: $e.status,
        socket_errors: (if $w == {} then null else {
          connect: $e.connect, read: $e.read, write: $e.write, timeout: $e.timeout,
          total: ($e.connect + $e.read + $e.write + $e.timeout)
        } end),
        bytes: $w.bytes
      }
    | .flags = ([
        (if $w == {} then "no wrk result" else empty end),
        (if $pre != 200 then "pre-check status \($pre)" else empty end),
        (if (.requests // 0) == 0 and $w != {} then "zero requests" else empty end),
        (if (.non_2xx // 0) > 0 then "\(.non_2xx) non-2xx responses" else empty end),
        (if (.socket_errors.total // 0) > 0 then
           "socket errors: connect \($e.connect), read \($e.read), write \($e.write), timeout \($e.timeout)"
         else empty end),
        (if $alive then empty else "server died" end)
      ])
    | .ok = (.flags | length == 0)
    ' >"$RAW_DIR/scenario-$name.json"

  if [[ "$alive" != true ]]; then
    show_server_log
    die "server died during scenario $name"
  fi
}

# -------------------------------------------------------------------- main --
main() {
  cd "$ROOT"
  mkdir -p "$RESULTS_DIR"
  rm -rf "$RAW_DIR"
  mkdir -p "$RAW_DIR"

  ensure_tools
  [[ -f "$LUA" ]] || die "missing $LUA"
  ensure_postgres
  recreate_db

  if [[ "$SKIP_BUILD" != 1 ]]; then
    log "cargo build --release -p nextstack (in $ROOT)"
    cargo build --release -p nextstack --bins --examples
  fi
  [[ -x "$BIN" ]] || die "server binary not found or not executable: $BIN"

  # Server environment (explicit values win over any .env file the server loads)
  local secret
  secret="bench-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"   # 53 chars, random
  export DATABASE_URL="postgres://postgres@$HOST:$PG_PORT/$DB_NAME"
  export HOST PORT
  export NODE_ENV=production
  export BETTER_AUTH_SECRET="$secret"
  export BETTER_AUTH_URL="${BETTER_AUTH_URL:-$BASE_URL}"
  export RATE_LIMIT_MAX_REQUESTS=1000000000
  export AUTH_RATE_LIMIT_MAX_REQUESTS=1000000000
  export RUST_LOG=warn
  export AUTO_MIGRATE=false

  log "nextstack migrate"
  if ! "$BIN" migrate >"$RAW_DIR/migrate.log" 2>&1; then
    cat "$RAW_DIR/migrate.log" >&2
    die "nextstack migrate failed"
  fi
  seed_users
  seed_content

  # --- start-up time: best of N starts on the migrated database -------------
  local runs=() i
  for ((i = 1; i <= STARTS; i++)); do
    measure_start "$i"
    log "start $i: first 200 on /health after $STARTUP_MS ms"
    runs+=("$STARTUP_MS")
    if ((i < STARTS)); then stop_server; fi
  done
  # the last started server stays up for the rest of the run
  if ! grep -q "listening on" "$SERVER_LOG"; then
    warn "server log has no 'listening on' line (RUST_LOG=warn may hide it)"
  fi

  # --- idle RSS ----------------------------------------------------------------
  sleep "$SETTLE"
  server_alive || { show_server_log; die "server exited while idle"; }
  local idle_kb
  idle_kb="$(proc_kb VmRSS)"
  log "idle RSS: $(kb_to_mb "$idle_kb") MB"

  # --- auth scenarios need a session and a sign-in body -----------------------
  add_auth_scenarios

  # --- load scenarios --------------------------------------------------------
  local s
  for s in "${SCENARIOS[@]}"; do
    run_scenario "${s%%|*}" "${s#*|}"
  done

  # --- peak RSS ----------------------------------------------------------------
  local hwm_kb end_rss_kb
  hwm_kb="$(proc_kb VmHWM)"
  end_rss_kb="$(proc_kb VmRSS)"
  stop_server

  # --- assemble JSON -----------------------------------------------------------
  local commit dirty rustc_v wrk_v pg_v cpu mem_kb os
  commit="$(git -C "$ROOT" rev-parse --verify -q HEAD 2>/dev/null || true)"
  dirty=null
  if [[ -n "$commit" ]]; then
    if [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
      dirty=true; else dirty=false; fi
  fi
  rustc_v="$(rustc --version 2>/dev/null || true)"
  wrk_v="$(wrk -v 2>&1 | head -n1 | sed 's/ *Copyright.*//' || true)"
  pg_v="$(psql_admin -At -c 'SHOW server_version' 2>/dev/null || true)"
  cpu="$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
  mem_kb="$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null || echo 0)"
  os="$(sed -n 's/^PRETTY_NAME=//p' /etc/os-release 2>/dev/null | tr -d '"' || true)"

  local targets_json
  targets_json="$(printf '%s\n' "${TARGETS[@]}" | jq -R -s '
    split("\n") | map(select(length > 0) | split("|")
      | {id: .[0], description: .[1], metric: .[2], op: .[3], threshold: (.[4] | tonumber)})')"

  local runs_json
  runs_json="$(printf '%s\n' "${runs[@]}" | jq -s '.')"

  local out_json="$RESULTS_DIR/latest.json"
  # jq -s needs the scenario files as inputs, in scenario order:
  local files=() n
  for s in "${SCENARIOS[@]}"; do n="${s%%|*}"; files+=("$RAW_DIR/scenario-$n.json"); done
  jq -s \
    --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --argjson nproc "$(nproc)" \
    --arg cpu "$cpu" --argjson mem_kb "${mem_kb:-0}" \
    --arg kernel "$(uname -r)" --arg os "$os" \
    --arg commit "$commit" --argjson dirty "$dirty" \
    --arg rustc "$rustc_v" --arg wrk "$wrk_v" --arg pg "$pg_v" \
    --arg duration "$DURATION" --arg warmup "$WARMUP" \
    --argjson threads "$THREADS" --argjson conns "$CONNECTIONS" \
    --arg host "$HOST" --argjson port "$PORT" --arg db "$DB_NAME" \
    --arg server_args "${SERVER_ARGS[*]}" \
    --argjson runs "$runs_json" \
    --argjson idle_kb "$idle_kb" --argjson hwm_kb "$hwm_kb" --argjson end_kb "$end_rss_kb" \
    --argjson targets "$targets_json" \
    --argjson hash_bound "${HASH_BOUND:-null}" \
    -f "$BENCH_DIR/assemble.jq" "${files[@]}" >"$out_json"

  print_report "$out_json"
  log "wrote $out_json (raw output in $RAW_DIR)"
}

# 10 000 users for the list/get scenarios (ids and emails fixed, so reruns compare).
seed_users() {
  log "seeding 10000 users"
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$DB_NAME" -q -v ON_ERROR_STOP=1 -c "
    INSERT INTO \"User\" (\"id\", \"email\", \"name\", \"emailVerified\", \"role\", \"points\", \"createdAt\", \"updatedAt\")
    SELECT 'cbench' || lpad(i::text, 19, '0'), 'bench' || i || '@example.com', 'Bench ' || i, false, 'USER', 0,
           (now() at time zone 'utc')::timestamp(3) - make_interval(secs => i), (now() at time zone 'utc')::timestamp(3)
    FROM generate_series(1, 10000) AS i" >/dev/null || die "seeding users failed"
}

# 10 000 posts (9 000 PUBLISHED, 1 000 DRAFT) by the seeded users, one ACTIVE
# offering of a seeded user for the order scenario and 5 000 more (3/4 ACTIVE),
# 20 000 orders, 10 000 profiles, 10 000 files and 10 levels, so that
# bench/explain.sql shows plans on real volumes.
seed_content() {
  log "seeding posts, profiles, files, levels and an offering"
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$DB_NAME" -q -v ON_ERROR_STOP=1 -c "
    INSERT INTO \"Post\" (\"id\", \"authorId\", \"title\", \"content\", \"status\", \"publishedAt\", \"createdAt\", \"updatedAt\")
    SELECT 'cbenchpost' || lpad(i::text, 15, '0'), 'cbench' || lpad((1 + i % 10000)::text, 19, '0'), 'Post ' || i,
           repeat('Lorem ipsum dolor sit amet. ', 20),
           (CASE WHEN i % 10 = 0 THEN 'DRAFT' ELSE 'PUBLISHED' END)::\"PostStatus\",
           (now() at time zone 'utc')::timestamp(3) - make_interval(secs => i),
           (now() at time zone 'utc')::timestamp(3) - make_interval(secs => i), (now() at time zone 'utc')::timestamp(3)
    FROM generate_series(1, 10000) AS i;
    INSERT INTO \"Offering\" (\"id\", \"sellerId\", \"title\", \"priceCents\", \"currency\", \"status\", \"createdAt\", \"updatedAt\")
    VALUES ('cbenchoffer00000000000001', 'cbench0000000000000000001', 'Bench lesson', 1999, 'USD', 'ACTIVE',
            (now() at time zone 'utc')::timestamp(3), (now() at time zone 'utc')::timestamp(3));
    INSERT INTO \"Offering\" (\"id\", \"sellerId\", \"title\", \"priceCents\", \"currency\", \"status\", \"createdAt\", \"updatedAt\")
    SELECT 'cbenchoffer' || lpad(i::text, 14, '0'), 'cbench' || lpad((1 + i % 10000)::text, 19, '0'), 'Offer ' || i, 100 * i,
           'USD', (CASE WHEN i % 4 = 0 THEN 'DRAFT' ELSE 'ACTIVE' END)::\"OfferingStatus\",
           (now() at time zone 'utc')::timestamp(3) - make_interval(secs => i), (now() at time zone 'utc')::timestamp(3)
    FROM generate_series(2, 5000) AS i;
    INSERT INTO \"Order\" (\"id\", \"buyerId\", \"offeringId\", \"quantity\", \"unitPriceCents\", \"totalCents\", \"currency\", \"status\", \"createdAt\", \"updatedAt\")
    SELECT 'cbenchorder' || lpad(i::text, 14, '0'), 'cbench' || lpad((1 + (i * 7) % 10000)::text, 19, '0'),
           'cbenchoffer' || lpad((2 + i % 4999)::text, 14, '0'), 1, 500, 500, 'USD', 'PENDING',
           (now() at time zone 'utc')::timestamp(3) - make_interval(secs => i), (now() at time zone 'utc')::timestamp(3)
    FROM generate_series(1, 20000) AS i;
    INSERT INTO \"Profile\" (\"id\", \"userId\", \"handle\", \"displayName\", \"isPublic\", \"createdAt\", \"updatedAt\")
    SELECT 'cbenchprof' || lpad(i::text, 15, '0'), 'cbench' || lpad(i::text, 19, '0'), 'bench_' || i, 'Bench ' || i,
           i % 2 = 0, (now() at time zone 'utc')::timestamp(3) - make_interval(secs => i),
           (now() at time zone 'utc')::timestamp(3)
    FROM generate_series(1, 10000) AS i;
    INSERT INTO \"File\" (\"id\", \"userId\", \"filename\", \"originalName\", \"mimeType\", \"size\", \"storageKey\", \"status\", \"createdAt\", \"updatedAt\")
    SELECT 'cbenchfile' || lpad(i::text, 15, '0'), 'cbench' || lpad((1 + i % 1000)::text, 19, '0'), 'f.png', 'f.png',
           'image/png', 1000, 'bench/' || i, 'READY', (now() at time zone 'utc')::timestamp(3) - make_interval(secs => i),
           (now() at time zone 'utc')::timestamp(3)
    FROM generate_series(1, 10000) AS i;
    INSERT INTO \"Level\" (\"id\", \"name\", \"rank\", \"minPoints\", \"createdAt\", \"updatedAt\")
    SELECT 'cbenchlevel' || lpad(i::text, 14, '0'), 'Level ' || i, i, i * 100,
           (now() at time zone 'utc')::timestamp(3), (now() at time zone 'utc')::timestamp(3)
    FROM generate_series(0, 9) AS i;
    " >/dev/null || die "seeding content failed"
  # As autovacuum would leave them: statistics, and visibility maps for index-only scans.
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$DB_NAME" -q -c "VACUUM ANALYZE" >/dev/null
}

# Signs up the bench user (whose session cookie the tRPC scenarios send) and
# measures the scrypt bound sign-in is compared with.
add_auth_scenarios() {
  local cookie
  cookie="$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
    -d '{"name":"Bench","email":"bench-login@example.com","password":"bench password 123"}' \
    "$BASE_URL/api/auth/sign-up/email" | tr -d '\r' \
    | awk -F': ' 'tolower($1) == "set-cookie" && $2 ~ /session_token=/ { split($2, a, ";"); print a[1]; exit }')"
  [[ -n "$cookie" ]] || die "bench sign-up returned no session cookie"
  SCENARIOS+=(
    "user_get|/trpc/core.user.get?input=%7B%22id%22%3A%22cbench0000000000000005000%22%7D"
    "user_list|/trpc/core.user.list?input=%7B%22limit%22%3A20%7D"
    "sign_in|/api/auth/sign-in/email"
    "post_list|/trpc/core.post.list?input=%7B%22limit%22%3A20%7D"
    "post_feed|/trpc/main.post.feed?input=%7B%22limit%22%3A20%7D"
    "order_place|/trpc/main.order.place"
  )
  HDR[user_get]="Cookie: $cookie"
  HDR[user_list]="Cookie: $cookie"
  # Each sign-in is ~one core-bound scrypt check: a few connections saturate both cores.
  EXTRA[sign_in]="-c4 -s bench/signin.lua"
  PRE_CURL[sign_in]='{"email":"bench-login@example.com","password":"bench password 123"}'
  HDR[post_list]="Cookie: $cookie"
  HDR[post_feed]="Cookie: $cookie"
  HDR[order_place]="Cookie: $cookie"
  EXTRA[order_place]="-s bench/place.lua"
  PRE_CURL[order_place]='{"offeringId":"cbenchoffer00000000000001"}'
  log "scrypt bound: cargo run --release --example hash_bound"
  HASH_BOUND="$(cd "$ROOT" && cargo run -q --release -p nextstack --example hash_bound -- 5 | jq '.hashes_per_sec')"
  log "scrypt checks on all cores: $HASH_BOUND/s"
}

print_report() {  # $1 = results json
  local f="$1"
  echo
  jq -r '"nextstack benchmark  \(.date)  commit \(.git.commit // "none")\(if .git.dirty then " (dirty)" else "" end)",
         "machine: \(.machine.nproc) cores, \(.machine.cpu_model // "?"), \(.tools.rustc // "rustc ?")",
         "wrk: -t\(.config.threads) -c\(.config.connections) -d\(.config.duration) (warm-up \(.config.warmup)) against \(.config.host):\(.config.port)",
         "",
         "start-up to first 200: best \(.startup.best_ms) ms  (runs: \(.startup.runs_ms | map(tostring) | join(", ")) ms)",
         "idle RSS: \(.memory.idle_rss_mb) MB    peak RSS (VmHWM): \(.memory.peak_rss_mb) MB"' "$f"
  echo
  printf '%-12s %12s %9s %9s %9s %9s %10s %8s %8s  %s\n' \
    scenario "req/s" "p50 ms" "p90 ms" "p99 ms" "max ms" requests non2xx sockerr status
  printf '%s\n' "--------------------------------------------------------------------------------------------------------"
  jq -r '.scenarios | to_entries[] | [
      .key,
      (.value.requests_per_sec // "-"),
      (.value.latency_ms.p50 // "-"), (.value.latency_ms.p90 // "-"),
      (.value.latency_ms.p99 // "-"), (.value.latency_ms.max // "-"),
      (.value.requests // "-"), (.value.non_2xx // "-"), (.value.socket_errors.total // "-"),
      (if .value.ok then "ok" else "FLAG: " + (.value.flags | join("; ")) end)
    ] | map(tostring) | @tsv' "$f" |
    while IFS=$'\t' read -r name rps p50 p90 p99 max reqs n2 se st; do
      printf '%-12s %12s %9s %9s %9s %9s %10s %8s %8s  %s\n' \
        "$name" "$rps" "$p50" "$p90" "$p99" "$max" "$reqs" "$n2" "$se" "$st"
    done
  echo
  echo "targets:"
  jq -r '.targets[] | [.result, .description, .op, (.threshold | tostring), (.value // "n/a" | tostring)] | @tsv' "$f" |
    while IFS=$'\t' read -r res desc op thr val; do
      printf '  %-4s  %-34s %-2s %8s   measured %s\n' "$res" "$desc" "$op" "$thr" "$val"
    done
  jq -r '"  \(.summary.targets_passed)/\(.summary.targets_total) targets met"
         + (if (.summary.flagged_scenarios | length) > 0
            then "; FLAGGED scenarios (errors, numbers suspect): \(.summary.flagged_scenarios | join(", "))"
            else "" end)' "$f"
  echo
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
