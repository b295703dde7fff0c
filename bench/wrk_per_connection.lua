-- The patch scenarios: run with as many threads as connections, so each wrk thread is one
-- connection with its own task (and its own last-seen ETag). Script arguments: the mode
-- ("if-match" or "plain"), method, token, then one "<task path> <ETag or ->" per thread, and
-- the JSON bodies after "--". In "if-match" mode each response's ETag is sent as If-Match on
-- the next request; a 412 counts as an error (and its ETag, the current one, is picked up, so
-- one miss does not cascade). "plain" sends no If-Match: the same load without the header.

-- The summary line, shared with the other scripts (wrk_summary.lua beside this one).
local write_result = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "wrk_summary.lua")
local threads = 0
local all_threads = {}
local mode, method, token, path, etag
local bodies = {}
local counter = 0
failures = "" -- the status of every answer that was not a 200, for the summary

function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
  all_threads[threads] = thread
end

function init(args)
  mode, method, token = args[1], args[2], args[3]
  local targets = {}
  local i = 4
  while args[i] ~= "--" do
    targets[#targets + 1] = args[i]
    i = i + 1
  end
  for j = i + 1, #args do
    bodies[#bodies + 1] = args[j]
  end
  local target = targets[thread_number + 1]
  path, etag = string.match(target, "^(%S+) (.+)$")
end

function request()
  counter = counter + 1
  local headers = {
    ["Host"] = "127.0.0.1",
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }
  if mode == "if-match" then
    headers["If-Match"] = etag
  end
  return wrk.format(method, path, headers, bodies[counter % #bodies + 1])
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures .. status .. " "
  end
  local seen = headers["etag"] or headers["ETag"]
  if seen then
    etag = seen
  end
end

-- The statuses that were not a 200, then the summary line.
function done(summary, latency, requests)
  local seen = ""
  for _, thread in ipairs(all_threads) do
    seen = seen .. thread:get("failures")
  end
  io.write("WRK_FAILED_STATUSES " .. seen .. "\n")
  write_result(summary, latency)
end
