# Builds the provider test's world inside its private mount and network
# namespaces: host names, PKI, one mock upstream per provider, the child
# cgroup and wardend. Sourced by providers_test.sh; every step registers its
# own cleanup.

readonly kOpenAiHost=api.openai.com
readonly kOpenAiIp=127.0.0.2
readonly kAnthropicHost=api.anthropic.com
readonly kAnthropicIp=127.0.0.3
readonly kGeminiHost=generativelanguage.googleapis.com
readonly kGeminiIp=127.0.0.4
readonly kUpstreamPort=443
# A local Ollama server speaks plain HTTP; warden reads it as a plain target
# (an address and port, no name, no TLS).
readonly kOllamaIp=127.0.0.5
readonly kOllamaPort=11434
# Refusal checks: a limit far below what their requests send, far above the
# other scenarios' requests (under 1 KiB each).
readonly kBodyLimit=2048
# The mocks' pause between the pieces of a stream.
readonly kChunkDelayMs=5

setup_namespace() {
  e2e_require_private_mountns
  e2e_loopback_up
  printf '%s\n' "127.0.0.1 localhost" "::1 localhost" "$kOpenAiIp $kOpenAiHost" "$kAnthropicIp $kAnthropicHost" \
    "$kGeminiIp $kGeminiHost" >"$WORK/hosts"
  e2e_bind_hosts "$WORK/hosts"
  e2e_mount_bpffs "$BPFFS"
  e2e_log "namespace ready: lo up, $kOpenAiHost -> $kOpenAiIp, $kAnthropicHost -> $kAnthropicIp," \
    "$kGeminiHost -> $kGeminiIp, Ollama on $kOllamaIp:$kOllamaPort, bpffs at $BPFFS"
}

setup_pki() {
  e2e_pki_ca "$PKI" "warden e2e provider CA $$"
  e2e_pki_server "$PKI" "$kOpenAiHost"
  e2e_pki_server "$PKI" "$kAnthropicHost"
  e2e_pki_server "$PKI" "$kGeminiHost"
  chmod 0644 "$PKI"/*.crt
}

start_upstreams() {
  mkdir -p "$WORK/upstream"
  : >"$RECORD"
  start_upstream openai "$kOpenAiIp" "$kUpstreamPort" --cert-dir "$PKI" --names "$kOpenAiHost"
  start_upstream anthropic "$kAnthropicIp" "$kUpstreamPort" --cert-dir "$PKI" --names "$kAnthropicHost"
  start_upstream gemini "$kGeminiIp" "$kUpstreamPort" --cert-dir "$PKI" --names "$kGeminiHost"
  start_upstream ollama "$kOllamaIp" "$kOllamaPort" --plain
}

# start_upstream NAME IP PORT OPTION...: a mock on IP:PORT; the options say
# how it serves (certificates and names, or --plain).
start_upstream() {
  local name=$1 ip=$2 port=$3 deadline pid
  shift 3
  e2e_spawn "mock $name" "$WORK/upstream/$name.log" node "$NODE_DIR/provider_upstream.js" --host "$ip" \
    --port "$port" "$@" --record "$RECORD" --chunk-delay-ms "$kChunkDelayMs"
  pid=$E2E_SPAWNED_PID
  deadline=$(($(e2e_now_ms) + 10000))
  until [[ -n $(ss -Hltn "src $ip and sport = :$port" 2>/dev/null) ]]; do
    if ! e2e_alive "$pid" || (($(e2e_now_ms) >= deadline)); then
      e2e_die "mock $name upstream did not start: $(cat "$WORK/upstream/$name.log")"
    fi
    sleep 0.05
  done
}

setup_cgroup() {
  CG=$(e2e_cgroup_create "$E2E_CGROUP_NAME")
  e2e_defer e2e_cgroup_remove "$CG"
  CG_ID=$(e2e_cgroup_id "$CG")
  # Runs after wardend and its pins are gone, before the cgroup is removed
  # (cleanup is last-in, first-out).
  e2e_defer verify_nothing_left
  e2e_defer remove_pins
  e2e_log "child cgroup $CG (id $CG_ID)"
}

# write_wardend_config FILE [EXTRA_YAML]
write_wardend_config() {
  local file=$1 extra=${2:-}
  cat >"$file" <<EOF
cgroup: $CG
fail_mode: open
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
  hosts: [{name: $kOpenAiHost, resolve: false}, {name: $kAnthropicHost, resolve: false},
          {name: $kGeminiHost, resolve: false}]
  addresses: [{cidr: $kOpenAiIp/32, port: $kUpstreamPort}, {cidr: $kAnthropicIp/32, port: $kUpstreamPort},
              {cidr: $kGeminiIp/32, port: $kUpstreamPort}, {cidr: $kOllamaIp/32, port: $kOllamaPort, tls: false}]
EOF
  [[ -z $extra ]] || printf '%s\n' "$extra" >>"$file"
}

# start_wardend [EXTRA_YAML]: starts wardend and waits until it listens,
# answers on its control socket and has programs on the child cgroup.
# Returns 1 (the end of its log in WARDEND_FAILURE) if it exits or is not
# ready within 15 s; the caller decides whether that ends the test.
start_wardend() {
  local config log deadline
  WARDEND_RUNS=$((${WARDEND_RUNS:-0} + 1))
  config=$WORK/wardend-$WARDEND_RUNS.yaml
  log=$WORK/wardend-$WARDEND_RUNS.log
  WARDEND_FAILURE=''
  mkdir -p "$STATE" "$RUNDIR"
  write_wardend_config "$config" "${1:-}"
  e2e_spawn "wardend#$WARDEND_RUNS" "$log" "$WARDEND" --config "$config"
  WARDEND_PID=$E2E_SPAWNED_PID
  WARDEND_START=$(e2e_proc_start_time "$WARDEND_PID")
  deadline=$(($(e2e_now_ms) + 15000))
  while (($(e2e_now_ms) < deadline)); do
    e2e_alive "$WARDEND_PID" || break
    if e2e_port_listening "$LISTEN_PORT" && [[ -S $RUNDIR/control.sock ]] &&
      [[ $(e2e_bpf_attached_count "$CG") -gt 0 ]] && wardenctl_status >/dev/null 2>&1; then
      e2e_bpf_attached "$CG" | awk '{print $1}' >>"$WORK/prog_ids"
      e2e_log "wardend#$WARDEND_RUNS ready: $(e2e_bpf_attached "$CG" | awk '{print $2 "=" $3}' | tr '\n' ' ')"
      return 0
    fi
    sleep 0.1
  done
  WARDEND_FAILURE=$(tail -n 5 "$log" 2>/dev/null | tr '\n' ' ')
  e2e_log "wardend#$WARDEND_RUNS did not become ready: $WARDEND_FAILURE"
  stop_wardend
  return 1
}

stop_wardend() {
  e2e_stop "$WARDEND_PID" "$WARDEND_START" "wardend#$WARDEND_RUNS" TERM
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
}

remove_pins() {
  [[ -d $PIN_DIR ]] || return 0
  rm -rf "$PIN_DIR"
}

verify_nothing_left() {
  local attached
  attached=$(e2e_bpf_attached "$CG")
  if [[ -z $attached ]]; then
    e2e_pass cleanup "no program attached to $CG"
  else
    e2e_fail cleanup "programs still attached to $CG: $(tr '\n' ';' <<<"$attached")"
    e2e_bpf_force_detach "$CG"
  fi
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
