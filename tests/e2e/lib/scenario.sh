# The world a wardend scenario runs in, built inside its private mount and
# network namespaces: host names, a PKI, mock upstreams and the child cgroup.
# Uses the paths of e2e_suite_paths; every step registers its own cleanup.

# e2e_scenario_namespace "IP NAME..."...: lo up, /etc/hosts with localhost and
# the given lines (so the clients dial the real API names), a private bpffs
# at $BPFFS for warden's pins.
e2e_scenario_namespace() {
  e2e_require_private_mountns
  e2e_loopback_up
  printf '%s\n' "127.0.0.1 localhost" "::1 localhost" "$@" >"$WORK/hosts"
  e2e_bind_hosts "$WORK/hosts"
  e2e_mount_bpffs "$BPFFS"
}

# e2e_scenario_pki CA_NAME HOST...: a test CA and a certificate for every
# HOST in $PKI; sets TEST_CA_SUBJECT.
e2e_scenario_pki() {
  local ca_name=$1 host
  shift
  e2e_pki_ca "$PKI" "$ca_name"
  for host in "$@"; do
    e2e_pki_server "$PKI" "$host"
  done
  TEST_CA_SUBJECT=$(e2e_cert_subject "$TEST_CA")
  # Clients that run as nobody must read the trust files.
  chmod 0644 "$PKI"/*.crt
  chmod 0755 "$PKI"
}

# e2e_scenario_mock NAME SCRIPT IP PORT OPTION...: the node mock SCRIPT on
# IP:PORT, logging to $WORK/upstream/NAME.log and recording every request in
# $RECORD; returns once it listens. Sets MOCK_PID.
e2e_scenario_mock() {
  local name=$1 script=$2 ip=$3 port=$4 log=$WORK/upstream/$1.log
  shift 4
  mkdir -p "$WORK/upstream"
  e2e_spawn "mock $name" "$log" node "$NODE_DIR/$script" --host "$ip" --port "$port" "$@" --record "$RECORD"
  MOCK_PID=$E2E_SPAWNED_PID
  e2e_wait_port "$port" 10 "$MOCK_PID" "$ip" || e2e_die "mock $name upstream did not start: $(cat "$log")"
}

# e2e_scenario_cgroup VERIFY_COMMAND...: the child cgroup wardend attaches
# to ($CG, $CG_ID). At exit, after wardend and its pins are gone (cleanup is
# last-in, first-out), VERIFY_COMMAND checks what is left on it before the
# cgroup is removed.
e2e_scenario_cgroup() {
  CG=$(e2e_cgroup_create "$E2E_CGROUP_NAME")
  e2e_defer e2e_cgroup_remove "$CG"
  CG_ID=$(e2e_cgroup_id "$CG")
  e2e_defer "$@"
  e2e_defer e2e_wardend_remove_pins
  e2e_log "child cgroup $CG (id $CG_ID)"
}
