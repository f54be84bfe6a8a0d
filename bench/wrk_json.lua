-- wrk `done` hook: after the normal text report, print ONE machine-readable
-- line that starts with "BENCH_JSON " followed by a JSON object.
--
-- Only `done` is defined (no request/response hooks), so wrk keeps its fast
-- path (a pre-built static request, no per-response Lua calls).
--
-- Units: durations and latencies in microseconds, as wrk reports them.
-- errors.status = responses with HTTP status > 399 (wrk's own rule).

local function num(x, fmt)
  -- JSON has no NaN/Inf (e.g. latency.mean when nothing was answered)
  if x == nil or x ~= x or x == math.huge or x == -math.huge then
    return "null"
  end
  return string.format(fmt or "%.0f", x)
end

done = function(summary, latency, requests)
  local e = summary.errors
  local has_latency = summary.requests > 0 and latency.max > 0
  local function pct(q)
    if not has_latency then return "null" end
    return num(latency:percentile(q))
  end
  local function lat(v, fmt)
    if not has_latency then return "null" end
    return num(v, fmt)
  end

  io.write(
    'BENCH_JSON {',
    '"duration_us":', num(summary.duration), ',',
    '"requests":', num(summary.requests), ',',
    '"bytes":', num(summary.bytes), ',',
    '"errors":{',
      '"connect":', num(e.connect), ',',
      '"read":', num(e.read), ',',
      '"write":', num(e.write), ',',
      '"status":', num(e.status), ',',
      '"timeout":', num(e.timeout),
    '},',
    '"latency_us":{',
      '"min":', lat(latency.min), ',',
      '"mean":', lat(latency.mean, "%.2f"), ',',
      '"stdev":', lat(latency.stdev, "%.2f"), ',',
      '"max":', lat(latency.max), ',',
      '"p50":', pct(50), ',',
      '"p75":', pct(75), ',',
      '"p90":', pct(90), ',',
      '"p99":', pct(99), ',',
      '"p99_9":', pct(99.9),
    '}',
    '}\n')
end
