-- wrk script for benchmarks/run.py: one machine-readable summary line, and optionally a new query
-- text for every request (RG_FRESH=1: a comment line with a counter is appended to the URL's query),
-- so that no server can answer from a cache of parsed queries.
local fresh = os.getenv("RG_FRESH") == "1"
local counter = 0
local salt = tostring(math.random(1, 1000000000))

request = function()
  if fresh then
    counter = counter + 1
    return wrk.format(nil, wrk.path .. "%0A%23%20request%20" .. salt .. "-" .. counter)
  end
  return wrk.format(nil, wrk.path)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p99_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
