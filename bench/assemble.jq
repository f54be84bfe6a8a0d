# Builds bench/results/latest.json. Used by bench/run.sh as
#   jq -s --arg/--argjson ... -f assemble.jq scenario-*.json
# Inputs (slurped): one object per scenario, in scenario order.

def mb: (. / 1024 * 10 | round) / 10;
def nn: if . == "" then null else . end;

{
  schema: 1,
  date: $date,
  machine: {
    nproc: $nproc,
    cpu_model: ($cpu | nn),
    mem_total_mb: ($mem_kb / 1024 | round),
    kernel: $kernel,
    os: ($os | nn)
  },
  git: { commit: ($commit | nn), dirty: $dirty },
  tools: { rustc: ($rustc | nn), wrk: ($wrk | nn), postgres: ($pg | nn) },
  config: {
    threads: $threads,
    connections: $conns,
    duration: $duration,
    warmup: $warmup,
    host: $host,
    port: $port,
    database: $db,
    server_args: $server_args
  },
  startup: { best_ms: ($runs | min), runs_ms: $runs },
  memory: {
    idle_rss_mb: ($idle_kb | mb),
    peak_rss_mb: ($hwm_kb | mb),
    end_rss_mb: ($end_kb | mb)
  },
  scenarios: (map({ key: .name, value: del(.name) }) | from_entries)
}
| .auth = {
    hash_bound_per_sec: $hash_bound,
    sign_in_ratio: (
      if $hash_bound == null or $hash_bound == 0 or .scenarios.sign_in.requests_per_sec == null then null
      else ((.scenarios.sign_in.requests_per_sec / $hash_bound) * 1000 | round) / 1000 end)
  }
| . as $r
| .targets = [
    $targets[] | . as $t
    | ($r | getpath($t.metric | ltrimstr(".") | split("."))) as $v
    | $t + {
        value: $v,
        result: (
          if $v == null then "MISS"
          elif $t.op == ">=" then (if $v >= $t.threshold then "PASS" else "MISS" end)
          elif $t.op == "<" then (if $v < $t.threshold then "PASS" else "MISS" end)
          else "MISS" end)
      }
  ]
| .summary = {
    targets_passed: ([.targets[] | select(.result == "PASS")] | length),
    targets_total: (.targets | length),
    flagged_scenarios: [.scenarios | to_entries[] | select(.value.ok | not) | .key]
  }
