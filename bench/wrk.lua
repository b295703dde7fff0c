-- One scenario's requests for wrk. Script arguments: method, token ("-" for none), then
-- zero or more JSON bodies, sent in turn (PATCH alternates completed true/false).
local method, token
local bodies = {}
local counter = 0

function init(args)
  method = args[1]
  token = args[2]
  for i = 3, #args do
    bodies[#bodies + 1] = args[i]
  end
end

function request()
  local headers = { ["Host"] = "127.0.0.1" }
  if token ~= "-" then
    headers["Authorization"] = "Bearer " .. token
  end
  local body = nil
  if #bodies > 0 then
    counter = counter + 1
    body = bodies[counter % #bodies + 1]
    headers["Content-Type"] = "application/json"
  end
  return wrk.format(method, nil, headers, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout
  ))
end
