#!/usr/bin/env bash
# A/B benchmarks of issues 10 and 11, each pair measured back to back in one
# run (the machine is shared and noisy: only same-run ratios mean anything).
#
#   bash bench/fleet.sh
#
#   1. Redis store vs in-process store: _meta.health and core.user.get (target: Redis >= 60 %)
#   2. /metrics on vs off (METRICS_ENABLED=false): _meta.health (target: cost <= 5 %)
#   3. idle RSS with Redis and metrics on (target: < 30 MB)
#   4. core.user.get with 8 stalled JSON-lines readers vs without (target: >= 80 %)
#
# Each A/B pair runs ROUNDS times alternating (A B A B ...); the medians are compared.
# It is a benchmark, not a test: it exits 0 whether targets are met or not.
#
# Knobs: BENCH_DURATION=8s BENCH_CONNECTIONS=32 BENCH_THREADS=1 BENCH_ROUNDS=3 BENCH_PARTS="1 2 3 4"
#        BENCH_SKIP_BUILD=1 BENCH_PORT=38931 BENCH_DB=nextstack_fleet_bench
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
DURATION="${BENCH_DURATION:-8s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_THREADS:-1}"
ROUNDS="${BENCH_ROUNDS:-3}"
PARTS=" ${BENCH_PARTS:-1 2 3 4} "
part() { [[ "$PARTS" == *" $1 "* ]]; }
PORT="${BENCH_PORT:-38931}"
DB_NAME="${BENCH_DB:-nextstack_fleet_bench}"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/nextstack"
BASE="http://127.0.0.1:$PORT"
OUT="$BENCH_DIR/results/fleet.json"
RAW="$BENCH_DIR/results/last-run"
mkdir -p "$RAW"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

for tool in wrk curl jq psql python3 redis-cli; do command -v "$tool" >/dev/null || die "$tool is needed"; done
pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL is not running on 127.0.0.1:5432"
redis-cli -h 127.0.0.1 ping >/dev/null || die "Redis is not running on 127.0.0.1:6379"

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  log "cargo build --release -p nextstack"
  (cd "$ROOT" && cargo build --release -q -p nextstack)
fi

DB_URL="postgres://postgres@127.0.0.1:5432/$DB_NAME"
log "fresh database $DB_NAME"
PGOPTIONS="-c client_min_messages=warning" psql -X -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB_NAME" -c "CREATE DATABASE $DB_NAME" >/dev/null
DATABASE_URL="$DB_URL" "$BIN" migrate >/dev/null
psql -X -q -h 127.0.0.1 -U postgres -d "$DB_NAME" -v ON_ERROR_STOP=1 -c "
  INSERT INTO \"User\" (\"id\", \"email\", \"name\", \"emailVerified\", \"role\", \"points\", \"createdAt\", \"updatedAt\")
  SELECT 'cbench' || lpad(i::text, 19, '0'), 'bench' || i || '@example.com', 'Bench ' || i, false, 'USER', 0,
         (now() at time zone 'utc')::timestamp(3) - make_interval(secs => i), (now() at time zone 'utc')::timestamp(3)
  FROM generate_series(1, 1000) AS i;
  INSERT INTO \"Post\" (\"id\", \"authorId\", \"title\", \"content\", \"status\", \"publishedAt\", \"createdAt\", \"updatedAt\")
  SELECT 'cbenchpost' || lpad(i::text, 15, '0'), 'cbench0000000000000000001', 'Post ' || i, repeat('x', 100000),
         'PUBLISHED', (now() at time zone 'utc')::timestamp(3), (now() at time zone 'utc')::timestamp(3) - make_interval(secs => i),
         (now() at time zone 'utc')::timestamp(3)
  FROM generate_series(1, 20) AS i;" >/dev/null
psql -X -q -h 127.0.0.1 -U postgres -d "$DB_NAME" -c "VACUUM ANALYZE" >/dev/null

SERVER_PID=""
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
STALLED_PID=""
cleanup() {
  [[ -n "$STALLED_PID" ]] && kill "$STALLED_PID" 2>/dev/null || true
  stop_server
}
trap cleanup EXIT

# start_server NAME [VAR=value ...]: the release binary on the bench database.
start_server() {
  local name="$1"; shift
  stop_server
  env -i PATH="$PATH" NODE_ENV=production PORT="$PORT" HOST=127.0.0.1 LOG_FORMAT=json RUST_LOG=warn \
    BETTER_AUTH_SECRET=bench-secret-that-is-long-enough-0123456789 DATABASE_URL="$DB_URL" \
    RATE_LIMIT_MAX_REQUESTS=1000000000 AUTH_RATE_LIMIT_MAX_REQUESTS=1000000 \
    STORAGE_LOCAL_DIR="$RAW/uploads" "$@" "$BIN" serve >"$RAW/fleet-$name.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    curl -fs "$BASE/health" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  die "server $name did not start (see $RAW/fleet-$name.log)"
}

# The bench user's session cookie (signed up once, reused by every server: same database and secret).
COOKIE=""
session_cookie() {
  local set_cookie
  set_cookie="$(curl -s -D - -o /dev/null -H 'content-type: application/json' -H 'origin: http://localhost:3000' \
    -d '{"name":"Bench","email":"fleet-bench@example.com","password":"bench password 123"}' "$BASE/api/auth/sign-up/email")"
  if ! grep -qi 'session_token=' <<<"$set_cookie"; then
    set_cookie="$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
      -d '{"email":"fleet-bench@example.com","password":"bench password 123"}' "$BASE/api/auth/sign-in/email")"
  fi
  COOKIE="$(tr -d '\r' <<<"$set_cookie" | awk -F': ' 'tolower($1) == "set-cookie" && $2 ~ /session_token=/ { split($2, a, ";"); print a[1]; exit }')"
  [[ -n "$COOKIE" ]] || die "no session cookie"
}

USER_GET="/trpc/core.user.get?input=%7B%22id%22%3A%22cbench0000000000000000500%22%7D"
HEALTH="/trpc/_meta.health"

# rps NAME PATH [header]: wrk throughput (req/s), with non-2xx responses checked.
rps() {
  local name="$1" path="$2" header="${3:-}" out="$RAW/fleet-wrk-$1.txt"
  local args=(-t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency)
  [[ -n "$header" ]] && args+=(-H "$header")
  wrk "${args[@]}" "$BASE$path" >"$out" 2>&1
  if grep -q "Non-2xx" "$out"; then echo "WARN: $name had non-2xx responses: $(grep Non-2xx "$out")" >&2; fi
  awk '/Requests\/sec/ { print $2 }' "$out"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }'; }

declare -A RES=()
record() { RES["$1"]="${RES[$1]:-} $2"; }

log "1. Redis store vs in-process store ($ROUNDS rounds, alternating)"
part 1 && for round in $(seq 1 "$ROUNDS"); do
  start_server memory
  [[ -n "$COOKIE" ]] || session_cookie
  record memory_health "$(rps memory-health-$round "$HEALTH")"
  record memory_user_get "$(rps memory-user-$round "$USER_GET" "Cookie: $COOKIE")"
  start_server redis REDIS_URL=redis://127.0.0.1:6379 RATE_LIMIT_PREFIX="bench:$$:$round:"
  sleep 1  # the store connects in the background
  record redis_health "$(rps redis-health-$round "$HEALTH")"
  record redis_user_get "$(rps redis-user-$round "$USER_GET" "Cookie: $COOKIE")"
done

log "2. metrics on vs off"
part 2 && for round in $(seq 1 "$ROUNDS"); do
  start_server metrics-on
  record metrics_on_health "$(rps metrics-on-$round "$HEALTH")"
  start_server metrics-off METRICS_ENABLED=false
  record metrics_off_health "$(rps metrics-off-$round "$HEALTH")"
done

log "3. idle RSS with Redis and metrics on"
IDLE_RSS_KB=0
part 3 && start_server idle REDIS_URL=redis://127.0.0.1:6379 RATE_LIMIT_PREFIX="bench:$$:idle:"
if part 3; then
  curl -fs "$BASE$HEALTH" >/dev/null
  curl -fs "$BASE/metrics" >/dev/null
  sleep 2
  IDLE_RSS_KB="$(awk '/VmRSS/ { print $2 }' "/proc/$SERVER_PID/status")"
fi

log "4. core.user.get with 8 stalled JSON-lines readers vs without"
STALLED_SCRIPT="$RAW/stalled.py"
cat >"$STALLED_SCRIPT" <<'PY'
import socket, sys, time, urllib.parse, json
port, count = int(sys.argv[1]), int(sys.argv[2])
paths = ",".join(["core.post.list"] * 100)
inputs = urllib.parse.quote(json.dumps({str(i): {"limit": 100} for i in range(100)}))
socks = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(f"GET /trpc/{paths}?batch=1&input={inputs} HTTP/1.1\r\nhost: x\r\ntrpc-accept: application/jsonl\r\n\r\n".encode())
    s.recv(4096)  # the head; then never read again
    socks.append(s)
print("stalled", len(socks), flush=True)
time.sleep(3600)
PY
part 4 && for round in $(seq 1 "$ROUNDS"); do
  start_server stalled-baseline WRITE_TIMEOUT_MS=600000
  [[ -n "$COOKIE" ]] || session_cookie
  record user_get_alone "$(rps alone-$round "$USER_GET" "Cookie: $COOKIE")"
  python3 "$STALLED_SCRIPT" "$PORT" 8 >"$RAW/fleet-stalled.txt" 2>&1 &
  STALLED_PID=$!
  for _ in $(seq 1 100); do grep -q stalled "$RAW/fleet-stalled.txt" 2>/dev/null && break; sleep 0.1; done
  sleep 5  # let the 800 calls finish and give their connections back
  record user_get_stalled "$(rps stalled-$round "$USER_GET" "Cookie: $COOKIE")"
  kill "$STALLED_PID" 2>/dev/null || true
  STALLED_PID=""
done
stop_server

m() { if [[ -n "${RES[$1]:-}" ]]; then median ${RES[$1]}; else echo null; fi; }
jq -n \
  --arg date "$(date -u +%FT%TZ)" --arg commit "$(git -C "$ROOT" rev-parse --short HEAD)" \
  --arg conns "$CONNECTIONS" --arg dur "$DURATION" --arg rounds "$ROUNDS" \
  --argjson mem_h "$(m memory_health)" --argjson red_h "$(m redis_health)" \
  --argjson mem_u "$(m memory_user_get)" --argjson red_u "$(m redis_user_get)" \
  --argjson mon "$(m metrics_on_health)" --argjson moff "$(m metrics_off_health)" \
  --argjson alone "$(m user_get_alone)" --argjson stalled "$(m user_get_stalled)" \
  --argjson idle_kb "$IDLE_RSS_KB" '
  def div(a; b): if b > 0 then a / b else null end;
  {
    date: $date, commit: $commit, wrk: "-t1 -c\($conns) -d\($dur), \($rounds) rounds alternating, medians",
    redis_vs_memory: {
      meta_health: { memory: $mem_h, redis: $red_h, ratio: div($red_h; $mem_h), target: ">= 0.60" },
      user_get: { memory: $mem_u, redis: $red_u, ratio: div($red_u; $mem_u), target: ">= 0.60" }
    },
    metrics_on_vs_off: { meta_health: { on: $mon, off: $moff, cost: (if $moff > 0 then 1 - $mon / $moff else null end), target: "<= 0.05" } },
    idle_rss_mb: (if $idle_kb > 0 then $idle_kb / 1024 else null end), idle_rss_target_mb: 30,
    stalled_readers: { user_get_alone: $alone, user_get_with_8_stalled: $stalled, ratio: div($stalled; $alone), target: ">= 0.80" }
  }' | tee "$OUT.tmp"
# A partial run (BENCH_PARTS) updates only what it measured.
if [[ -f "$OUT" ]]; then jq -s '.[0] * (.[1] | del(..|nulls))' "$OUT" "$OUT.tmp" >"$OUT.merged" && mv "$OUT.merged" "$OUT"; else mv "$OUT.tmp" "$OUT"; fi
rm -f "$OUT.tmp"
log "raw rounds: $(for k in "${!RES[@]}"; do printf '%s=[%s] ' "$k" "${RES[$k]# }"; done)"
