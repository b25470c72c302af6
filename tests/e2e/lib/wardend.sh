# wardend under test: its configuration, start, readiness, control socket
# and what it must leave behind. Uses the paths of e2e_suite_paths, the child
# cgroup $CG, LISTEN_PORT and WARDEND_TARGETS (the suite's `targets:` YAML).

# e2e_wardend_config FILE FAIL_MODE [EXTRA_YAML]
e2e_wardend_config() {
  local file=$1 fail_mode=$2 extra=${3:-} policies
  # The rule packs and models of this source tree, not an installed copy.
  policies=$(cd "$E2E_LIB_DIR/../../../policies" && pwd)
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
upstream: {extra_ca_file: $TEST_CA}
validation:
  rules_dir: $policies/rules
  injection_model: $policies/models/injection.model
  harmful_model: $policies/models/harmful.model
EOF
  printf '%s\n' "$WARDEND_TARGETS" >>"$file"
  # A test that configures sinks gives the whole audit: section itself.
  [[ $extra == *"audit:"* ]] || printf 'audit: {spool: {dir: %s}}\n' "$SPOOL" >>"$file"
  # The shipped access policy of this source tree, unless the test has its own.
  [[ $extra == *"access:"* ]] || printf 'access: {policy_dirs: [%s/access], masking_rules_dir: %s/masking}\n' "$policies" "$policies" >>"$file"
  [[ -z $extra ]] || printf '%s\n' "$extra" >>"$file"
}

# e2e_wardend_start FAIL_MODE [EXTRA_YAML]: starts wardend (WARDEND_PID,
# WARDEND_START, WARDEND_LOG) and waits until it listens, answers on its
# control socket and has programs on the child cgroup. Returns 1, with the
# end of its log in WARDEND_FAILURE and wardend stopped, if it exits or is
# not ready within 15 s; the caller decides whether that ends the test.
e2e_wardend_start() {
  local fail_mode=$1 config deadline
  WARDEND_RUNS=$((${WARDEND_RUNS:-0} + 1))
  config=$WORK/wardend-$WARDEND_RUNS.yaml
  WARDEND_LOG=$WORK/wardend-$WARDEND_RUNS.log
  WARDEND_FAILURE=''
  mkdir -p "$STATE" "$RUNDIR"
  e2e_wardend_config "$config" "$fail_mode" "${2:-}"
  e2e_spawn "wardend#$WARDEND_RUNS" "$WARDEND_LOG" "$WARDEND" --config "$config"
  WARDEND_PID=$E2E_SPAWNED_PID
  WARDEND_START=$(e2e_proc_start_time "$WARDEND_PID")
  deadline=$(($(e2e_now_ms) + 15000))
  while (($(e2e_now_ms) < deadline)); do
    e2e_alive "$WARDEND_PID" || break
    if e2e_port_listening "$LISTEN_PORT" && [[ -S $RUNDIR/control.sock ]] &&
      [[ $(e2e_bpf_attached_count "$CG") -gt 0 ]] && e2e_wardenctl_status >/dev/null 2>&1; then
      e2e_bpf_attached "$CG" | awk '{print $1}' >>"$WORK/prog_ids"
      e2e_log "wardend#$WARDEND_RUNS ($fail_mode) ready: $(e2e_bpf_attached "$CG" | awk '{print $2 "=" $3}' | tr '\n' ' ')"
      return 0
    fi
    sleep 0.1
  done
  WARDEND_FAILURE=$(tail -n 5 "$WARDEND_LOG" 2>/dev/null | tr '\n' ' ')
  e2e_log "wardend#$WARDEND_RUNS did not become ready within 15 s (listening on $LISTEN_PORT," \
    "control socket, programs on $CG): $WARDEND_FAILURE"
  e2e_wardend_stop
  return 1
}

# Graceful: SIGTERM, as systemd stops it.
e2e_wardend_stop() {
  e2e_stop "$WARDEND_PID" "$WARDEND_START" "wardend#$WARDEND_RUNS" TERM
}

e2e_wardenctl_status() {
  "$WARDENCTL" --socket "$RUNDIR/control.sock" status --json
}

# e2e_wardenctl ARGS...: wardenctl against the test's wardend.
e2e_wardenctl() {
  "$WARDENCTL" --socket "$RUNDIR/control.sock" "$@"
}

# The warden CA next to the test CA in $BUNDLE: what an operator would
# install for clients whose traffic warden intercepts. Sets WARDEN_CA_SUBJECT.
e2e_wardend_trust_bundle() {
  [[ -s $STATE/ca.crt ]] || e2e_die "wardend did not create its CA at $STATE/ca.crt"
  cat "$STATE/ca.crt" "$TEST_CA" >"$BUNDLE"
  chmod 0644 "$BUNDLE"
  WARDEN_CA_SUBJECT=$(e2e_cert_subject "$STATE/ca.crt")
}

e2e_wardend_remove_pins() {
  [[ -d $PIN_DIR ]] || return 0
  rm -rf "$PIN_DIR"
}

# e2e_wardend_ensure_alive [ID]: later checks mean nothing once wardend is
# gone: report it and stop (the traps still clean up and check for leftovers).
e2e_wardend_ensure_alive() {
  e2e_alive "$WARDEND_PID" && return 0
  local status=0
  wait "$WARDEND_PID" 2>/dev/null || status=$?
  e2e_fail "${1:-wardend}" "wardend (pid $WARDEND_PID) died unexpectedly (exit status $status); see its log below"
  exit 1
}

# e2e_wardend_check_detached ID [PREFIX]: a check that no program is left on
# $CG once wardend is gone; what is left is detached by force.
e2e_wardend_check_detached() {
  local id=$1 prefix=${2:-} attached
  attached=$(e2e_bpf_attached "$CG")
  if [[ -z $attached ]]; then
    e2e_pass "$id" "${prefix}no program attached to $CG"
  else
    e2e_fail "$id" "${prefix}programs still attached to $CG: $(tr '\n' ';' <<<"$attached")"
    e2e_bpf_force_detach "$CG"
  fi
}

# e2e_events: every line wardend spooled, oldest segment first.
e2e_events() {
  local segment
  for segment in "$SPOOL"/events-*.jsonl; do
    [[ -f $segment ]] && cat "$segment"
  done
  return 0
}
