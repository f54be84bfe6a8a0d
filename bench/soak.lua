-- The soak's mixed workload (bench/soak.sh): reads with a cookie, list pages,
-- the feed, order placements and transitions, upload requests and sign-ins,
-- weighted like a busy app. Counts responses by class so 5xx are reported
-- apart from 4xx, and throttles each connection with `delay()` (SOAK_DELAY_MS).

local cookie = os.getenv("SOAK_COOKIE")
local delay_ms = tonumber(os.getenv("SOAK_DELAY_MS") or "0")
local orders_file = os.getenv("SOAK_ORDERS")

local json = "application/json"
local function get(path)
  return wrk.format("GET", path, { ["Cookie"] = cookie })
end
local function post(path, body, headers)
  local h = headers or { ["Cookie"] = cookie }
  h["Content-Type"] = json
  return wrk.format("POST", path, h, body)
end

local reads = {
  get("/trpc/core.user.get?input=%7B%22id%22%3A%22cbench0000000000000000500%22%7D"),
  get("/trpc/core.user.get?input=%7B%22id%22%3A%22cbench0000000000000000042%22%7D"),
}
local lists = {
  get("/trpc/core.post.list?input=%7B%22limit%22%3A20%7D"),
  get("/trpc/core.post.list?input=%7B%22limit%22%3A20%2C%22page%22%3A3%7D"),
  get("/trpc/core.user.list?input=%7B%22limit%22%3A20%7D"),
}
local feed = get("/trpc/main.post.feed?input=%7B%22limit%22%3A20%7D")
local place = post("/trpc/main.order.place", '{"offeringId":"cbenchoffer00000000000001"}')
local upload = post("/trpc/main.storage.requestUpload", '{"filename":"soak.png","mimeType":"image/png","size":1000}')
local sign_in = post("/api/auth/sign-in/email",
  '{"email":"soak@example.com","password":"soak password 123"}', {})

-- Orders created before the soak, confirmed then completed once each.
local pending, confirmed = {}, {}
if orders_file then
  for id in io.lines(orders_file) do pending[#pending + 1] = id end
end
local function transition()
  local id, to
  if #confirmed > 0 and (#pending == 0 or math.random() < 0.5) then
    id, to = table.remove(confirmed), "COMPLETED"
  elseif #pending > 0 then
    id, to = table.remove(pending), "CONFIRMED"
    confirmed[#confirmed + 1] = id
  else
    return feed
  end
  return post("/trpc/main.order.transition", '{"id":"' .. id .. '","to":"' .. to .. '"}')
end

request = function()
  local r = math.random(1000)
  if r <= 500 then return reads[math.random(#reads)]
  elseif r <= 750 then return lists[math.random(#lists)]
  elseif r <= 850 then return feed
  elseif r <= 910 then return place
  elseif r <= 950 then return transition()
  elseif r <= 995 then return upload
  else return sign_in end
end

delay = function()
  return delay_ms
end

-- Per-thread counters (globals of each thread's Lua state), summed in `done`.
s2xx, s4xx, s5xx = 0, 0, 0
response = function(status)
  if status >= 500 then s5xx = s5xx + 1
  elseif status >= 400 then s4xx = s4xx + 1
  else s2xx = s2xx + 1 end
end

local threads = {}
setup = function(thread)
  threads[#threads + 1] = thread
end

done = function(summary, latency)
  local c2, c4, c5 = 0, 0, 0
  for _, t in ipairs(threads) do
    c2, c4, c5 = c2 + t:get("s2xx"), c4 + t:get("s4xx"), c5 + t:get("s5xx")
  end
  io.write(string.format(
    'SOAK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"s2xx":%d,"s4xx":%d,"s5xx":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    c2, c4, c5,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
