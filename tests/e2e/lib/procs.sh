# Background processes owned by a test. Only pids started here are ever
# signalled, and only while /proc still shows the same process (start time
# recorded at spawn), so a recycled pid is never hit.
#
# E2E_PID_FILE, if set, gets one "pid starttime name" line per process so a
# supervising process can stop them if this shell dies without its traps.

# Start time of a process in clock ticks since boot; empty if it is gone.
e2e_proc_start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  # Fields after the comm (which may contain spaces) start at field 3.
  stat=${stat##*) }
  awk '{print $20}' <<<"$stat"
}

# e2e_spawn NAME LOGFILE COMMAND...: starts COMMAND in the background with
# stdout and stderr in LOGFILE; sets E2E_SPAWNED_PID and stops it at exit.
e2e_spawn() {
  local name=$1 logfile=$2
  shift 2
  "$@" >"$logfile" 2>&1 </dev/null &
  E2E_SPAWNED_PID=$!
  local start
  start=$(e2e_proc_start_time "$E2E_SPAWNED_PID")
  if [[ -n ${E2E_PID_FILE:-} ]]; then
    printf '%s %s %s\n' "$E2E_SPAWNED_PID" "$start" "$name" >>"$E2E_PID_FILE"
  fi
  e2e_defer e2e_stop "$E2E_SPAWNED_PID" "$start" "$name"
  e2e_log "started $name (pid $E2E_SPAWNED_PID)"
}

# e2e_stop PID STARTTIME [NAME] [SIGNAL]: SIGNAL (TERM) then, after 3 s, KILL.
# Returns once the process is gone.
e2e_stop() {
  local pid=$1 start=$2 name=${3:-process} signal=${4:-TERM} i
  [[ -n $pid && $(e2e_proc_start_time "$pid") == "$start" && -n $start ]] || { wait "$pid" 2>/dev/null; return 0; }
  kill "-$signal" "$pid" 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do
    [[ $(e2e_proc_start_time "$pid") == "$start" ]] || break
    # A zombie child keeps its /proc entry until reaped.
    if [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]]; then break; fi
    sleep 0.1
  done
  if [[ $(e2e_proc_start_time "$pid") == "$start" && $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]]; then
    e2e_log "$name (pid $pid) ignored SIG$signal; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  return 0
}

# Stops the processes listed in a pid file written by e2e_spawn; used by a
# supervisor whose child shell died before its own cleanup.
e2e_stop_pid_file() {
  local file=$1 pid start name
  [[ -f $file ]] || return 0
  while read -r pid start name; do
    if [[ -n $start && $(e2e_proc_start_time "$pid") == "$start" ]]; then
      e2e_log "stopping leftover $name (pid $pid)"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done <"$file"
}

e2e_alive() {
  local pid=$1
  [[ -d /proc/$pid && $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]]
}
