# Reading what wardend and the mock upstreams recorded: warden's JSON event
# lines and the upstreams' shared request log.

record_count() {
  wc -l <"$RECORD"
}

# records_of NAME: the upstream log lines written while client NAME ran.
records_of() {
  local first last
  read -r first last <"$OUT/$1.records"
  ((last >= first)) || return 0
  sed -n "${first},${last}p" "$RECORD"
}

# What identifies a request at the upstream, without its timing and
# connection: method, path, SNI, content type and the body's hash.
record_digest() {
  records_of "$1" | jq -c '[.kind, .method, .path, .sni, .content_type, .body_sha256, .body_bytes]'
}

# typed_events_of TYPE PID: wardend's events of TYPE naming PID.
typed_events_of() {
  e2e_events | jq -c --arg type "$1" --argjson pid "$2" 'select(.type == $type and .identity.pid == $pid)' 2>/dev/null || true
}

# events_of PID: the request events naming PID.
events_of() {
  typed_events_of request "$1"
}

# websocket_events_of PID: the WebSocket session events naming PID (one per
# session, written when it ends).
websocket_events_of() {
  typed_events_of websocket "$1"
}

# wait_event_of PID TIMEOUT_MS [TYPE]: events are written when a request (or
# a WebSocket session) ends, batched per worker; give the writer a moment.
wait_event_of() {
  local pid=$1 type=${3:-request} deadline
  deadline=$(($(e2e_now_ms) + ${2:-3000}))
  until [[ -n $(typed_events_of "$type" "$pid") ]]; do
    (($(e2e_now_ms) < deadline)) || return 1
    sleep 0.05
  done
}
