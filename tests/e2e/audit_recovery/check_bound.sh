# Scenario bound: a file sink that cannot write holds the spool at its
# bound (max_mib 2, segment_mib 1: segments a sink has not read are never
# deleted), so requests are refused; once the sink can write again it
# delivers everything, old segments go and requests pass.

readonly kBoundPad=3000  # bytes of query padding: ~3.5 KB events fill 2 MiB in ~600 requests

check_bound() {
  local spool=$WORK/spool-bound sinkdir=$WORK/sink-bound status missing total unique
  local sink=$sinkdir/events.jsonl
  mkdir -p "$sinkdir"
  start_wardend closed "$(spool_yaml "$spool" 1 2 block "$sink")"
  wait_status '.events.sinks[0].delivered > 0' 5 || e2e_log "the sink delivered nothing yet: $(status_json | jq -c .events.sinks)"
  # From here the sink's path is on a read-only file system: it cannot
  # reopen or create its file, and retries with backoff.
  mount_readonly_over "$sinkdir"
  if requests_until_refused bd-full bd 100 2000 "$kBoundPad"; then
    e2e_pass bound "requests are refused with 503 once the spool reaches max_mib (after $MADE requests)"
  else
    e2e_fail bound "no request was refused in $MADE requests with the sink stuck"
  fi
  status=$(status_json)
  e2e_log "status at the bound: $(jq -c '.events' <<<"$status")"
  e2e_check bound "status --json says the spool is full" test "$(jq -r '.events.full' <<<"$status")" = true
  e2e_check bound "status --json says the sink is unhealthy" test "$(jq -r '.events.sinks[0].healthy' <<<"$status")" = false
  refused_request bd-refused bd-refused
  e2e_check bound "the refusal is a 503 in OpenAI's error format, code warden_unavailable" is_openai_unavailable bd-refused

  umount_if_mounted "$sinkdir"
  # The sink retries with exponential backoff (at most 30 s; a few seconds here).
  if wait_status '.events.full == false and .events.sinks[0].healthy == true' 40; then
    e2e_pass bound "once the sink can write, it catches up and the spool has room again"
  else
    e2e_fail bound "the spool is still full 40 s after the sink could write again: $(status_json | jq -c .events)"
  fi
  batch_requests bd-after bd-after 0 10
  e2e_check bound "all 10 requests pass again" test "$BATCH_OK" -eq 10
  e2e_wardend_ensure_alive bound
  e2e_wardend_stop
  e2e_log "spool after the stop: $(spool_segments "$spool" | wc -l) segment(s), $(du -sb "$spool" | cut -f1) bytes"

  spool_ids "$spool" | LC_ALL=C sort -u >"$OUT/bd-spool.ids"
  jq -r -R 'fromjson? | .id // empty' "$sink" >"$OUT/bd-sink.ids.all"
  LC_ALL=C sort -u "$OUT/bd-sink.ids.all" >"$OUT/bd-sink.ids"
  missing=$(missing_tags "$OUT/bd-spool.ids" "$OUT/bd-sink.ids")
  if [[ -z $missing ]]; then
    e2e_pass bound "every one of $(wc -l <"$OUT/bd-spool.ids") event ids in the spool is in the sink's file"
  else
    e2e_fail bound "$(wc -l <<<"$missing") spooled event id(s) never reached the sink: $(head -n 3 <<<"$missing" | tr '\n' ' ')"
  fi
  total=$(wc -l <"$OUT/bd-sink.ids.all")
  unique=$(wc -l <"$OUT/bd-sink.ids")
  e2e_pass bound "$((total - unique)) duplicate event(s) among $total in the sink's file (allowed: delivery is at least once)"
  answered_tags "$OUT"/bd-*.out >"$OUT/bd-answered.tags"
  # Segments the sink delivered may be gone from the spool; the sink's file
  # has them all.
  jq -r -R 'fromjson? | select(.type == "request") | .request.path // ""' "$sink" |
    sed -n 's/.*[?&]r=\([^&]*\).*/\1/p' | LC_ALL=C sort -u >"$OUT/bd-sink.tags"
  missing=$(missing_tags "$OUT/bd-answered.tags" "$OUT/bd-sink.tags")
  e2e_check bound "every answered request (200 or 503) has its event in the sink's file" test -z "$missing"
}
