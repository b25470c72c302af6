# Builds the interception test's world inside its private mount and network
# namespaces: names, PKI, the mock upstream, the child cgroup and wardend.
# Sourced by intercept_test.sh; the pieces are in ../lib (scenario.sh,
# wardend.sh), every step registers its own cleanup.

readonly kApiHost=api.openai.com
readonly kOtherHost=other.example.com
readonly kUpstreamIp=127.0.0.2
readonly kUpstreamPort=443
readonly kNobody=65534
# Only the API host is an LLM host: warden tunnels the other one blind.
readonly WARDEND_TARGETS="targets:
  hosts: [{name: $kApiHost, resolve: false}]
  addresses: [{cidr: $kUpstreamIp/32, port: $kUpstreamPort}]"

setup_namespace() {
  e2e_scenario_namespace "$kUpstreamIp $kApiHost $kOtherHost"
  e2e_log "namespace ready: lo up, /etc/hosts maps $kApiHost and $kOtherHost to $kUpstreamIp, bpffs at $BPFFS"
}

setup_pki() {
  e2e_scenario_pki "warden e2e test CA $$" "$kApiHost" "$kOtherHost"
}

start_upstream() {
  mkdir -p "$WORK/upstream"
  : >"$RECORD"
  e2e_scenario_mock upstream mock_upstream.js "$kUpstreamIp" "$kUpstreamPort" --cert-dir "$PKI" \
    --names "$kApiHost,$kOtherHost" --chunk-delay-ms 100
}

setup_cgroup() {
  e2e_scenario_cgroup verify_nothing_left
}

# start_wardend FAIL_MODE: a wardend that does not start ends the test.
start_wardend() {
  e2e_wardend_start "$1" && return 0
  e2e_log "wardend log:"
  tail -n 40 "$WARDEND_LOG" >&2 || true
  e2e_die "wardend did not become ready within 15 s (listening on $LISTEN_PORT, control socket, programs on $CG)"
}
