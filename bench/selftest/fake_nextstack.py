#!/usr/bin/env python3
"""Stand-in for the `nextstack` binary, used only by bench/selftest.sh.

Mimics the interface bench/run.sh relies on:
  fake_nextstack.py migrate   -> exits 0
  fake_nextstack.py [serve]   -> HTTP/1.1 keep-alive server on $HOST:$PORT,
                                 prints "listening on http://HOST:PORT"
Knobs for exercising the harness's error paths:
  FAKE_READY_STATUS=503   /ready answers that status
  FAKE_CRASH=1            exit 3 right after start (server-died path)
  FAKE_START_DELAY_MS=N   sleep N ms before listening (start-up timing check)
"""
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BATCH = "/trpc/_meta.health,_meta.version,_meta.health"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # like a real server; avoids 40 ms delayed-ACK stalls

    def do_GET(self):  # noqa: N802
        path, _, query = self.path.partition("?")
        status, body = 404, {"error": "not found"}
        if path == "/health":
            status, body = 200, {"status": "ok"}
        elif path == "/ready":
            status = int(os.environ.get("FAKE_READY_STATUS", "200"))
            body = {"status": "ready" if status == 200 else "unavailable"}
        elif path == "/trpc/_meta.health":
            status, body = 200, {"result": {"data": {"status": "ok"}}}
        elif path == BATCH and "batch=1" in query:
            ok = {"result": {"data": {"status": "ok"}}}
            status, body = 200, [ok, {"result": {"data": {"version": "0.0.0"}}}, ok]
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # quiet, like RUST_LOG=warn
        pass


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else "serve"
    if cmd == "migrate":
        if not os.environ.get("DATABASE_URL"):
            print("DATABASE_URL not set", file=sys.stderr)
            return 1
        print("migrations applied (fake)")
        return 0
    if cmd != "serve":
        print(f"unknown command {cmd}", file=sys.stderr)
        return 2
    if os.environ.get("FAKE_CRASH") == "1":
        print("fatal: fake crash", file=sys.stderr)
        return 3
    secret = os.environ.get("BETTER_AUTH_SECRET", "")
    if os.environ.get("NODE_ENV") == "production" and (
        len(secret) < 32 or "change-this" in secret or "generate-with" in secret
    ):
        print("BETTER_AUTH_SECRET too weak for production", file=sys.stderr)
        return 1
    time.sleep(int(os.environ.get("FAKE_START_DELAY_MS", "0")) / 1000)
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ["PORT"])
    srv = ThreadingHTTPServer((host, port), Handler)
    srv.daemon_threads = True
    print(f"listening on http://{host}:{port}", flush=True)
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
