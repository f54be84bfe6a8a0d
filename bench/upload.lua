-- PUT the 1 MiB bench file to a signed local upload URL. The body is read once
-- and the request is static, so wrk keeps its fast path.
local f = assert(io.open(os.getenv("BENCH_UPLOAD_FILE"), "rb"))
wrk.method = "PUT"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/octet-stream"
dofile("bench/wrk_json.lua")
