-- The create scenario with a fresh Idempotency-Key on every request. Script arguments:
-- method, token, a run prefix (unique per wrk run, so no key is ever a replay), then the body.
-- The key is the prefix, the wrk thread's number (from setup) and a per-thread counter.

-- The summary line, shared with the other scripts (wrk_summary.lua beside this one).
local write_result = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "wrk_summary.lua")
local threads = 0
local method, token, prefix, body
local counter = 0

function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end

function init(args)
  method, token, prefix, body = args[1], args[2], args[3], args[4]
end

function request()
  counter = counter + 1
  local headers = {
    ["Host"] = "127.0.0.1",
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = prefix .. "-" .. thread_number .. "-" .. counter,
  }
  return wrk.format(method, nil, headers, body)
end

function done(summary, latency, requests)
  write_result(summary, latency)
end
