#!/usr/bin/env bash
# Local-storage benchmark (issue 4): upload and download of a 1 MiB file
# through the signed /storage URLs, 32 connections, and the server's peak RSS
# during the uploads (sampled every 20 ms), which stays low only if bodies
# stream to and from disk instead of being buffered.
#
#   bash bench/storage.sh          # from any directory; builds --release first
#
# Runs its own server on SQLite and a temporary storage folder (the database is
# not on this path). Writes bench/results/storage.json. Knobs: BENCH_DURATION
# (10s), BENCH_CONNECTIONS (32), BENCH_PORT (38918), BENCH_SKIP_BUILD=1.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
PORT="${BENCH_PORT:-38918}"
BASE_URL="http://127.0.0.1:$PORT"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/nextstack"
SIZE=$((1024 * 1024))
RSS_TARGET_MB=64

cd "$ROOT"
for tool in wrk curl jq; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }; done
[[ "${BENCH_SKIP_BUILD:-0}" == 1 ]] || cargo build --release -q -p nextstack

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

head -c "$SIZE" /dev/urandom >"$WORK/upload.bin"
NODE_ENV=production HOST=127.0.0.1 PORT="$PORT" RUST_LOG=warn \
  BETTER_AUTH_SECRET="bench-secret-0123456789-0123456789-abcdef" BETTER_AUTH_URL="$BASE_URL" \
  DATABASE_URL="sqlite://$WORK/bench.db?mode=rwc" STORAGE_LOCAL_DIR="$WORK/files" \
  "$BIN" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 200); do curl -fs "$BASE_URL/health" >/dev/null 2>&1 && break; sleep 0.05; done
curl -fs "$BASE_URL/health" >/dev/null || { cat "$WORK/server.log" >&2; exit 1; }

token="$(curl -fs -D - -o /dev/null -H 'content-type: application/json' \
  -d '{"name":"Bench","email":"bench-files@example.com","password":"bench password 123"}' \
  "$BASE_URL/api/auth/sign-up/email" | tr -d '\r' | awk -F': ' 'tolower($1) == "set-auth-token" { print $2 }')"
[[ -n "$token" ]] || { echo "sign-up gave no token" >&2; exit 1; }
auth=(-H "authorization: Bearer $token" -H 'content-type: application/json')

ticket="$(curl -fs "${auth[@]}" -d "{\"filename\":\"bench.bin\",\"mimeType\":\"application/octet-stream\",\"size\":$SIZE}" \
  "$BASE_URL/trpc/main.storage.requestUpload")"
upload_url="$(jq -r '.result.data.uploadUrl' <<<"$ticket")"
file_id="$(jq -r '.result.data.fileId' <<<"$ticket")"

rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$SERVER_PID/status"; }
idle_kb="$(rss_kb)"

# Peak RSS while wrk runs: sample in the background.
sample_rss() {
  local peak=0 now
  while [[ ! -e "$WORK/stop-sampling" ]]; do
    now="$(rss_kb)"; (( now > peak )) && peak=$now
    sleep 0.02
  done
  echo "$peak" >"$WORK/peak.kb"
}

wrk_json() { sed -n 's/^BENCH_JSON //p' "$1" | tail -n1; }

echo "==> upload: wrk -t2 -c$CONNECTIONS -d$DURATION PUT 1 MiB"
sample_rss &
sampler=$!
BENCH_UPLOAD_FILE="$WORK/upload.bin" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency \
  -s bench/upload.lua "$upload_url" >"$WORK/wrk-upload.txt" 2>&1
touch "$WORK/stop-sampling"; wait "$sampler"
peak_kb="$(cat "$WORK/peak.kb")"

confirm="$(curl -fs "${auth[@]}" -d "{\"fileId\":\"$file_id\"}" "$BASE_URL/trpc/main.storage.confirmUpload")"
[[ "$(jq -r '.result.data.status' <<<"$confirm")" == READY ]] || { echo "confirm failed: $confirm" >&2; exit 1; }
input="$(jq -rn --arg id "$file_id" '{fileId: $id} | tojson | @uri')"
download_url="$(curl -fs "${auth[@]}" "$BASE_URL/trpc/main.storage.getDownloadUrl?input=$input" | jq -r '.result.data.downloadUrl')"
curl -fs "$download_url" | cmp - "$WORK/upload.bin" || { echo "downloaded bytes differ" >&2; exit 1; }

echo "==> download: wrk -t2 -c$CONNECTIONS -d$DURATION GET 1 MiB"
rm -f "$WORK/stop-sampling"
sample_rss &
sampler=$!
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s bench/wrk_json.lua "$download_url" \
  >"$WORK/wrk-download.txt" 2>&1
touch "$WORK/stop-sampling"; wait "$sampler"
download_peak_kb="$(cat "$WORK/peak.kb")"

mkdir -p bench/results
jq -n --argjson up "$(wrk_json "$WORK/wrk-upload.txt")" --argjson down "$(wrk_json "$WORK/wrk-download.txt")" \
  --argjson idle "$idle_kb" --argjson peak "$peak_kb" --argjson dpeak "$download_peak_kb" \
  --argjson conns "$CONNECTIONS" --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --arg commit "$(git rev-parse --short HEAD)" --argjson target "$RSS_TARGET_MB" '
  def rate($w): ($w.requests / ($w.duration_us / 1e6));
  def r1: (. * 10 | round) / 10;
  def side($w): {
    requests: $w.requests, non_2xx: $w.errors.status,
    requests_per_sec: (rate($w) | r1), mib_per_sec: (rate($w) | r1),
    latency_ms: {p50: ($w.latency_us.p50 / 1000 | r1), p99: ($w.latency_us.p99 / 1000 | r1)}
  };
  {
    date: $date, commit: $commit, file_mib: 1, connections: $conns,
    upload: side($up), download: side($down),
    memory_mb: {idle: ($idle / 1024 | r1), peak_during_uploads: ($peak / 1024 | r1),
                peak_during_downloads: ($dpeak / 1024 | r1)},
    target: {peak_rss_under_mb: $target, met: ($peak / 1024 < $target)}
  }' | tee bench/results/storage.json
