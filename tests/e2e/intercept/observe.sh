# Reading what wardend and the mock upstream recorded: warden's JSON event
# lines, its status counters and the upstream's request log.

# events_where JQ_FILTER: events (one JSON per line) matching the filter.
events_where() {
  e2e_events | jq -c "select($1)" 2>/dev/null || true
}

events_count() {
  events_where "$1" | wc -l
}

# wait_events JQ_FILTER N TIMEOUT_MS: events are written when a request (or a
# tunnel) ends, possibly through a queue; give the writer a moment.
wait_events() {
  local filter=$1 want=$2 timeout_ms=${3:-3000} deadline
  deadline=$(($(e2e_now_ms) + timeout_ms))
  while (($(events_count "$filter") < want)); do
    (($(e2e_now_ms) < deadline)) || return 1
    sleep 0.05
  done
}

# counter STATUS_JSON NAME: a counter from `wardenctl status --json`, found by
# its dotted name whether the JSON nests it (kernel: {redirected: 1}) or
# spells it flat ("kernel.redirected": 1).
counter() {
  jq -r --arg n "$2" '
    [paths(scalars) as $p | {k: ($p | map(tostring) | join(".")), v: getpath($p)}]
    | map(select(.k == $n or (.k | endswith("." + $n)))) | first | .v // empty' <<<"$1"
}

upstream_requests() {
  wc -l <"$RECORD"
}

# upstream_digest FROM TO: method, path, body hash and SNI of the requests the
# upstream received, lines FROM..TO of its log.
upstream_digest() {
  sed -n "${1},${2}p" "$RECORD" | jq -c '[.method, .path, .body_sha256, .sni]'
}
