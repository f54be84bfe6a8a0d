#!/usr/bin/env bash
# Graceful shutdown under load (issue 11): drives a mixed load (cheap reads and
# slow ones) on PostgreSQL, sends SIGTERM mid-load, and reports:
#   - requests the server accepted vs answered (its own count, logged as it stops);
#   - what the clients saw: answers, connections refused after the signal
#     (expected: the listener closes), and requests lost on an open connection;
#   - the exit code and the time from SIGTERM to exit (within SHUTDOWN_TIMEOUT_MS).
# `lost_on_open_connection` counts requests written to a keep-alive connection
# the server was closing as it drained: the server never read them (they are
# not in its `accepted`), the HTTP/1.1 race every client retries idempotent
# requests for. The server-side figures are the ones that must match.
#
#   bash bench/shutdown.sh            (BENCH_SKIP_BUILD=1 to reuse target/release/nextstack)
#
# A harness, not a test: it prints the figures and exits 0.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
PORT="${BENCH_PORT:-38932}"
DB_NAME="${BENCH_DB:-nextstack_shutdown_bench}"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/nextstack"
RAW="$BENCH_DIR/results/last-run"
OUT="$BENCH_DIR/results/shutdown.json"
mkdir -p "$RAW"
log() { printf '==> %s\n' "$*" >&2; }

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  (cd "$ROOT" && cargo build --release -q -p nextstack)
fi
DB_URL="postgres://postgres@127.0.0.1:5432/$DB_NAME"
PGOPTIONS="-c client_min_messages=warning" psql -X -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB_NAME" -c "CREATE DATABASE $DB_NAME" >/dev/null
DATABASE_URL="$DB_URL" "$BIN" migrate >/dev/null

env -i PATH="$PATH" NODE_ENV=production PORT="$PORT" HOST=127.0.0.1 LOG_FORMAT=json RUST_LOG=info \
  BETTER_AUTH_SECRET=bench-secret-that-is-long-enough-0123456789 DATABASE_URL="$DB_URL" \
  RATE_LIMIT_MAX_REQUESTS=1000000000 SHUTDOWN_TIMEOUT_MS=30000 STORAGE_LOCAL_DIR="$RAW/uploads" \
  "$BIN" serve >"$RAW/shutdown-server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.05; done

log "load for 3 s, then SIGTERM, while 64 clients keep sending"
python3 - "$PORT" "$SERVER" >"$RAW/shutdown-client.json" <<'PY'
import asyncio, json, os, signal, sys, time

port, server_pid = int(sys.argv[1]), int(sys.argv[2])
paths = [b"/trpc/_meta.health", b"/ready", b"/trpc/core.level.list?input=%7B%7D"]
stats = {"sent": 0, "answered": 0, "refused": 0, "lost_on_open_connection": 0, "after_signal_answered": 0}
signalled = {"at": None}

async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    if length:
        await reader.readexactly(length)
    return head

async def worker(n):
    path_i = n
    while True:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            stats["refused"] += 1
            return  # the listener is closed: this client stops, as a load balancer would
        try:
            while True:
                path = paths[path_i % len(paths)]
                path_i += 1
                writer.write(b"GET " + path + b" HTTP/1.1\r\nhost: x\r\n\r\n")
                await writer.drain()
                stats["sent"] += 1
                head = await read_response(reader)
                stats["answered"] += 1
                if signalled["at"] is not None:
                    stats["after_signal_answered"] += 1
                if b"connection: close" in head.lower():
                    break
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            # The server closed a keep-alive connection as it drained: the request on it, if any, was never read.
            stats["lost_on_open_connection"] += 1
        finally:
            writer.close()

async def main():
    tasks = [asyncio.create_task(worker(i)) for i in range(64)]
    await asyncio.sleep(3)
    signalled["at"] = time.time()
    os.kill(server_pid, signal.SIGTERM)
    await asyncio.wait(tasks, timeout=40)
    stats["signalled_at_ms"] = int(signalled["at"] * 1000)
    print(json.dumps(stats))

asyncio.run(main())
PY
set +e
wait "$SERVER"
EXIT=$?
set -e
EXITED=$(date +%s%3N)
SERVER_LINE="$(grep 'connections closed' "$RAW/shutdown-server.log" | tail -n1)"
jq -n --argjson client "$(cat "$RAW/shutdown-client.json")" --argjson exit "$EXIT" \
  --argjson server "${SERVER_LINE:-null}" --argjson exited "$EXITED" '
  {
    server: { accepted: $server.accepted, answered: $server.answered, cut: $server.cut,
              all_accepted_answered: ($server.accepted == ($server.answered + $server.cut) and $server.cut == 0) },
    clients: ($client | del(.signalled_at_ms)), exit_code: $exit,
    ms_from_sigterm_to_exit_at_most: ($exited - $client.signalled_at_ms)
  }' | tee "$OUT"
