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
