# The outer half of an end-to-end test whose scenario runs in private mount
# and network namespaces. The outer half owns the work directory and the
# test's cgroup, passes signals on to the scenario and waits for its cleanup,
# then checks from the host that nothing was left behind. A test calls:
#   e2e_outer_start NAME                       work dir, cgroup names, EXIT trap
#   e2e_outer_run_inside SECONDS SCRIPT ARGS...  the scenario, bounded in time
# The scenario writes "PASSED FAILED" to $WORK/results and the ids of the BPF
# programs it saw loaded to $WORK/prog_ids.

e2e_outer_start() {
  local name=$1 root
  root=$(e2e_cgroup2_root /proc/mounts) || e2e_die "cgroup v2 is required"
  WORK=$(mktemp -d "/tmp/warden-e2e-$name.XXXXXX")
  chmod 0755 "$WORK"  # clients running as nobody read trust files here
  E2E_PID_FILE=$WORK/pids
  E2E_CGROUP_NAME=warden-e2e-$name-$$
  E2E_CGROUP_PATH=$root/$E2E_CGROUP_NAME
  export WORK E2E_PID_FILE E2E_CGROUP_NAME E2E_CGROUP_PATH
  e2e_remember_host_mountns
  trap 'e2e_outer_exit $?' EXIT
  e2e_log "work directory $WORK; cgroup $E2E_CGROUP_PATH"
}

e2e_outer_run_inside() {
  local seconds=$1
  shift
  # The inner shell gets TERM (and runs its traps) well before ctest's
  # timeout would kill everything without cleanup.
  timeout -s TERM -k 15 "$seconds" unshare --mount --net --propagation private -- bash "$@" &
  E2E_INNER_PID=$!
  # A signal to this process is passed on, and the inner cleanup awaited,
  # before this process checks for leftovers.
  trap 'e2e_outer_forward_signal INT' INT
  trap 'e2e_outer_forward_signal TERM' TERM
  E2E_INNER_RC=0
  wait "$E2E_INNER_PID" || E2E_INNER_RC=$?
  while kill -0 "$E2E_INNER_PID" 2>/dev/null; do
    E2E_INNER_RC=0
    wait "$E2E_INNER_PID" || E2E_INNER_RC=$?
  done
  [[ -z ${E2E_OUTER_SIGNAL:-} ]] || exit 1
}

e2e_outer_forward_signal() {
  E2E_OUTER_SIGNAL=$1
  e2e_log "got SIG$1: stopping the scenario and cleaning up"
  kill "-$1" "$E2E_INNER_PID" 2>/dev/null || true
}

# Runs after the namespaces are gone: whatever the scenario left is cleaned
# here, and reported as a failure.
e2e_outer_verify() {
  local id leftover=0 i
  e2e_stop_pid_file "$E2E_PID_FILE"
  if [[ -d $E2E_CGROUP_PATH ]]; then
    e2e_fail cleanup "cgroup $E2E_CGROUP_PATH was left behind (removing it now)"
    e2e_bpf_force_detach "$E2E_CGROUP_PATH"
    e2e_cgroup_remove "$E2E_CGROUP_PATH" || true
  else
    e2e_pass cleanup "cgroup $E2E_CGROUP_PATH is removed"
  fi
  # Programs are freed once their last link/pin is gone (after an RCU grace
  # period): give the kernel a moment.
  for ((i = 0; i < 30; i++)); do
    leftover=0
    if [[ -f $WORK/prog_ids ]]; then
      while read -r id; do
        e2e_bpf_prog_exists "$id" && leftover=$((leftover + 1))
      done <"$WORK/prog_ids"
    fi
    ((leftover == 0)) && break
    sleep 0.1
  done
  e2e_check cleanup "every BPF program wardend loaded during the test is unloaded" test "$leftover" -eq 0
}

e2e_outer_exit() {
  local rc=$1 passed=0 failed=0
  trap - EXIT INT TERM
  set +e
  if [[ -n ${WORK:-} && -d $WORK ]]; then
    e2e_outer_verify
    [[ -f $WORK/results ]] && read -r passed failed <"$WORK/results"
  fi
  passed=$((passed + E2E_PASSED))
  failed=$((failed + E2E_FAILED))
  if [[ ${E2E_INNER_RC:-1} -ne 0 && $failed -eq 0 ]]; then
    e2e_fail scenario "the scenario stopped early (exit ${E2E_INNER_RC:-?}); see the log above"
    failed=$((failed + 1))
  fi
  if [[ -n ${WORK:-} && -d $WORK ]]; then
    if [[ ${WARDEN_E2E_KEEP:-0} == 1 ]]; then
      e2e_log "kept $WORK"
    else
      rm -rf "$WORK"
    fi
  fi
  printf '%d passed, %d failed\n' "$passed" "$failed"
  ((rc == 0 && failed == 0)) || exit 1
  exit 0
}
