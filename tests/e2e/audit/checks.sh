# The audit test's requests and checks: what wardend spooled against what
# rsyslog received.

# run_requests PREFIX COUNT [PAUSE_S]: COUNT chat completions from inside the
# child cgroup (so through wardend); sets REQUESTS_OK.
run_requests() {
  local prefix=$1 count=$2 pause=${3:-0} i
  REQUESTS_OK=0
  for ((i = 0; i < count; i++)); do
    run_request "$prefix-$i"
    ((CLIENT_RC == 0)) && REQUESTS_OK=$((REQUESTS_OK + 1))
    [[ $pause == 0 ]] || sleep "$pause"
  done
}

run_request() {
  e2e_run_client "$1" in 15 curl -sS --fail-with-body --max-time 10 --cacert "$BUNDLE" \
    -H 'authorization: Bearer sk-test' -H 'content-type: application/json' \
    --data-binary "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"audit $1\"}]}" \
    "https://$kApiHost/v1/chat/completions"
}

# Every complete line in the spool now, oldest segment first (a line still
# being written is left for the next look).
spool_lines() {
  local segment lines
  for segment in "$SPOOL"/events-*.jsonl; do
    [[ -f $segment ]] || continue
    lines=$(wc -l <"$segment")
    head -n "$lines" "$segment"
  done
}

request_events() {
  spool_lines | jq -c 'select(.type == "request")' | wc -l
}

# wait_request_events N TIMEOUT_S: the spool holds N request events.
wait_request_events() {
  local want=$1 deadline=$(($(e2e_now_ms) + $2 * 1000))
  while (($(request_events) < want)); do
    (($(e2e_now_ms) < deadline)) || return 1
    sleep 0.1
  done
}

# missing_lines FILE: the lines of FILE rsyslog has not received (byte for
# byte, the BOM aside).
missing_lines() {
  LC_ALL=C comm -23 <(LC_ALL=C sort -u "$1") <(received_lines | LC_ALL=C sort -u)
}

# wait_received FILE TIMEOUT_S: every line of FILE reached rsyslog.
wait_received() {
  local file=$1 deadline=$(($(e2e_now_ms) + $2 * 1000))
  while [[ -n $(missing_lines "$file") ]]; do
    (($(e2e_now_ms) < deadline)) || return 1
    sleep 0.2
  done
}

# wait_received_event JQ_FILTER TIMEOUT_S: rsyslog received an event matching it.
wait_received_event() {
  local deadline=$(($(e2e_now_ms) + $2 * 1000))
  until [[ -n $(received_lines | jq -c "$1" 2>/dev/null) ]]; do
    (($(e2e_now_ms) < deadline)) || return 1
    sleep 0.2
  done
}

report_missing() {
  local file=$1 missing
  missing=$(missing_lines "$file" | wc -l)
  ((missing == 0)) && return 0
  e2e_log "$missing of $(wc -l <"$file") spooled lines never reached rsyslog; the first:"
  missing_lines "$file" | head -n 3 | cut -c 1-300 >&2
  return 1
}

# Received messages whose RFC 5424 fields do not say what their event says:
# facility 13, APP-NAME wardend, PROCID wardend's pid, MSGID the type,
# SD [warden@32473 id="<id>"] ("-" for lines without id), HOSTNAME the host,
# TIMESTAMP the time cut to microseconds, notice (5) for allowed requests.
header_mismatches() {
  [[ -f $RECEIVED ]] || return 0
  jq -c --arg pid "$WARDEND_PID" '
    (.msg | ltrimstr("\ufeff") | fromjson) as $e
    | select(.facility != "13" or .app != "wardend" or .procid != $pid or .msgid != $e.type
        or .host != $e.host or .timestamp != ($e.time[0:26] + "Z")
        or .sd != (if $e.id then "[warden@32473 id=\"" + $e.id + "\"]" else "-" end)
        or ($e.type == "request" and $e.decision == "allow" and .severity != "5"))' "$RECEIVED"
}

# A plain-TCP frame to rsyslog's port, which takes TLS only: it must never be
# stored (so whatever rsyslog stores came over TLS).
send_plain_probe() {
  local message frame
  message="<110>1 - - probe - - - plain-tcp-probe-$$"
  frame="${#message} $message"
  timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "%s" "$2" >&3 && sleep 0.5' _ "$SYSLOG_PORT" "$frame" ||
    e2e_log "the plain-TCP probe could not be sent (checked below all the same)"
}

# (a) Every line wardend spooled while rsyslog runs reaches it over TLS, as
# one RFC 5424 message whose fields match the event.
check_a_delivery() {
  local snapshot=$OUT/spool-a.jsonl mismatches
  send_plain_probe
  run_requests a 10
  e2e_check a "10 requests through wardend succeed" test "$REQUESTS_OK" -eq 10
  wait_request_events 10 10 || e2e_fail a "wardend spooled $(request_events) of 10 request events"
  spool_lines >"$snapshot"
  if wait_received "$snapshot" 20; then
    e2e_pass a "all $(wc -l <"$snapshot") spooled lines ($(request_events) request events) reached rsyslog, byte for byte"
  else
    report_missing "$snapshot" || true
    e2e_fail a "spooled lines are missing in rsyslog after 20 s"
  fi
  mismatches=$(header_mismatches)
  if [[ -z $mismatches ]]; then
    e2e_pass a "every received message's RFC 5424 header matches its event ($(wc -l <"$RECEIVED") checked)"
  else
    e2e_fail a "messages whose header does not match their event: $(head -n 2 <<<"$mismatches" | cut -c 1-400)"
  fi
  e2e_check a "a plain-TCP frame sent to rsyslog's TLS port was not stored" \
    test "$(grep -c "plain-tcp-probe-$$" "$RECEIVED")" -eq 0
}

# (b) rsyslog stopped by its pid; requests go on for a while; rsyslog comes
# back: every line spooled meanwhile arrives, none lost, duplicates counted.
check_b_outage() {
  local snapshot=$OUT/spool-b.jsonl before_received before_events deadline total unique
  before_received=$(wc -l <"$RECEIVED")
  before_events=$(request_events)
  rsyslog_stop
  e2e_check b "rsyslogd#$RSYSLOG_RUNS is stopped (by its pid)" test "$(e2e_alive "$RSYSLOG_PID" && echo up)" = ""

  REQUESTS_OK=0
  local made=0
  deadline=$(($(e2e_now_ms) + 5000))
  while (($(e2e_now_ms) < deadline)); do
    run_request "b-$made"
    ((CLIENT_RC == 0)) && REQUESTS_OK=$((REQUESTS_OK + 1))
    made=$((made + 1))
    sleep 0.2
  done
  e2e_check b "all $made requests made during the outage succeed" test "$REQUESTS_OK" -eq "$made"
  wait_request_events $((before_events + made)) 10 ||
    e2e_fail b "wardend spooled $(($(request_events) - before_events)) of $made request events during the outage"
  e2e_check b "rsyslog received nothing while it was down" test "$(wc -l <"$RECEIVED")" -eq "$before_received"
  local trouble
  trouble=$(spool_lines | jq -r 'select(.type == "sink_trouble" and .sink.name == "siem") | .sink.error' | tail -n 1)
  e2e_log "the sink's trouble, as spooled: $trouble"
  e2e_check b "the spool records the syslog sink's trouble (sink_trouble naming siem)" test -n "$trouble"

  rsyslog_start
  e2e_log "rsyslogd#$RSYSLOG_RUNS (pid $RSYSLOG_PID) is back after an outage of ~5 s"
  spool_lines >"$snapshot"
  # The runner retries with a backoff of at most 30 s.
  if wait_received "$snapshot" 45; then
    e2e_pass b "after the outage all $(wc -l <"$snapshot") spooled lines are in rsyslog, none lost"
  else
    report_missing "$snapshot" || true
    e2e_fail b "spooled lines are still missing in rsyslog 45 s after it came back"
  fi
  e2e_check b "rsyslog received the sink's own sink_recovered event" \
    wait_received_event 'select(.type == "sink_recovered" and .sink.name == "siem" and .sink.destination == "syslog tls://127.0.0.1:'"$SYSLOG_PORT"'")' 10
  total=$(received_lines | wc -l)
  unique=$(received_lines | LC_ALL=C sort -u | wc -l)
  e2e_pass b "$((total - unique)) duplicate message(s) among $total received (allowed: delivery is at least once)"
}

# (d) What wardend spools as it stops (agent_stop, the last checkpoint) is
# forwarded before it exits.
check_d_stop() {
  local snapshot=$OUT/spool-d.jsonl
  e2e_wardend_stop
  spool_lines >"$snapshot"
  e2e_check d "the spool ends with wardend's stop" \
    test "$(jq -r 'select(.type == "agent_stop") | .type' "$snapshot" | wc -l)" -ge 1
  if wait_received "$snapshot" 5; then
    e2e_pass d "the lines spooled as wardend stopped reached rsyslog before it exited"
  else
    report_missing "$snapshot" || true
    e2e_fail d "lines spooled as wardend stopped never reached rsyslog"
  fi
}

# (c) This test never leaves an rsyslogd behind (the exit trap stops it too,
# and the outer half checks again after the namespaces are gone).
check_c_stopped() {
  rsyslog_stop
  e2e_check c "no rsyslogd started by this test still runs" test "$(rsyslog_any_running && echo up)" = ""
}
