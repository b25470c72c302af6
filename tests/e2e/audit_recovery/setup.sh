# The recovery test's world inside its private mount and network namespaces:
# the API name, a PKI, the mock upstream, the child cgroup, small disks for
# spools, and wardend started with a scenario's audit: section. Sourced by
# audit_recovery_test.sh; every step registers its own cleanup.

readonly kApiHost=api.openai.com
readonly kUpstreamIp=127.0.0.2
readonly kUpstreamPort=443
readonly WARDEND_TARGETS="targets:
  hosts: [{name: $kApiHost, resolve: false}]
  addresses: [{cidr: $kUpstreamIp/32, port: $kUpstreamPort}]"

setup_namespace() {
  e2e_scenario_namespace "$kUpstreamIp $kApiHost"
}

setup_pki() {
  e2e_scenario_pki "warden e2e audit recovery CA $$" "$kApiHost"
}

start_upstream() {
  mkdir -p "$WORK/upstream"
  : >"$RECORD"
  e2e_scenario_mock upstream mock_upstream.js "$kUpstreamIp" "$kUpstreamPort" --cert-dir "$PKI" --names "$kApiHost"
}

setup_cgroup() {
  e2e_scenario_cgroup e2e_wardend_check_detached cleanup "after the test: "
}

# start_wardend FAIL_MODE AUDIT_YAML: a wardend that does not start ends the
# test. The trust bundle (warden's CA) is written once it exists.
start_wardend() {
  e2e_wardend_start "$1" "$2" || {
    e2e_log "wardend log:"
    tail -n 40 "$WARDEND_LOG" >&2 || true
    e2e_die "wardend did not become ready within 15 s"
  }
  [[ -s $BUNDLE ]] || e2e_wardend_trust_bundle
}

# mount_disk DIR SIZE: a tmpfs of SIZE at DIR, only in this mount namespace,
# unmounted at exit (if a scenario has not already done so).
mount_disk() {
  local dir=$1 size=$2
  e2e_require_private_mountns
  mkdir -p "$dir"
  mount -t tmpfs -o "size=$size,mode=0755" warden-e2e-disk "$dir" || e2e_die "cannot mount a tmpfs at $dir"
  e2e_defer umount_if_mounted "$dir"
}

# mount_readonly_over DIR: an empty read-only tmpfs hides DIR's files, so
# nothing can be created or appended there until unmount_over DIR.
mount_readonly_over() {
  local dir=$1
  e2e_require_private_mountns
  mount -t tmpfs -o ro,size=64k,mode=0755 warden-e2e-readonly "$dir" || e2e_die "cannot mount a read-only tmpfs over $dir"
  e2e_defer umount_if_mounted "$dir"
}

umount_if_mounted() {
  e2e_is_mounted "$1" || return 0
  e2e_umount "$1"
}

# fill_disk DIR LEAVE_BYTES: DIR/filler takes all of DIR's file system but
# about LEAVE_BYTES.
fill_disk() {
  local dir=$1 leave=$2 avail
  avail=$(df -B1 --output=avail "$dir" | tail -n 1 | tr -d ' ')
  ((avail > leave)) || { e2e_log "$dir has only $avail bytes free"; return 0; }
  head -c $((avail - leave)) /dev/zero >"$dir/filler" 2>/dev/null || true
  e2e_log "$dir filled: $(df -B1 --output=avail "$dir" | tail -n 1 | tr -d ' ') bytes left"
}

# spool_yaml DIR SEGMENT_MIB MAX_MIB ON_FULL [SINK_PATH]
spool_yaml() {
  local dir=$1 segment=$2 max=$3 on_full=$4 sink=${5:-}
  printf 'audit:\n  spool: {dir: %s, segment_mib: %s, max_mib: %s, on_full: %s}\n' "$dir" "$segment" "$max" "$on_full"
  if [[ -n $sink ]]; then
    printf '  sinks:\n    - {name: local, type: file, path: %s, batch_events: 200}\n' "$sink"
  else
    printf '  sinks: []\n'
  fi
}

status_json() {
  e2e_wardenctl_status 2>/dev/null || echo '{}'
}

# wait_status JQ_FILTER TIMEOUT_S: wardend's status matches JQ_FILTER (true).
wait_status() {
  local filter=$1 deadline=$(($(e2e_now_ms) + $2 * 1000))
  until [[ $(status_json | jq -r "$filter" 2>/dev/null) == true ]]; do
    (($(e2e_now_ms) < deadline)) || return 1
    sleep 0.1
  done
}
