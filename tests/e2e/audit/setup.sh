# The audit test's world inside its private mount and network namespaces:
# the API name, a PKI (the mock upstream's certificate and rsyslog's, for
# the address 127.0.0.1), the mock upstream, the child cgroup, rsyslogd and
# wardend with a syslog sink. Sourced by audit_test.sh; every step registers
# its own cleanup.

readonly kApiHost=api.openai.com
readonly kUpstreamIp=127.0.0.2
readonly kUpstreamPort=443
readonly WARDEND_TARGETS="targets:
  hosts: [{name: $kApiHost, resolve: false}]
  addresses: [{cidr: $kUpstreamIp/32, port: $kUpstreamPort}]"

setup_namespace() {
  e2e_scenario_namespace "$kUpstreamIp $kApiHost"
}

# The suite's PKI, plus a certificate for rsyslog naming the IP address the
# sink dials: with no server_name the sink checks the address itself.
setup_pki() {
  e2e_scenario_pki "warden e2e audit CA $$" "$kApiHost"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$PKI/syslog.key" -out "$PKI/syslog.csr" -subj "/CN=warden e2e syslog" 2>"$PKI/openssl.log" ||
    e2e_die "creating rsyslog's key failed: $(cat "$PKI/openssl.log")"
  printf '%s\n' "subjectAltName=IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$PKI/syslog.ext"
  openssl x509 -req -in "$PKI/syslog.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 2 -sha256 -extfile "$PKI/syslog.ext" -out "$PKI/syslog.crt" 2>"$PKI/openssl.log" ||
    e2e_die "signing rsyslog's certificate failed: $(cat "$PKI/openssl.log")"
}

start_upstream() {
  mkdir -p "$WORK/upstream"
  : >"$RECORD"
  e2e_scenario_mock upstream mock_upstream.js "$kUpstreamIp" "$kUpstreamPort" --cert-dir "$PKI" --names "$kApiHost"
}

setup_cgroup() {
  e2e_scenario_cgroup e2e_wardend_check_detached cleanup "after the test: "
}

start_syslog() {
  SYSLOG_PORT=$(e2e_free_port)
  rsyslog_paths
  rsyslog_write_config
  rsyslog_start
  e2e_log "rsyslogd#$RSYSLOG_RUNS (pid $RSYSLOG_PID) takes TLS on 127.0.0.1:$SYSLOG_PORT, writes $RECEIVED"
}

# wardend with the spool and one syslog sink, as an operator would write it.
start_wardend() {
  local audit
  audit="audit:
  spool: {dir: $SPOOL}
  sinks:
    - {name: siem, type: syslog, address: \"127.0.0.1:$SYSLOG_PORT\", tls: true, ca_file: $TEST_CA}"
  LISTEN_PORT=$(e2e_free_port)
  e2e_wardend_start open "$audit" && return 0
  e2e_log "wardend log:"
  tail -n 40 "$WARDEND_LOG" >&2 || true
  e2e_die "wardend did not become ready within 15 s"
}
