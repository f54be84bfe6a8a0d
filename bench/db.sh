#!/usr/bin/env bash
# The database-bound scenarios (issue 14), each against its ceiling, in one run:
#
#   BENCH_A=/path/to/before/nextstack bash bench/db.sh
#
# - B is this checkout's release build (built unless BENCH_SKIP_BUILD=1), A an
#   earlier build to compare with (optional). Each gets a database of its own,
#   migrated by itself and seeded alike (bench/run.sh's seeds), so A runs on
#   its own schema.
# - Scenarios (wrk -t1 -c32 -d10s, a signed-in cookie): core.user.get,
#   core.user.list, a 3-call batch (core.user.get + core.user.list +
#   core.post.list), core.post.list, main.post.feed, main.order.place; B also
#   with SESSION_CACHE_TTL_MS=0 for core.user.get (cache on vs off).
# - Ceiling: the statements B sends for one request of each scenario
#   (bench/ceiling/*.sql, taken from PostgreSQL's log of B's statements),
#   replayed by `pgbench -M prepared` with the same 32 connections.
# - Rounds alternate A, B, B-without-cache and pgbench (BENCH_ROUNDS, 3);
#   medians are reported. A benchmark, not a test: it exits 0 whatever the
#   numbers, and writes bench/results/db.json.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/run.sh
source "$BENCH_DIR/run.sh"
trap 'stop_server' EXIT

ROUNDS="${BENCH_ROUNDS:-3}"
DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
A_BIN="${BENCH_A:-}"
B_BIN="$BIN"
OUT="$RESULTS_DIR/db.json"
RAW="$RESULTS_DIR/last-run"
mkdir -p "$RAW"

# name|path (the batch input: {"0":{"id":…},"1":{"limit":20},"2":{"limit":20}})
DB_SCENARIOS=(
  "user_get|/trpc/core.user.get?input=%7B%22id%22%3A%22cbench0000000000000005000%22%7D"
  "user_list|/trpc/core.user.list?input=%7B%22limit%22%3A20%7D"
  "batch3|/trpc/core.user.get,core.user.list,core.post.list?batch=1&input=%7B%220%22%3A%7B%22id%22%3A%22cbench0000000000000005000%22%7D%2C%221%22%3A%7B%22limit%22%3A20%7D%2C%222%22%3A%7B%22limit%22%3A20%7D%7D"
  "post_list|/trpc/core.post.list?input=%7B%22limit%22%3A20%7D"
  "post_feed|/trpc/main.post.feed?input=%7B%22limit%22%3A20%7D"
  "order_place|/trpc/main.order.place"
)

prepare_db() { # $1 = database, $2 = binary
  DB_NAME="$1"
  recreate_db
  DATABASE_URL="postgres://postgres@$HOST:$PG_PORT/$1" "$2" migrate >"$RAW/migrate-$1.log" 2>&1 \
    || { cat "$RAW/migrate-$1.log" >&2; die "migrate failed for $1"; }
  seed_users
  seed_content
}

start() { # $1 = binary, $2 = database, then extra VAR=value
  local bin="$1" db="$2"
  shift 2
  env -i PATH="$PATH" NODE_ENV=production HOST="$HOST" PORT="$PORT" RUST_LOG=warn AUTO_MIGRATE=false \
    BETTER_AUTH_SECRET=bench-secret-that-is-long-enough-0123456789 BETTER_AUTH_URL="$BASE_URL" \
    RATE_LIMIT_MAX_REQUESTS=1000000000 AUTH_RATE_LIMIT_MAX_REQUESTS=1000000000 \
    DATABASE_URL="postgres://postgres@$HOST:$PG_PORT/$db" "$@" "$bin" >"$RAW/db-server.log" 2>&1 &
  SERVER_PID=$!
  local i
  for ((i = 0; i < 400; i++)); do
    [[ "$(http_status /health)" == 200 ]] && return 0
    sleep 0.025
  done
  show_server_log
  die "server did not start"
}

cookie_for() { # signs up (or in) the bench user on the running server
  local body='{"name":"Bench","email":"bench-login@example.com","password":"bench password 123"}'
  local c
  c="$(curl -s -D - -o /dev/null -H 'content-type: application/json' -d "$body" "$BASE_URL/api/auth/sign-up/email" \
    | tr -d '\r' | awk -F': ' 'tolower($1) == "set-cookie" && $2 ~ /session_token=/ { split($2, a, ";"); print a[1]; exit }')"
  if [[ -z "$c" ]]; then
    c="$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
      -d '{"email":"bench-login@example.com","password":"bench password 123"}' "$BASE_URL/api/auth/sign-in/email" \
      | tr -d '\r' | awk -F': ' 'tolower($1) == "set-cookie" && $2 ~ /session_token=/ { split($2, a, ";"); print a[1]; exit }')"
  fi
  [[ -n "$c" ]] || die "no session cookie"
  printf '%s' "$c"
}

# CPU accounting, to say where the time goes: the machine's busy time
# (/proc/stat: user, nice, system, irq, softirq) over a run, the server's own
# (/proc/PID/stat utime + stime) and the load client's (wrk or pgbench, from
# /usr/bin/time), PostgreSQL's (its live processes, plus the exited backends
# the postmaster has reaped: its cutime + cstime) and the kernel's softirq
# time (loopback TCP); "other" is what remains (the rest of the machine).
TICK_S="$(awk -v t="$(getconf CLK_TCK)" 'BEGIN { print 1 / t }')"
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
softirq_ticks() { awk '/^cpu / { print $8 }' /proc/stat; }
proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
postgres_ticks() {
  local postmaster
  postmaster="$(pgrep -o -x postgres)"
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v pm="$postmaster" '
    $2 == "(postgres)" { t += $14 + $15; if ($1 == pm) t += $16 + $17 } END { print t + 0 }'
}
cpu_begin() { CPU0=("$(busy_ticks)" "$(softirq_ticks)" "$(postgres_ticks)" "$(proc_ticks "${SERVER_PID:-0}")"); }
cpu_end() { CPU1=("$(busy_ticks)" "$(softirq_ticks)" "$(postgres_ticks)" "$(proc_ticks "${SERVER_PID:-0}")"); }
# variant scenario requests client-"user system" seconds (after cpu_begin/cpu_end) -> cpu samples (µs per request)
cpu_sample() {
  local variant="$1" name="$2" requests="$3" client="$4"
  [[ "${requests:-0}" -gt 0 ]] || return 0
  local cu cs
  read -r cu cs <<<"$client"
  awk -v r="$requests" -v t="$TICK_S" -v cu="$cu" -v cs="$cs" -v v="$variant" -v n="$name" \
    -v busy="$((CPU1[0] - CPU0[0]))" -v softirq="$((CPU1[1] - CPU0[1]))" \
    -v pg="$((CPU1[2] - CPU0[2]))" -v server="$((CPU1[3] - CPU0[3]))" 'BEGIN {
      us = t * 1e6 / r
      client = (cu + cs) * 1e6 / r
      if (v == "ceiling") server = 0
      other = busy * us - server * us - pg * us - softirq * us - client
      if (other < 0) other = 0
      printf "%s_cpu_client\t%s\t%.1f\n", v, n, client
      if (v != "ceiling") printf "%s_cpu_server\t%s\t%.1f\n", v, n, server * us
      printf "%s_cpu_postgres\t%s\t%.1f\n", v, n, pg * us
      printf "%s_cpu_softirq\t%s\t%.1f\n", v, n, softirq * us
      printf "%s_cpu_other\t%s\t%.1f\n", v, n, other
      rest = busy * us - server * us - client
      printf "%s_cpu_rest\t%s\t%.1f\n", v, n, (rest < 0 ? 0 : rest)
    }' >>"$RAW/db-samples.tsv"
}

wrk_rps() { # $1 = variant, $2 = scenario name, $3 = path, $4 = cookie -> req/s (non-2xx are reported)
  local script="$LUA"
  [[ "$2" == order_place ]] && script="$BENCH_DIR/place.lua"
  local out
  cpu_begin
  out="$(cd "$ROOT" && /usr/bin/time -f '%U %S' -o "$RAW/db-time-$2.txt" \
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -H "Cookie: $4" -s "$script" "$BASE_URL$3" 2>&1)"
  cpu_end
  printf '%s\n' "$out" >"$RAW/db-wrk-$2.txt"
  if grep -q "Non-2xx" <<<"$out"; then
    warn "$2: $(grep Non-2xx <<<"$out")"
  fi
  cpu_sample "$1" "$2" "$(awk '/requests in/ { print $1 }' <<<"$out")" "$(tail -n 1 "$RAW/db-time-$2.txt")"
  awk '/^Requests\/sec:/ { print $2 }' <<<"$out"
}

pgbench_tps() { # $1 = scenario -> transactions/s of its statements on B's database
  local script="$BENCH_DIR/ceiling/$1.sql"
  local viewer out
  viewer="$(psql -h "$HOST" -p "$PG_PORT" -U postgres -d "$B_DB" -At \
    -c "SELECT id FROM \"User\" WHERE email = 'bench-login@example.com'")"
  cpu_begin
  out="$(/usr/bin/time -f '%U %S' -o "$RAW/db-time-pgbench-$1.txt" \
    pgbench -h "$HOST" -p "$PG_PORT" -U postgres -n -M prepared -c "$CONNECTIONS" -j 1 -T "${DURATION%s}" \
    -D viewer="$viewer" -f "$script" "$B_DB" 2>"$RAW/db-pgbench-$1.err" || true)"
  cpu_end
  cpu_sample ceiling "$1" "$(awk '/^number of transactions actually processed:/ { print $6 }' <<<"$out")" \
    "$(tail -n 1 "$RAW/db-time-pgbench-$1.txt")"
  awk '/^tps = / { print $3 }' <<<"$out"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

[[ "${BASH_SOURCE[0]}" == "$0" ]] || return 0

ensure_tools
command -v pgbench >/dev/null || die "pgbench is needed (postgresql-client)"
run_rounds() {
  ensure_postgres
  if [[ "$SKIP_BUILD" != 1 ]]; then (cd "$ROOT" && cargo build --release -q -p nextstack); fi
  B_DB=nextstack_bench_b
  A_DB=nextstack_bench_a
  prepare_db "$B_DB" "$B_BIN"
  [[ -n "$A_BIN" ]] && prepare_db "$A_DB" "$A_BIN"

  : >"$RAW/db-samples.tsv"
  sample() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RAW/db-samples.tsv"; } # variant scenario value

  for round in $(seq 1 "$ROUNDS"); do
    log "round $round of $ROUNDS"
    variants=(B B0)
    [[ -n "$A_BIN" ]] && variants=(A B B0)
    for variant in "${variants[@]}"; do
      case "$variant" in
        A) start "$A_BIN" "$A_DB" ;;
        B) start "$B_BIN" "$B_DB" ;;
        B0) start "$B_BIN" "$B_DB" SESSION_CACHE_TTL_MS=0 ;;
      esac
      cookie="$(cookie_for)"
      for s in "${DB_SCENARIOS[@]}"; do
        name="${s%%|*}"
        [[ "$variant" == B0 && "$name" != user_get ]] && continue
        rps="$(wrk_rps "$variant" "$name" "${s#*|}" "$cookie")"
        log "  $variant $name: $rps req/s"
        sample "$variant" "$name" "$rps"
      done
      stop_server
    done
    for s in "${DB_SCENARIOS[@]}"; do
      name="${s%%|*}"
      tps="$(pgbench_tps "$name")"
      if [[ -z "$tps" ]] || grep -q "error" "$RAW/db-pgbench-$name.err"; then
        warn "pgbench $name failed: $(tail -n 2 "$RAW/db-pgbench-$name.err")"
        continue
      fi
      log "  ceiling $name: $tps tps"
      sample ceiling "$name" "$tps"
    done
  done
}
# BENCH_SUMMARY_ONLY=1: summarize the samples of the last run again.
[[ "${BENCH_SUMMARY_ONLY:-0}" == 1 ]] || run_rounds

# Medians per (variant, scenario), then the ratios.
{
  for variant in A B B0 ceiling {A,B,B0,ceiling}_cpu_{client,server,postgres,softirq,other,rest}; do
    for s in "${DB_SCENARIOS[@]}"; do
      name="${s%%|*}"
      values="$(awk -F'\t' -v v="$variant" -v n="$name" '$1 == v && $2 == n { print $3 }' "$RAW/db-samples.tsv")"
      [[ -n "$values" ]] || continue
      printf '{"variant":"%s","scenario":"%s","median":%s,"runs":"%s"}\n' \
        "$variant" "$name" "$(median <<<"$values")" "$(tr '\n' ' ' <<<"$values" | sed 's/ $//')"
    done
  done
} | jq -s --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg commit "$(git -C "$ROOT" rev-parse --short HEAD)" \
  --arg wrk "-t1 -c$CONNECTIONS -d$DURATION, $ROUNDS rounds, medians" '
  . as $all
  | def m(v; s): ($all | map(select(.variant == v and .scenario == s)) | first | .median) // null;
  {
    date: $date, commit: $commit, wrk: $wrk,
    scenarios: ([$all[].scenario] | unique | map(. as $s | {
      scenario: $s,
      before_rps: m("A"; $s), after_rps: m("B"; $s), ceiling_tps: m("ceiling"; $s),
      after_over_before: (if m("A"; $s) then (m("B"; $s) / m("A"; $s) * 100 | round / 100) else null end),
      after_over_ceiling: (if m("ceiling"; $s) then (m("B"; $s) / m("ceiling"; $s) * 100 | round / 100) else null end),
      cpu_us_per_request: ([["after", "B"], ["after_cache_off", "B0"], ["before", "A"], ["ceiling", "ceiling"]]
        | map(.[1] as $v | {key: .[0], value: {
            server: m($v + "_cpu_server"; $s), load_client: m($v + "_cpu_client"; $s),
            postgres: m($v + "_cpu_postgres"; $s), softirq: m($v + "_cpu_softirq"; $s), other: m($v + "_cpu_other"; $s),
            all_but_server_and_client: m($v + "_cpu_rest"; $s)
          }})
        | map(select(.value.all_but_server_and_client != null)) | from_entries)
    })),
    session_cache: {
      user_get_cache_on: m("B"; "user_get"), user_get_cache_off: m("B0"; "user_get"),
      on_over_off: (if m("B0"; "user_get") then (m("B"; "user_get") / m("B0"; "user_get") * 100 | round / 100) else null end)
    },
    samples: $all
  }' | tee "$OUT"
