# Scenario kill: wardend is SIGKILLed (its own pid, nothing else) while 8
# clients send requests in parallel, then started again on the same spool
# with the same file sink.
#
# A response's last bytes leave only once its event was written to the
# spool, so every request a client got an answer to has its event, however
# the SIGKILL falls. Also: the chain verifies across the crash and restart,
# no event is written twice, and the sink gets every line the spool has.

readonly kKillClients=8
readonly kKillPerClient=50
readonly kKillAfter=120  # requests seen by the upstream before the kill

# kill_clients_start: the clients, in the background, inside the child
# cgroup; their "STATUS URL" lines in $OUT/kl-N.out. Sets KILL_CLIENT_PIDS.
kill_clients_start() {
  local n
  KILL_CLIENT_PIDS=()
  curl_batch_args
  for ((n = 0; n < kKillClients; n++)); do
    batch_config "$OUT/kl-$n.curl" "kl$n" 0 "$kKillPerClient" 0
    e2e_in_cgroup "$CG" "${CURL_BATCH[@]}" -K "$OUT/kl-$n.curl" >"$OUT/kl-$n.out" 2>"$OUT/kl-$n.err" </dev/null &
    KILL_CLIENT_PIDS+=("$!")
  done
}

# Each client gives up on its own (--max-time per request); wait for all.
kill_clients_wait() {
  local pid
  for pid in "${KILL_CLIENT_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}

# wait_sink_has SPOOL SINK TIMEOUT_S: every id in SPOOL is in SINK's file.
wait_sink_has() {
  local spool=$1 sink=$2 deadline=$(($(e2e_now_ms) + $3 * 1000))
  until [[ -z $(sink_missing "$spool" "$sink") ]]; do
    (($(e2e_now_ms) < deadline)) || return 1
    sleep 0.2
  done
}

sink_missing() {
  LC_ALL=C comm -23 <(spool_ids "$1" | LC_ALL=C sort -u) \
    <(jq -r -R 'fromjson? | .id // empty' "$2" 2>/dev/null | LC_ALL=C sort -u)
}

check_kill() {
  local spool=$WORK/spool-kill sink=$WORK/sink-kill/events.jsonl yaml before seen deadline killed_pid
  local answered spooled lost duplicates missing total unique
  yaml=$(spool_yaml "$spool" 1 1024 block "$sink")
  start_wardend closed "$yaml"
  before=$(wc -l <"$RECORD")
  kill_clients_start
  deadline=$(($(e2e_now_ms) + 20000))
  while seen=$(($(wc -l <"$RECORD") - before)) && ((seen < kKillAfter)) && (($(e2e_now_ms) < deadline)); do
    sleep 0.01
  done
  killed_pid=$WARDEND_PID
  e2e_log "SIGKILL to wardend#$WARDEND_RUNS (pid $killed_pid) after $seen requests reached the upstream"
  e2e_stop "$WARDEND_PID" "$WARDEND_START" "wardend#$WARDEND_RUNS" KILL
  e2e_check kill "wardend (pid $killed_pid) is gone after SIGKILL" test "$(e2e_alive "$killed_pid" && echo up)" = ""
  kill_clients_wait
  batch_counts "$OUT"/kl-*.out
  e2e_log "clients: $BATCH_OK answered 200, $BATCH_REFUSED 503, $BATCH_OTHER without an answer from wardend"
  e2e_check kill "requests were answered before the kill ($BATCH_OK of $((kKillClients * kKillPerClient))) and the rest failed after it" \
    test "$BATCH_OK" -gt 0 -a "$BATCH_OTHER" -gt 0

  start_wardend closed "$yaml"
  batch_requests kl-after kl-after 0 10
  e2e_check kill "all 10 requests pass after the restart" test "$BATCH_OK" -eq 10
  wait_sink_has "$spool" "$sink" 20 || e2e_log "the sink is still behind the spool after 20 s"
  e2e_wardend_ensure_alive kill
  e2e_wardend_stop

  verify_spool kill "$spool"
  e2e_check kill "the chain verifies across the SIGKILL and the restart ($(head -n 1 "$OUT/kill.verify" | cut -c 1-120))" \
    test "$VERIFY_RC" -eq 0
  spool_ids "$spool" >"$OUT/kl-spool.ids.all"
  duplicates=$(LC_ALL=C sort "$OUT/kl-spool.ids.all" | uniq -d | wc -l)
  e2e_check kill "no event id appears twice in the spool ($(wc -l <"$OUT/kl-spool.ids.all") ids)" test "$duplicates" -eq 0
  missing=$(sink_missing "$spool" "$sink")
  if [[ -z $missing ]]; then
    e2e_pass kill "every event in the spool reached the file sink after the restart"
  else
    e2e_fail kill "$(wc -l <<<"$missing") spooled event(s) never reached the file sink: $(head -n 3 <<<"$missing" | tr '\n' ' ')"
  fi
  total=$(jq -r -R 'fromjson? | .id // empty' "$sink" | wc -l)
  unique=$(jq -r -R 'fromjson? | .id // empty' "$sink" | LC_ALL=C sort -u | wc -l)
  e2e_log "kill: the sink's file holds $total event lines, $((total - unique)) of them duplicates (a crash between delivery and the cursor's save resends a batch)"

  # The guarantee: a response reaches its client only after its event is in
  # the spool, so every answered request has one, the SIGKILL notwithstanding.
  answered_tags "$OUT"/kl-[0-9]*.out >"$OUT/kl-answered.tags"
  spool_tags "$spool" >"$OUT/kl-spooled.tags"
  answered=$(wc -l <"$OUT/kl-answered.tags")
  missing=$(missing_tags "$OUT/kl-answered.tags" "$OUT/kl-spooled.tags")
  spooled=$(grep -c '^kl[0-9]' "$OUT/kl-spooled.tags" || true)
  e2e_log "kill: $answered responses received before the SIGKILL; $spooled request events of the burst were spooled"
  if [[ -z $missing ]]; then
    e2e_pass kill "each of the $answered requests answered before the SIGKILL has its event in the spool"
  else
    e2e_fail kill "$(wc -l <<<"$missing") of $answered answered request(s) have no event in the spool: $(head -n 5 <<<"$missing" | tr '\n' ' ')"
  fi
}
