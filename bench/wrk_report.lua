-- wrk reporter: one JSON line with the figures the harness reads (latencies in microseconds).
-- With WRK_PATHS set (paths separated by "|"), requests cycle through them: a mixed load.
local paths = {}
local index = 0

init = function(args)
  local raw = os.getenv("WRK_PATHS")
  if raw then
    for p in string.gmatch(raw, "[^|]+") do table.insert(paths, p) end
  end
end

request = function()
  if #paths == 0 then return wrk.format(nil) end
  index = index % #paths + 1
  return wrk.format(nil, paths[index])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "max_us": %d, ' ..
    '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end
