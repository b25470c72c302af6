# The SIEM of the audit test: a private rsyslogd (Debian's rsyslog with
# rsyslog-openssl) started by the test with its own configuration, work
# directory and pid file, listening with TLS only on 127.0.0.1:$SYSLOG_PORT
# inside the test's network namespace. It writes every message it receives as
# one JSON object (its parsed RFC 5424 fields and the MSG) to $RECEIVED. The
# machine's /etc/rsyslog.conf and any system rsyslogd are never read or
# touched; this one is stopped only by its own pid.
#
# Uses SYSLOG_PORT and the certificates made by setup_pki.

rsyslog_paths() {
  RSYSLOG_DIR=$WORK/rsyslog
  RSYSLOG_CONF=$RSYSLOG_DIR/rsyslog.conf
  RECEIVED=$RSYSLOG_DIR/received.jsonl
  mkdir -p "$RSYSLOG_DIR/work"
}

rsyslog_write_config() {
  cat >"$RSYSLOG_CONF" <<EOF
# Written by the warden e2e audit test; nothing else reads it.
global(workDirectory="$RSYSLOG_DIR/work"
       maxMessageSize="256k"
       net.enableDNS="off"
       defaultNetstreamDriver="ossl"
       defaultNetstreamDriverCAFile="$TEST_CA"
       defaultNetstreamDriverCertFile="$PKI/syslog.crt"
       defaultNetstreamDriverKeyFile="$PKI/syslog.key")
# TLS only (mode 1); clients are not asked for certificates (anon).
module(load="imtcp" streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="anon")
input(type="imtcp" address="127.0.0.1" port="$SYSLOG_PORT")
template(name="wardenFields" type="list" option.jsonf="on") {
  property(outname="facility" name="syslogfacility" format="jsonf")
  property(outname="severity" name="syslogseverity" format="jsonf")
  property(outname="timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="host" name="hostname" format="jsonf")
  property(outname="app" name="app-name" format="jsonf")
  property(outname="procid" name="procid" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="sd" name="structured-data" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
}
action(type="omfile" file="$RECEIVED" template="wardenFields")
EOF
  rsyslogd -N1 -f "$RSYSLOG_CONF" >"$RSYSLOG_DIR/config-check.log" 2>&1 ||
    e2e_die "rsyslogd refuses the test's configuration: $(cat "$RSYSLOG_DIR/config-check.log")"
}

# rsyslog_start: a new rsyslogd (RSYSLOG_PID, RSYSLOG_START) listening on
# SYSLOG_PORT; the output file is appended to across restarts.
rsyslog_start() {
  RSYSLOG_RUNS=$((${RSYSLOG_RUNS:-0} + 1))
  local log=$RSYSLOG_DIR/rsyslogd-$RSYSLOG_RUNS.log
  rm -f "$RSYSLOG_DIR/rsyslogd.pid"
  e2e_spawn "rsyslogd#$RSYSLOG_RUNS" "$log" rsyslogd -n -f "$RSYSLOG_CONF" -i "$RSYSLOG_DIR/rsyslogd.pid"
  RSYSLOG_PID=$E2E_SPAWNED_PID
  RSYSLOG_START=$(e2e_proc_start_time "$RSYSLOG_PID")
  printf '%s\n' "$RSYSLOG_PID" >>"$RSYSLOG_DIR/pids"
  e2e_wait_port "$SYSLOG_PORT" 10 "$RSYSLOG_PID" 127.0.0.1 ||
    e2e_die "rsyslogd#$RSYSLOG_RUNS did not listen on 127.0.0.1:$SYSLOG_PORT: $(tail -n 5 "$log")"
}

# Stops the running rsyslogd by its pid, as an operator restarting it would
# (SIGTERM: it writes what it has queued, then exits).
rsyslog_stop() {
  e2e_stop "$RSYSLOG_PID" "$RSYSLOG_START" "rsyslogd#$RSYSLOG_RUNS" TERM
}

# True while any rsyslogd this test started still runs.
rsyslog_any_running() {
  local pid
  [[ -f $RSYSLOG_DIR/pids ]] || return 1
  while read -r pid; do
    e2e_alive "$pid" && [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == *"$RSYSLOG_CONF"* ]] && return 0
  done <"$RSYSLOG_DIR/pids"
  return 1
}

# The event lines rsyslog received: each message's MSG without its BOM, one
# per line, in arrival order (duplicates kept).
received_lines() {
  [[ -f $RECEIVED ]] || return 0
  jq -r '.msg | ltrimstr("\ufeff")' "$RECEIVED"
}
