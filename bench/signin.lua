-- POST /api/auth/sign-in/email with the bench user's credentials; the
-- request is static, so wrk keeps its fast path. The `done` hook comes from
-- wrk_json.lua (path relative to the repo root, where run.sh runs wrk).
wrk.method = "POST"
wrk.body = '{"email":"bench-login@example.com","password":"bench password 123"}'
wrk.headers["Content-Type"] = "application/json"
dofile("bench/wrk_json.lua")
