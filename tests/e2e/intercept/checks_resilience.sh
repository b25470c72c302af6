# Assertions f-h: bad TLS peers, the agent dying in fail-open and fail-closed
# mode, and that nothing is left attached, pinned or created afterwards.

wait_line() {
  local file=$1 line=$2 timeout_ms=$3 deadline
  deadline=$(($(e2e_now_ms) + timeout_ms))
  until grep -qx "$line" "$file" 2>/dev/null; do
    (($(e2e_now_ms) < deadline)) || return 1
    sleep 0.05
  done
}

check_g_bad_clients() {
  local stall_log=$OUT/g-stall.log staller staller_start
  # More stalled handshakes than wardend has workers: a worker that waited on
  # one of them would starve every other client.
  e2e_spawn staller "$stall_log" "$E2E_LIB_DIR/in_cgroup.sh" "$CG" \
    node "$NODE_DIR/bad_tls_client.js" stall "$kUpstreamIp" "$kUpstreamPort" 8 30000
  staller=$E2E_SPAWNED_PID
  staller_start=$(e2e_proc_start_time "$staller")
  e2e_check g "8 connections stalled mid-ClientHello (100 bytes sent)" wait_line "$stall_log" ready 5000

  run_client g-garbage in root node "$NODE_DIR/bad_tls_client.js" garbage "$kUpstreamIp" "$kUpstreamPort" 4
  e2e_log "garbage clients: $(tr '\n' ' ' <"$OUT/g-garbage.out")"
  run_client g-truncated in root node "$NODE_DIR/bad_tls_client.js" truncated "$kUpstreamIp" "$kUpstreamPort" 4
  e2e_log "truncated clients: $(tr '\n' ' ' <"$OUT/g-truncated.out")"

  run_curl_chat g-curl in root "$BUNDLE"
  local curl_ms=$CLIENT_MS curl_rc=$CLIENT_RC
  e2e_check g "curl through warden works meanwhile (exit $curl_rc, ${curl_ms} ms)" \
    test "$curl_rc" -eq 0 -a "$curl_ms" -lt 3000
  e2e_check g "and its body equals the direct one" same_file "$OUT/direct-chat.out" "$OUT/g-curl.out"
  e2e_check g "wardend is still running after garbage, truncated and stalled handshakes" e2e_alive "$WARDEND_PID"
  e2e_check g "wardend's control socket still answers" wardenctl_status_quiet
  e2e_stop "$staller" "$staller_start" staller
  e2e_log "stalled clients: $(grep -v ready "$stall_log" | tr '\n' ' ')"
}

wardenctl_status_quiet() {
  e2e_wardenctl_status >/dev/null 2>&1
}

kill_wardend() {
  kill -KILL "$WARDEND_PID"
  wait "$WARDEND_PID" 2>/dev/null || true
}

check_f_fail_open() {
  local t0 elapsed=-1 attempt=0
  kill_wardend
  t0=$(e2e_now_ms)
  # Trusting only the test CA, success means the client reached the upstream
  # directly; before the heartbeat goes stale the connect may be refused.
  while (($(e2e_now_ms) - t0 < 4000)); do
    attempt=$((attempt + 1))
    CLIENT_TIMEOUT_S=3 run_curl_models "f-open-$attempt" in root "$TEST_CA"
    if ((CLIENT_RC == 0)); then
      elapsed=$(($(e2e_now_ms) - t0))
      break
    fi
    sleep 0.05
  done
  e2e_check f "fail-open: after kill -9 of wardend, clients in the cgroup reach the upstream directly within 2 s (took ${elapsed} ms, $attempt attempts)" \
    test "$elapsed" -ge 0 -a "$elapsed" -le 2000
  run_s_client f-open-sclient in "$kApiHost" "$TEST_CA"
  e2e_check f "fail-open: the certificate is the upstream's (issuer: $(s_client_issuer f-open-sclient))" \
    test "$(s_client_issuer f-open-sclient)" == "$TEST_CA_SUBJECT"
}

check_f_fail_closed() {
  local records
  start_wardend closed
  run_curl_models f-closed-live in root "$BUNDLE"
  e2e_check f "fail-closed wardend intercepts while it runs" test "$CLIENT_RC" -eq 0
  kill_wardend
  records=$(upstream_requests)
  run_curl_refused f-closed-now
  e2e_check f "fail-closed, right after kill -9: connect fails at once (curl exit $CLIENT_RC in ${CLIENT_MS} ms: $(connect_error f-closed-now))" \
    test "$CLIENT_RC" -eq 7 -a "$CLIENT_MS" -lt 1000
  # Past the heartbeat timeout the kernel refuses the connect itself.
  sleep 1.5
  run_curl_refused f-closed-stale
  e2e_check f "fail-closed, heartbeat stale: connect fails at once (curl exit $CLIENT_RC in ${CLIENT_MS} ms: $(connect_error f-closed-stale))" \
    test "$CLIENT_RC" -eq 7 -a "$CLIENT_MS" -lt 1000
  e2e_check f "fail-closed: nothing reached the upstream" test "$(upstream_requests)" -eq "$records"
}

# Verbose, so the errno of the failed connect shows (curl's own message
# does not name it).
run_curl_refused() {
  curl_args "$TEST_CA"
  run_client "$1" in root "${CURL_ARGS[@]}" -v "https://$kApiHost/v1/models"
}

connect_error() {
  grep -m1 -oE '(connect fail|connect to).*|Operation not permitted|Connection refused' "$OUT/$1.err" |
    head -c 160 || true
}

check_h_graceful_stop() {
  start_wardend open
  e2e_wardend_stop
  e2e_check h "wardend stopped with SIGTERM detaches its programs from $CG" \
    test "$(e2e_bpf_attached_count "$CG")" -eq 0
  e2e_check h "and removes its pins" pins_gone
}

pins_gone() {
  [[ -z $(find "$PIN_DIR" -mindepth 1 2>/dev/null | head -n 5) ]] || {
    e2e_log "pins left: $(find "$PIN_DIR" -mindepth 1 | tr '\n' ' ')"
    return 1
  }
}

# Cleanup step (see setup_cgroup): runs after wardend was stopped and the pins
# removed, before the cgroup is, on every exit path.
verify_nothing_left() {
  e2e_wardend_check_detached h "cleanup: "
  e2e_check h "cleanup: no pin left under $PIN_DIR" pins_gone
}
