# Builds the interception test's world inside its private mount and network
# namespaces: names, PKI, the mock upstream, the child cgroup and wardend.
# Sourced by intercept_test.sh; every step registers its own cleanup.

readonly kApiHost=api.openai.com
readonly kOtherHost=other.example.com
readonly kUpstreamIp=127.0.0.2
readonly kUpstreamPort=443
readonly kNobody=65534

setup_namespace() {
  e2e_require_private_mountns
  e2e_loopback_up
  printf '%s\n' "127.0.0.1 localhost" "::1 localhost" "$kUpstreamIp $kApiHost $kOtherHost" >"$WORK/hosts"
  e2e_bind_hosts "$WORK/hosts"
  e2e_mount_bpffs "$BPFFS"
  e2e_log "namespace ready: lo up, /etc/hosts maps $kApiHost and $kOtherHost to $kUpstreamIp, bpffs at $BPFFS"
}

setup_pki() {
  e2e_pki_ca "$PKI" "warden e2e test CA $$"
  e2e_pki_server "$PKI" "$kApiHost"
  e2e_pki_server "$PKI" "$kOtherHost"
  TEST_CA_SUBJECT=$(e2e_cert_subject "$TEST_CA")
  # The non-root client must read the trust files.
  chmod 0644 "$PKI"/*.crt
  chmod 0755 "$PKI"
}

start_upstream() {
  mkdir -p "$WORK/upstream"
  : >"$RECORD"
  e2e_spawn upstream "$WORK/upstream/log" node "$NODE_DIR/mock_upstream.js" --host "$kUpstreamIp" \
    --port "$kUpstreamPort" --cert-dir "$PKI" --names "$kApiHost,$kOtherHost" --record "$RECORD" --chunk-delay-ms 100
  UPSTREAM_PID=$E2E_SPAWNED_PID
  e2e_wait_port "$kUpstreamPort" 10 "$UPSTREAM_PID" || e2e_die "mock upstream did not start: $(cat "$WORK/upstream/log")"
}

setup_cgroup() {
  CG=$(e2e_cgroup_create "$E2E_CGROUP_NAME")
  e2e_defer e2e_cgroup_remove "$CG"
  CG_ID=$(e2e_cgroup_id "$CG")
  # Runs before the cgroup is removed and after wardend and its pins are gone
  # (cleanup is last-in, first-out).
  e2e_defer verify_nothing_left
  e2e_defer remove_pins
  e2e_log "child cgroup $CG (id $CG_ID)"
}

write_wardend_config() {
  local fail_mode=$1 file=$2
  cat >"$file" <<EOF
cgroup: $CG
fail_mode: $fail_mode
heartbeat: {interval_ms: 250, timeout_ms: 1000}
listen: {port: $LISTEN_PORT}
workers: 2
paths:
  state_dir: $STATE
  runtime_dir: $RUNDIR
  bpf_pin_dir: $PIN_DIR
  events_file: $EVENTS
upstream: {extra_ca_file: $TEST_CA}
targets:
  hosts: [{name: $kApiHost, resolve: false}]
  addresses: [{cidr: $kUpstreamIp/32, port: $kUpstreamPort}]
EOF
}

# start_wardend FAIL_MODE: starts wardend and waits until it listens, answers
# on its control socket and has programs on the child cgroup.
start_wardend() {
  local fail_mode=$1 config log deadline
  WARDEND_RUNS=$((${WARDEND_RUNS:-0} + 1))
  config=$WORK/wardend-$WARDEND_RUNS.yaml
  log=$WORK/wardend-$WARDEND_RUNS.log
  mkdir -p "$STATE" "$RUNDIR"
  write_wardend_config "$fail_mode" "$config"
  e2e_spawn "wardend#$WARDEND_RUNS" "$log" "$WARDEND" --config "$config"
  WARDEND_PID=$E2E_SPAWNED_PID
  WARDEND_START=$(e2e_proc_start_time "$WARDEND_PID")
  deadline=$(($(e2e_now_ms) + 15000))
  while (($(e2e_now_ms) < deadline)); do
    e2e_alive "$WARDEND_PID" || break
    if e2e_port_listening "$LISTEN_PORT" && [[ -S $RUNDIR/control.sock ]] &&
      [[ $(e2e_bpf_attached_count "$CG") -gt 0 ]] && wardenctl_status >/dev/null 2>&1; then
      e2e_bpf_attached "$CG" | awk '{print $1}' >>"$WORK/prog_ids"
      e2e_log "wardend ($fail_mode) ready: $(e2e_bpf_attached "$CG" | awk '{print $2 "=" $3}' | tr '\n' ' ')"
      return 0
    fi
    sleep 0.1
  done
  e2e_log "wardend log:"
  tail -n 40 "$log" >&2 || true
  e2e_die "wardend did not become ready within 15 s (listening on $LISTEN_PORT, control socket, programs on $CG)"
}

wardenctl_status() {
  "$WARDENCTL" --socket "$RUNDIR/control.sock" status --json
}

# The warden CA next to the test CA: what an operator would install for
# clients whose traffic warden intercepts.
make_trust_bundle() {
  [[ -s $STATE/ca.crt ]] || e2e_die "wardend did not create its CA at $STATE/ca.crt"
  cat "$STATE/ca.crt" "$TEST_CA" >"$BUNDLE"
  chmod 0644 "$BUNDLE"
  WARDEN_CA_SUBJECT=$(e2e_cert_subject "$STATE/ca.crt")
}

remove_pins() {
  [[ -d $PIN_DIR ]] || return 0
  rm -rf "$PIN_DIR"
}

# Later checks mean nothing once wardend is gone: report it and stop (the
# traps still clean up and check for leftovers).
ensure_wardend_alive() {
  e2e_alive "$WARDEND_PID" && return 0
  local status=0
  wait "$WARDEND_PID" 2>/dev/null || status=$?
  e2e_fail "${1:-wardend}" "wardend (pid $WARDEND_PID) died unexpectedly (exit status $status); see its log below"
  exit 1
}
