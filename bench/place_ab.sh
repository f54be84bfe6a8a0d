#!/usr/bin/env bash
# main.order.place, two server builds back to back on one PostgreSQL database
# (issue 13.3: re-measure placement after a change to its write path).
#
#   BENCH_A=/path/to/before/nextstack BENCH_B=/path/to/after/nextstack bash bench/place_ab.sh
#
# Each round starts A, then B (fresh process each time, same database, same
# bench user and ACTIVE offering), and runs wrk on main.order.place against it;
# the medians of ROUNDS rounds are compared. A `main.order.onChange`
# subscriber is connected throughout, so events are really delivered.
# A benchmark, not a test: it exits 0 whatever the numbers are.
#
# Knobs: BENCH_DURATION=8s BENCH_CONNECTIONS=32 BENCH_THREADS=1 BENCH_ROUNDS=3
#        BENCH_PORT=38941 BENCH_DB=nextstack_place_bench
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
A="${BENCH_A:?set BENCH_A to the binary before the change}"
B="${BENCH_B:?set BENCH_B to the binary after the change}"
DURATION="${BENCH_DURATION:-8s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_THREADS:-1}"
ROUNDS="${BENCH_ROUNDS:-3}"
PORT="${BENCH_PORT:-38941}"
DB_NAME="${BENCH_DB:-nextstack_place_bench}"
BASE="http://127.0.0.1:$PORT"
OUT="$BENCH_DIR/results/place_ab.json"
RAW="$BENCH_DIR/results/last-run"
mkdir -p "$RAW"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
for tool in wrk curl jq psql; do command -v "$tool" >/dev/null || die "$tool is needed"; done
pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL is not running on 127.0.0.1:5432"

DB_URL="postgres://postgres@127.0.0.1:5432/$DB_NAME"
log "fresh database $DB_NAME"
PGOPTIONS="-c client_min_messages=warning" psql -X -q -h 127.0.0.1 -U postgres -d postgres \
  -c "DROP DATABASE IF EXISTS $DB_NAME" -c "CREATE DATABASE $DB_NAME" >/dev/null
DATABASE_URL="$DB_URL" "$B" migrate >/dev/null
psql -X -q -h 127.0.0.1 -U postgres -d "$DB_NAME" -v ON_ERROR_STOP=1 -c "
  INSERT INTO \"User\" (\"id\", \"email\", \"name\", \"emailVerified\", \"role\", \"points\", \"createdAt\", \"updatedAt\")
  VALUES ('cbenchseller0000000000001', 'seller@example.com', 'Seller', true, 'USER', 0,
          (now() at time zone 'utc')::timestamp(3), (now() at time zone 'utc')::timestamp(3));
  INSERT INTO \"Offering\" (\"id\", \"sellerId\", \"title\", \"priceCents\", \"currency\", \"status\", \"createdAt\", \"updatedAt\")
  VALUES ('cbenchoffer00000000000001', 'cbenchseller0000000000001', 'Bench lesson', 1999, 'USD', 'ACTIVE',
          (now() at time zone 'utc')::timestamp(3), (now() at time zone 'utc')::timestamp(3));" >/dev/null

SERVER_PID="" SUB_PID=""
stop_server() {
  [[ -n "$SUB_PID" ]] && kill "$SUB_PID" 2>/dev/null || true
  SUB_PID=""
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap stop_server EXIT

start_server() {
  local name="$1" bin="$2"
  stop_server
  env -i PATH="$PATH" NODE_ENV=production PORT="$PORT" HOST=127.0.0.1 LOG_FORMAT=json RUST_LOG=warn \
    BETTER_AUTH_SECRET=bench-secret-that-is-long-enough-0123456789 DATABASE_URL="$DB_URL" \
    RATE_LIMIT_MAX_REQUESTS=1000000000 AUTH_RATE_LIMIT_MAX_REQUESTS=1000000 \
    STORAGE_LOCAL_DIR="$RAW/uploads" "$bin" serve >"$RAW/place-$name.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    curl -fs "$BASE/health" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  die "server $name did not start (see $RAW/place-$name.log)"
}

COOKIE=""
session_cookie() {
  local set_cookie
  set_cookie="$(curl -s -D - -o /dev/null -H 'content-type: application/json' -H 'origin: http://localhost:3000' \
    -d '{"name":"Bench","email":"place-bench@example.com","password":"bench password 123"}' "$BASE/api/auth/sign-up/email")"
  COOKIE="$(tr -d '\r' <<<"$set_cookie" | awk -F': ' 'tolower($1) == "set-cookie" && $2 ~ /session_token=/ { split($2, a, ";"); print a[1]; exit }')"
  [[ -n "$COOKIE" ]] || die "no session cookie"
}

# place NAME: wrk on main.order.place with a live subscriber; prints req/s.
place() {
  local name="$1" out="$RAW/place-wrk-$1.txt"
  curl -sN -H "Cookie: $COOKIE" "$BASE/trpc/main.order.onChange?input=%7B%7D" >"$RAW/place-sub-$name.txt" &
  SUB_PID=$!
  (cd "$ROOT" && wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: $COOKIE" \
    -s bench/place.lua "$BASE/trpc/main.order.place") >"$out" 2>&1
  if grep -q "Non-2xx" "$out"; then echo "WARN: $name had non-2xx responses: $(grep Non-2xx "$out")" >&2; fi
  awk '/Requests\/sec/ { print $2 }' "$out"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

declare -a RES_A=() RES_B=()
for round in $(seq 1 "$ROUNDS"); do
  log "round $round/$ROUNDS"
  start_server "a-$round" "$A"
  [[ -n "$COOKIE" ]] || session_cookie
  RES_A+=("$(place "a-$round")")
  start_server "b-$round" "$B"
  RES_B+=("$(place "b-$round")")
done
stop_server
events_seen="$(grep -c '^data: {"id"' "$RAW/place-sub-b-$ROUNDS.txt" || true)"

jq -n --arg date "$(date -u +%FT%TZ)" --arg commit "$(git -C "$ROOT" rev-parse --short HEAD)" \
  --arg wrk "-t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds alternating A B, medians" \
  --argjson a "$(median "${RES_A[@]}")" --argjson b "$(median "${RES_B[@]}")" \
  --arg runs_a "${RES_A[*]}" --arg runs_b "${RES_B[*]}" --argjson seen "${events_seen:-0}" '
  { date: $date, commit: $commit, wrk: $wrk,
    place_rps: { before: $a, after: $b, ratio: (if $a > 0 then ($b / $a * 1000 | round / 1000) else null end),
                 runs_before: $runs_a, runs_after: $runs_b },
    events_received_by_subscriber_last_round: $seen }' | tee "$OUT"
