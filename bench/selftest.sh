#!/usr/bin/env bash
# Self-test of the benchmark harness, WITHOUT building or running the real
# server: runs bench/run.sh against bench/selftest/fake_nextstack.py (a tiny
# Python HTTP server on 127.0.0.1) with short durations, then checks the JSON.
# Uses a scratch database (nextstack_bench_selftest, dropped at the end) and a
# temporary results directory, so bench/results/latest.json is not touched.
#
#   bash bench/selftest.sh
# shellcheck disable=SC2016  # $vars inside single quotes are jq / bash -c code
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FAKE="$BENCH_DIR/selftest/fake_nextstack.py"
TMP="$(mktemp -d)"
PORT=38918
DB=nextstack_bench_selftest
trap 'rm -rf "$TMP"; psql -X -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true' EXIT

passed=0 failed=0
check() {  # $1 = description, rest = command
  local d="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "  ok   $d"
  else failed=$((failed + 1)); echo "  FAIL $d"; fi
}
jqe() { jq -e "$@" >/dev/null; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

run_bench() {  # $1 = case name; extra env via the caller's environment
  local out="$TMP/$1"
  mkdir -p "$out"
  set +e
  BENCH_SKIP_BUILD=1 BENCH_BIN="$FAKE" BENCH_DB="$DB" BENCH_PORT="$PORT" \
    BENCH_RESULTS_DIR="$out" BENCH_DURATION=2s BENCH_WARMUP=1s \
    BENCH_CONNECTIONS=16 BENCH_SETTLE=0.5 \
    bash "$BENCH_DIR/run.sh" >"$out/stdout.txt" 2>"$out/stderr.txt"
  echo $? >"$out/rc"
  set -e
}

echo "case 1: healthy fake server"
run_bench ok
J="$TMP/ok/latest.json"
check "run.sh exits 0" test "$(cat "$TMP/ok/rc")" = 0
check "latest.json written and valid" jqe '.schema == 1' "$J"
check "machine/tools info" jqe '.machine.nproc > 0 and (.tools.wrk | type == "string")' "$J"
check "start-up: 3 runs, best = min" \
  jqe '(.startup.runs_ms | length == 3) and .startup.best_ms == (.startup.runs_ms | min) and .startup.best_ms > 0' "$J"
check "idle and peak RSS > 0, peak >= idle" \
  jqe '.memory.idle_rss_mb > 0 and .memory.peak_rss_mb >= .memory.idle_rss_mb' "$J"
check "4 scenarios in order" \
  jqe '(.scenarios | keys_unsorted) == ["health","meta_health","meta_batch3","ready"]' "$J"
check "every scenario: requests > 0, rps > 0, p50 <= p99, no flags" \
  jqe '[.scenarios[] | .requests > 0 and .requests_per_sec > 0
        and .latency_ms.p50 <= .latency_ms.p99 and .ok and .non_2xx == 0
        and .socket_errors.total == 0 and .precheck_status == 200] | all' "$J"
check "5 targets, each PASS or MISS with a value" \
  jqe '(.targets | length == 5) and ([.targets[] | (.result == "PASS" or .result == "MISS") and .value != null] | all)' "$J"
check "table printed" grep -q 'meta_batch3' "$TMP/ok/stdout.txt"
check "PASS/MISS lines printed" grep -Eq '^  (PASS|MISS) ' "$TMP/ok/stdout.txt"
check "server killed on exit" port_free
check "git commit is null or a sha" jqe '.git.commit == null or (.git.commit | test("^[0-9a-f]{40}$"))' "$J"
# starts 1 and 2 only ever see the /health probe (start 3 also takes wrk load,
# and wrk resets in-flight connections when a run ends)
check "probe closes cleanly (no server-side tracebacks in starts 1-2)" \
  bash -c '! grep -l Traceback "$1"/last-run/server-start[12].log' _ "$TMP/ok"

echo "case 2: /ready answers 503 -> flagged, still exit 0"
FAKE_READY_STATUS=503 run_bench ready503
J="$TMP/ready503/latest.json"
check "run.sh exits 0" test "$(cat "$TMP/ready503/rc")" = 0
check "ready flagged with non-2xx" \
  jqe '.scenarios.ready.ok == false and .scenarios.ready.non_2xx > 0 and .scenarios.ready.precheck_status == 503' "$J"
check "others not flagged" jqe '.summary.flagged_scenarios == ["ready"]' "$J"
check "FLAG shown in table" grep -q 'FLAG:' "$TMP/ready503/stdout.txt"
check "server killed on exit" port_free

echo "case 2b: server needs 400 ms to bind -> start-up reflects it"
FAKE_START_DELAY_MS=400 run_bench slow
J="$TMP/slow/latest.json"
base="$(jq '.startup.best_ms' "$TMP/ok/latest.json")"
# loose upper bound: a busy 2-core machine delays the poll loop's wake-ups
check "best start-up grows by ~400 ms (380..650 over the no-delay run)" \
  jqe --argjson b "$base" '(.startup.best_ms - $b) as $d | $d >= 380 and $d <= 650' "$J"

echo "case 3: server crashes at start -> non-zero exit, log shown"
FAKE_CRASH=1 run_bench crash
check "run.sh exits non-zero" test "$(cat "$TMP/crash/rc")" != 0
check "server log tail shown" grep -q 'fake crash' "$TMP/crash/stderr.txt"
check "no latest.json" test ! -e "$TMP/crash/latest.json"

echo "case 4: port already taken -> refuses to start"
python3 -m http.server "$PORT" --bind 127.0.0.1 >/dev/null 2>&1 &
blocker=$!
for _ in $(seq 50); do port_free || break; sleep 0.1; done
run_bench busy
kill "$blocker" 2>/dev/null || true; wait "$blocker" 2>/dev/null || true
check "run.sh exits non-zero" test "$(cat "$TMP/busy/rc")" != 0
check "says port is in use" grep -q 'already listening' "$TMP/busy/stderr.txt"

if ((failed)); then
  echo "--- stderr of failing cases may help: ---"
  for c in ok ready503 slow crash busy; do echo "[$c]"; tail -n 15 "$TMP/$c/stderr.txt" 2>/dev/null || true; done
fi
echo "$passed passed, $failed failed"
((failed == 0))
