-- wrk script: POSTs the chat request in $BENCH_BODY_FILE on every request and
-- prints the results as key=value lines, so the harness never has to parse
-- wrk's human-readable report.
local file = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"),
  "set BENCH_BODY_FILE to the request body to send")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-bench"

-- BENCH_UNIQUE_PROMPTS=1: every request's prompt differs (its first eight
-- bytes become the wrk thread and a counter), so nothing on the path can
-- answer from memory of an identical prompt; otherwise the same body each
-- time, as an application resending one conversation would.
local kMarker = "Summaris"
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

if os.getenv("BENCH_UNIQUE_PROMPTS") == "1" then
  local at = assert(wrk.body:find(kMarker, 1, true), "the body has no '" .. kMarker .. "' to vary")
  local head, tail = wrk.body:sub(1, at - 1), wrk.body:sub(at + #kMarker)
  local counter = 0
  function request()
    counter = counter + 1
    local body = head .. string.format("%02d%06d", id % 100, counter % 1000000) .. tail
    return wrk.format(nil, nil, nil, body)
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("wrk_requests=%d\n", summary.requests))
  io.write(string.format("wrk_duration_us=%d\n", summary.duration))
  io.write(string.format("wrk_bytes=%d\n", summary.bytes))
  io.write(string.format("wrk_p50_us=%d\n", latency:percentile(50)))
  io.write(string.format("wrk_p99_us=%d\n", latency:percentile(99)))
  io.write(string.format("wrk_mean_us=%.1f\n", latency.mean))
  io.write(string.format("wrk_errors_status=%d\n", errors.status))
  io.write(string.format("wrk_errors_socket=%d\n",
    errors.connect + errors.read + errors.write + errors.timeout))
end
