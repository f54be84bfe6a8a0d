-- The soak's mixed workload (bench/soak.sh): reads with a cookie, list pages,
-- the feed, order placements and transitions, upload requests and sign-ins,
-- weighted like a busy app; an upload request is followed by the upload itself
-- (a PUT of its bytes to the signed URL) and its confirmation. Counts responses by class so 5xx are reported
-- apart from 4xx, and throttles each connection with `delay()` (SOAK_DELAY_MS).

local cookie = os.getenv("SOAK_COOKIE")
local delay_ms = tonumber(os.getenv("SOAK_DELAY_MS") or "0")
local orders_file = os.getenv("SOAK_ORDERS")
-- Session cookies of the users who upload (one per line).
local uploaders = {}
for c in io.lines(os.getenv("SOAK_UPLOADERS")) do uploaders[#uploaders + 1] = c end
-- Each wrk run (one per minute) takes its own slice of the pre-created orders.
local order_skip = tonumber(os.getenv("SOAK_ORDER_SKIP") or "0")
local order_take = tonumber(os.getenv("SOAK_ORDER_TAKE") or "1000000000")

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
-- An upload request by one of the uploaders; the answer carries no hint of
-- who asked, so the cookie goes into the file name and comes back in the key.
local function upload()
  local n = math.random(#uploaders)
  return post("/trpc/main.storage.requestUpload",
    '{"filename":"soak-' .. n .. '.png","mimeType":"image/png","size":1000}', { ["Cookie"] = uploaders[n] })
end
local sign_in = post("/api/auth/sign-in/email",
  '{"email":"soak@example.com","password":"soak password 123"}', {})

-- Orders created before the soak, confirmed then completed once each.
local pending, confirmed = {}, {}
if orders_file then
  local n = 0
  for id in io.lines(orders_file) do
    n = n + 1
    if n > order_skip and n <= order_skip + order_take then pending[#pending + 1] = id end
  end
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

-- Uploads under way in this thread: the PUTs and confirmations still to send,
-- and the files whose PUT went out (confirmed once a PUT is answered).
local follow_ups, put_sent = {}, {}
local upload_bytes = string.rep("x", 1000)

request = function()
  if #follow_ups > 0 then return table.remove(follow_ups, 1) end
  local r = math.random(1000)
  if r <= 535 then return reads[math.random(#reads)]
  elseif r <= 785 then return lists[math.random(#lists)]
  elseif r <= 885 then return feed
  elseif r <= 945 then return place
  elseif r <= 985 then return transition()
  elseif r <= 995 then return upload() -- 1 %, each followed by its PUT and confirmation
  else return sign_in end
end

delay = function()
  return delay_ms
end

-- Per-thread counters (globals of each thread's Lua state), summed in `done`.
s2xx, s4xx, s5xx = 0, 0, 0
response = function(status, headers, body)
  if status == 200 and body then
    local file_id, url = body:match('"fileId":"([^"]+)".-"uploadUrl":"https?://[^/]+(/[^"]+)"')
    if url then
      follow_ups[#follow_ups + 1] =
        wrk.format("PUT", url, { ["Content-Type"] = "image/png" }, upload_bytes)
      put_sent[#put_sent + 1] = { id = file_id, owner = uploaders[tonumber(url:match("soak%-(%d+)%.png"))] }
    elseif (headers["etag"] or headers["ETag"]) and #put_sent > 0 and body == "" then
      local file = table.remove(put_sent, 1)
      follow_ups[#follow_ups + 1] = post("/trpc/main.storage.confirmUpload", '{"fileId":"' .. file.id .. '"}',
        { ["Cookie"] = file.owner })
    end
  end
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
    'SOAK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"mean_us":%d,"s2xx":%d,"s4xx":%d,"s5xx":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,
    c2, c4, c5,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
