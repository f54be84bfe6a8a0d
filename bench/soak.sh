#!/usr/bin/env bash
# Soak (issue 12): SOAK_MINUTES (10) of a mixed workload on PostgreSQL at about
# 80 % of its measured peak — reads with a cookie, list pages, the feed, order
# placements and transitions, upload requests, sign-ins (bench/soak.lua).
# Reports per minute: requests, 5xx, socket errors, p50/p99 and RSS, and the
# checks: 5xx = 0, socket errors = 0, p99 of the last minute <= 1.5 x the
# first, RSS of the last minute within 10 % of the second.
#
#   bash bench/soak.sh        (BENCH_SKIP_BUILD=1 to reuse target/release/nextstack)
#
# A harness, not a test: it exits 0 and writes bench/results/soak.json.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
MINUTES="${SOAK_MINUTES:-10}"
CONNECTIONS="${SOAK_CONNECTIONS:-32}"
PORT="${BENCH_PORT:-38933}"
DB_NAME="${BENCH_DB:-nextstack_soak}"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/nextstack"
BASE="http://127.0.0.1:$PORT"
RAW="$BENCH_DIR/results/last-run"
OUT="$BENCH_DIR/results/soak.json"
mkdir -p "$RAW"
log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
psql_db() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 "$@"; }

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  (cd "$ROOT" && cargo build --release -q -p nextstack)
fi
DB_URL="postgres://postgres@127.0.0.1:5432/$DB_NAME"
psql_db -d postgres -c "DROP DATABASE IF EXISTS $DB_NAME" -c "CREATE DATABASE $DB_NAME" >/dev/null
DATABASE_URL="$DB_URL" "$BIN" migrate >/dev/null
log "seeding 10 000 users, 10 000 posts, an offering"
psql_db -d "$DB_NAME" -c "
  INSERT INTO \"User\" (\"id\", \"email\", \"name\", \"emailVerified\", \"role\", \"points\", \"createdAt\", \"updatedAt\")
  SELECT 'cbench' || lpad(i::text, 19, '0'), 'bench' || i || '@example.com', 'Bench ' || i, false, 'USER', 0,
         (now() at time zone 'utc')::timestamp(3) - make_interval(secs => i), (now() at time zone 'utc')::timestamp(3)
  FROM generate_series(1, 10000) AS i;
  INSERT INTO \"Post\" (\"id\", \"authorId\", \"title\", \"content\", \"status\", \"publishedAt\", \"createdAt\", \"updatedAt\")
  SELECT 'cbenchpost' || lpad(i::text, 15, '0'), 'cbench' || lpad((1 + i % 10000)::text, 19, '0'), 'Post ' || i,
         repeat('Lorem ipsum dolor sit amet. ', 20), 'PUBLISHED', (now() at time zone 'utc')::timestamp(3),
         (now() at time zone 'utc')::timestamp(3) - make_interval(secs => i), (now() at time zone 'utc')::timestamp(3)
  FROM generate_series(1, 10000) AS i;
  INSERT INTO \"Offering\" (\"id\", \"sellerId\", \"title\", \"priceCents\", \"currency\", \"status\", \"createdAt\", \"updatedAt\")
  VALUES ('cbenchoffer00000000000001', 'cbench0000000000000000001', 'Bench lesson', 1999, 'USD', 'ACTIVE',
          (now() at time zone 'utc')::timestamp(3), (now() at time zone 'utc')::timestamp(3));" >/dev/null
psql_db -d "$DB_NAME" -c "VACUUM ANALYZE" >/dev/null

env -i PATH="$PATH" NODE_ENV=production PORT="$PORT" HOST=127.0.0.1 LOG_FORMAT=json RUST_LOG=warn \
  BETTER_AUTH_SECRET=bench-secret-that-is-long-enough-0123456789 DATABASE_URL="$DB_URL" \
  RATE_LIMIT_MAX_REQUESTS=1000000000 AUTH_RATE_LIMIT_MAX_REQUESTS=1000000000 UPLOAD_RATE_LIMIT_MAX_REQUESTS=1000000000 \
  MAX_PENDING_UPLOADS_PER_USER=100000000 STORAGE_QUOTA_BYTES_PER_USER=1000000000000 \
  STORAGE_LOCAL_DIR="$RAW/soak-uploads" "$BIN" serve >"$RAW/soak-server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do curl -fs "$BASE/health" >/dev/null 2>&1 && break; sleep 0.05; done

SIGN_UP="$(curl -s -D "$RAW/soak-signup.headers" -H 'content-type: application/json' \
  -d '{"name":"Soak","email":"soak@example.com","password":"soak password 123"}' "$BASE/api/auth/sign-up/email")"
USER_ID="$(jq -r .user.id <<<"$SIGN_UP")"
COOKIE="$(tr -d '\r' <"$RAW/soak-signup.headers" | awk -F': ' 'tolower($1) == "set-cookie" && $2 ~ /session_token=/ { split($2, a, ";"); print a[1]; exit }')"
[[ -n "$COOKIE" && "$USER_ID" != null ]] || die "sign-up failed: $SIGN_UP"

# Uploaders: uploads spread over UPLOADERS users, as in an app with many users
# (one user's quota check reads all of that user's files).
UPLOADERS="${SOAK_UPLOADERS:-50}"
: >"$RAW/soak-uploaders.txt"
for i in $(seq 1 "$UPLOADERS"); do
  curl -s -D - -o /dev/null -H 'content-type: application/json' \
    -d "{\"name\":\"Uploader $i\",\"email\":\"uploader$i@example.com\",\"password\":\"soak password 123\"}" \
    "$BASE/api/auth/sign-up/email" | tr -d '\r' \
    | awk -F': ' 'tolower($1) == "set-cookie" && $2 ~ /session_token=/ { split($2, a, ";"); print a[1]; exit }' \
    >>"$RAW/soak-uploaders.txt"
done
[[ "$(grep -c session_token "$RAW/soak-uploaders.txt")" == "$UPLOADERS" ]] || die "uploader sign-ups failed"

# Orders on the soak user's own offering, for it to confirm and complete (one use each).
log "pre-creating orders for transitions"
psql_db -d "$DB_NAME" -c "
  INSERT INTO \"Offering\" (\"id\", \"sellerId\", \"title\", \"priceCents\", \"currency\", \"status\", \"createdAt\", \"updatedAt\")
  VALUES ('csoakoffer000000000000001', '$USER_ID', 'Soak lesson', 500, 'USD', 'ACTIVE',
          (now() at time zone 'utc')::timestamp(3), (now() at time zone 'utc')::timestamp(3));
  INSERT INTO \"Order\" (\"id\", \"buyerId\", \"offeringId\", \"quantity\", \"unitPriceCents\", \"totalCents\", \"currency\", \"status\", \"createdAt\", \"updatedAt\")
  SELECT 'csoakorder' || lpad(i::text, 15, '0'), 'cbench' || lpad((1 + i % 10000)::text, 19, '0'), 'csoakoffer000000000000001',
         1, 500, 500, 'USD', 'PENDING', (now() at time zone 'utc')::timestamp(3), (now() at time zone 'utc')::timestamp(3)
  FROM generate_series(1, 60000) AS i;" >/dev/null
psql_db -d "$DB_NAME" -At -c "SELECT id FROM \"Order\" WHERE \"offeringId\" = 'csoakoffer000000000000001'" >"$RAW/soak-orders.txt"

# run SECONDS DELAY_MS SLICE -> the SOAK_JSON line. Every run gets its own slice of the orders.
ORDERS_PER_RUN=$((60000 / (MINUTES + 7)))
run() {
  local skip=$(($3 * ORDERS_PER_RUN))
  SOAK_COOKIE="$COOKIE" SOAK_DELAY_MS="$2" SOAK_ORDERS="$RAW/soak-orders.txt" SOAK_UPLOADERS="$RAW/soak-uploaders.txt" \
    SOAK_ORDER_SKIP="$skip" SOAK_ORDER_TAKE="$ORDERS_PER_RUN" \
    wrk -t1 -c"$CONNECTIONS" -d"$1s" --timeout 5s -s "$BENCH_DIR/soak.lua" "$BASE" 2>&1 | sed -n 's/^SOAK_JSON //p'
}
rate() { jq -r '.requests / (.duration_us / 1e6)' <<<"$1"; }

log "peak of the mix (20 s, no delay)"
PEAK_JSON="$(run 20 0 0)"
PEAK="$(rate "$PEAK_JSON")"
TARGET="$(awk -v p="$PEAK" 'BEGIN { printf "%.0f", p * 0.8 }')"
# Each connection sends, waits for the answer, then waits `delay`: its period is
# mean latency + delay, and the rate connections / period. The delay is solved
# for at the latency just measured, and again after every run (calibration,
# then each minute), since latency falls as the load does.
next_delay() { # LAST_JSON -> the delay for the target rate
  jq -r --argjson c "$CONNECTIONS" --argjson t "$TARGET" --argjson d "${DELAY:-0}" '
    (.mean_us / 1000) as $l | (.requests / (.duration_us / 1e6)) as $r |
    # period now: c / r = l + d (+ wrk overhead); wanted: c / t.
    (1000 * $c / $t - (1000 * $c / $r - $d)) | if . < 0 then 0 else . end | floor' <<<"$1"
}
DELAY=0
DELAY="$(next_delay "$PEAK_JSON")"
for slice in 1 2 3 4 5 6; do
  CAL_JSON="$(run 10 "$DELAY" "$slice")"
  log "calibration: delay ${DELAY} ms -> $(rate "$CAL_JSON") req/s"
  DELAY="$(next_delay "$CAL_JSON")"
  awk -v r="$(rate "$CAL_JSON")" -v t="$TARGET" 'BEGIN { exit !(r > 0.95 * t && r < 1.05 * t) }' && break
done
log "peak ${PEAK} req/s; soaking at about ${TARGET} req/s (delay ${DELAY} ms per connection) for ${MINUTES} min"

: >"$RAW/soak-minutes.jsonl"
# RSS is sampled every second during each minute and reported as the minute's
# median (and maximum): one reading can land on a sign-in's scrypt buffer
# (BetterAuth's parameters, N = 16384 and r = 16, take 32 MiB per hash, freed when it ends).
sample_rss() {
  while kill -0 "$SERVER" 2>/dev/null; do
    awk '/VmRSS/ { print $2 }' "/proc/$SERVER/status" 2>/dev/null || true
    sleep 1
  done
}
for minute in $(seq 1 "$MINUTES"); do
  sample_rss >"$RAW/soak-rss.txt" &
  SAMPLER=$!
  line="$(run 60 "$DELAY" $((minute + 6)))"
  kill "$SAMPLER" 2>/dev/null || true
  wait "$SAMPLER" 2>/dev/null || true
  rss="$(sort -n "$RAW/soak-rss.txt" | awk '{ v[NR] = $1 } END { printf "{\"median_kb\":%d,\"max_kb\":%d}", v[int((NR + 1) / 2)], v[NR] }')"
  jq -c --argjson minute "$minute" --argjson rss "$rss" \
    '. + {minute: $minute, rss_mb: ($rss.median_kb / 1024), rss_max_mb: ($rss.max_kb / 1024), rps: (.requests / (.duration_us / 1e6))}' <<<"$line" \
    | tee -a "$RAW/soak-minutes.jsonl" >&2
  DELAY="$(next_delay "$line")"
done

jq -s --argjson peak "$PEAK" --argjson target "$TARGET" '
  . as $m |
  ($m | map(.s5xx) | add) as $e5 |
  ($m | map(.connect_errors + .read_errors + .write_errors + .timeouts) | add) as $sock |
  {
    peak_rps: $peak, target_rps: $target, minutes: ($m | length),
    requests: ($m | map(.requests) | add), s5xx: $e5, s4xx: ($m | map(.s4xx) | add), socket_errors: $sock,
    per_minute: ($m | map({minute, rps: (.rps | floor), p50_ms: (.p50_us / 1000), p99_ms: (.p99_us / 1000), s5xx, rss_mb, rss_max_mb})),
    checks: {
      no_5xx: ($e5 == 0),
      no_socket_errors: ($sock == 0),
      p99_last_within_1_5x_first: ($m[-1].p99_us <= 1.5 * $m[0].p99_us),
      rss_last_within_10pct_of_second: (($m[-1].rss_mb - $m[1].rss_mb) | fabs <= 0.1 * $m[1].rss_mb)
    }
  }' "$RAW/soak-minutes.jsonl" | tee "$OUT"
