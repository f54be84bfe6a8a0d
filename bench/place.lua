-- POST main.order.place for the seeded ACTIVE offering, as the bench user
-- (cookie from -H). Static request: wrk keeps its fast path.
wrk.method = "POST"
wrk.body = '{"offeringId":"cbenchoffer00000000000001"}'
wrk.headers["Content-Type"] = "application/json"
dofile("bench/wrk_json.lua")
