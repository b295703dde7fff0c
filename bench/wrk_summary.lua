-- The summary line every bench script prints from wrk's done(); bench/wrk.py parses it.
-- Loaded by the scripts beside it: local write_result = dofile(<this folder> .. "wrk_summary.lua")
return function(summary, latency)
  local errors = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout
  ))
end
