# One client process of a scenario, run to its end: inside the child cgroup
# (redirected to wardend) or outside it (direct), its stdout, stderr, pid and
# exit status left in $OUT for the checks.

# e2e_run_client NAME WHERE TIMEOUT_S COMMAND...
#   WHERE: in (child cgroup $CG, redirected) | out (not redirected)
# Writes $OUT/NAME.{out,err,pid,rc}; sets CLIENT_PID (the pid the kernel sees
# connect), CLIENT_RC and CLIENT_MS. A client still running after TIMEOUT_S
# is killed: a hang must fail its checks, not the whole run.
e2e_run_client() {
  local name=$1 where=$2 timeout_s=$3 start deadline
  shift 3
  local cmd=()
  [[ $where == in ]] && cmd+=("$E2E_LIB_DIR/in_cgroup.sh" "$CG")
  cmd+=("$@")
  start=$(e2e_now_ms)
  deadline=$((start + timeout_s * 1000))
  "${cmd[@]}" >"$OUT/$name.out" 2>"$OUT/$name.err" </dev/null &
  CLIENT_PID=$!
  while e2e_alive "$CLIENT_PID" && (($(e2e_now_ms) < deadline)); do
    sleep 0.02
  done
  if e2e_alive "$CLIENT_PID"; then
    e2e_log "client $name hung; killing it"
    kill -KILL "$CLIENT_PID" 2>/dev/null || true
  fi
  CLIENT_RC=0
  wait "$CLIENT_PID" || CLIENT_RC=$?
  CLIENT_MS=$(($(e2e_now_ms) - start))
  printf '%s\n' "$CLIENT_PID" >"$OUT/$name.pid"
  printf '%s\n' "$CLIENT_RC" >"$OUT/$name.rc"
  if ((CLIENT_RC != 0)); then
    e2e_log "client $name ($where) exited $CLIENT_RC after ${CLIENT_MS}ms: $(tail -c 800 "$OUT/$name.err")"
  fi
  return 0
}
