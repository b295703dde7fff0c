-- One scenario's requests for wrk. Script arguments: method, token ("-" for none), then
-- zero or more JSON bodies, sent in turn (PATCH alternates completed true/false).

-- The summary line, shared with the other scripts (wrk_summary.lua beside this one).
local write_result = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "wrk_summary.lua")
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
  write_result(summary, latency)
end
