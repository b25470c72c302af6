# shellcheck shell=bash disable=SC2154,SC2034 # paths come from the main script; measure.sh reads what this sets
# The benchmark's world, built inside its private mount and network
# namespaces: names, a throwaway PKI, the request bodies, the nginx upstream,
# the nginx reference proxy, the streaming upstream, the child cgroup and
# wardend. Every step registers its own cleanup (e2e_defer / e2e_spawn).

readonly kApiHost=api.openai.com
readonly kUpstreamIp=127.0.0.2
readonly kUpstreamPort=443
readonly kSsePort=8443
readonly kStatusPort=8080
readonly kProxyHost=proxy.bench.test
readonly kProxyIp=127.0.0.3
readonly kProxyPort=443
readonly kBodyBytes=4096

setup_namespace() {
  e2e_require_private_mountns
  e2e_loopback_up
  printf '%s\n' "127.0.0.1 localhost" "::1 localhost" "$kUpstreamIp $kApiHost" "$kProxyIp $kProxyHost" >"$WORK/hosts"
  e2e_bind_hosts "$WORK/hosts"
  e2e_mount_bpffs "$BPFFS"
  e2e_log "namespace ready: lo up, $kApiHost -> $kUpstreamIp, $kProxyHost -> $kProxyIp, bpffs at $BPFFS"
}

setup_pki() {
  e2e_pki_ca "$PKI" "warden bench test CA $$"
  e2e_pki_server "$PKI" "$kApiHost"
  e2e_pki_server "$PKI" "$kProxyHost"
}

# chat_body STREAM: a chat completion request of exactly kBodyBytes bytes, the
# user message padded with prose to fill it.
chat_body() {
  local stream=$1 head tail filler='' pad
  local sentence='Summarise the quarterly report in three sentences, keeping the figures exact. '
  head="{\"model\":\"gpt-4o-mini\",\"stream\":$stream,\"messages\":[{\"role\":\"system\",\"content\":\"You are a concise assistant.\"},{\"role\":\"user\",\"content\":\""
  tail='"}]}'
  pad=$((kBodyBytes - ${#head} - ${#tail}))
  while ((${#filler} < pad)); do filler+=$sentence; done
  filler=${filler:0:pad}
  printf '%s%s%s' "$head" "$filler" "$tail"
}

write_bodies() {
  mkdir -p "$REQ"
  chat_body false >"$REQ/chat.json"
  chat_body true >"$REQ/stream.json"
  jq -e . "$REQ/chat.json" >/dev/null || e2e_die "the generated chat body is not JSON"
  jq -e . "$REQ/stream.json" >/dev/null || e2e_die "the generated stream body is not JSON"
  [[ $(stat -c %s "$REQ/chat.json") -eq $kBodyBytes ]] || e2e_die "the chat body is not $kBodyBytes bytes"
}

# start_nginx NAME TEMPLATE PORT: an nginx with its own prefix under $WORK; sets
# NGINX_PIDS (master and workers) for CPU accounting.
start_nginx() {
  local name=$1 template=$2 dir=$WORK/nginx-$1 port=$3 pid i
  mkdir -p "$dir/tmp"
  sed -e "s|@DIR@|$dir|g" -e "s|@PKI@|$PKI|g" -e "s|@API_HOST@|$kApiHost|g" \
    -e "s|@UPSTREAM_IP@|$kUpstreamIp|g" -e "s|@UPSTREAM_PORT@|$kUpstreamPort|g" -e "s|@STATUS_PORT@|$kStatusPort|g" \
    -e "s|@PROXY_HOST@|$kProxyHost|g" -e "s|@PROXY_IP@|$kProxyIp|g" -e "s|@PROXY_PORT@|$kProxyPort|g" \
    "$template" >"$dir/nginx.conf"
  nginx -t -q -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" 2>"$dir/check.log" ||
    e2e_die "nginx $name: bad configuration: $(cat "$dir/check.log")"
  e2e_spawn "nginx-$name" "$dir/stdout.log" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" -g 'daemon off;'
  pid=$E2E_SPAWNED_PID
  e2e_wait_port "$port" 10 "$pid" || e2e_die "nginx $name did not start: $(tail -n 5 "$dir/error.log")"
  # Workers are forked after the listener exists; wait until both are there.
  for ((i = 0; i < 50; i++)); do
    NGINX_PIDS=$(ps -o pid= --ppid "$pid" | tr -s ' \n' ' ')
    [[ $(wc -w <<<"$NGINX_PIDS") -ge 2 ]] && break
    sleep 0.05
  done
  NGINX_PIDS="$pid $NGINX_PIDS"
}

start_upstream() {
  start_nginx upstream "$BENCH_DIR/nginx/upstream.conf.in" "$kUpstreamPort"
  UPSTREAM_PIDS=$NGINX_PIDS
  e2e_log "upstream nginx on $kUpstreamIp:$kUpstreamPort (pids $UPSTREAM_PIDS)"
}

start_proxy() {
  start_nginx proxy "$BENCH_DIR/nginx/proxy.conf.in" "$kProxyPort"
  PROXY_PIDS=$NGINX_PIDS
  e2e_log "reference nginx proxy on $kProxyIp:$kProxyPort (pids $PROXY_PIDS)"
}

start_sse_upstream() {
  e2e_spawn sse-upstream "$WORK/sse.log" node "$BENCH_DIR/sse_server.js" --host "$kUpstreamIp" --port "$kSsePort" \
    --cert "$PKI/$kApiHost.crt" --key "$PKI/$kApiHost.key" --events 4 --gap-ms 10
  e2e_wait_port "$kSsePort" 10 "$E2E_SPAWNED_PID" || e2e_die "streaming upstream did not start: $(cat "$WORK/sse.log")"
}

setup_cgroup() {
  CG=$(e2e_cgroup_create "$BENCH_CGROUP_NAME")
  e2e_defer e2e_cgroup_remove "$CG"
  # Last-in, first-out: after wardend stopped, before the cgroup goes.
  e2e_defer detach_leftovers
  e2e_defer remove_pins
  e2e_log "child cgroup $CG"
}

write_wardend_config() {
  cat >"$1" <<EOF
cgroup: $CG
fail_mode: open
listen: {port: $LISTEN_PORT}
workers: ${BENCH_WARDEN_WORKERS:-2}
paths:
  state_dir: $STATE
  runtime_dir: $RUNDIR
  bpf_pin_dir: $PIN_DIR
upstream: {extra_ca_file: $TEST_CA}
audit: {spool: {dir: $SPOOL}}
validation:
  enabled: ${BENCH_WARDEN_VALIDATION:-true}
  rules_dir: $BENCH_DIR/../../policies/rules
  injection_model: $BENCH_DIR/../../policies/models/injection.model
  harmful_model: $BENCH_DIR/../../policies/models/harmful.model
# The shipped access policy and masking rules of this tree, as installed.
access:
  enabled: ${BENCH_WARDEN_ACCESS:-true}
  policy_dirs: [$BENCH_DIR/../../policies/access]
  masking_rules_dir: $BENCH_DIR/../../policies/masking
targets:
  hosts: [{name: $kApiHost, resolve: false}]
  addresses: [{cidr: $kUpstreamIp/32, port: $kUpstreamPort}, {cidr: $kUpstreamIp/32, port: $kSsePort}]
EOF
}

# Starts wardend and waits until it listens and has programs on the cgroup;
# then writes the trust bundle (warden CA + test CA) for curl.
start_wardend() {
  local config=$WORK/wardend.yaml log=$WORK/wardend.log deadline
  mkdir -p "$STATE" "$RUNDIR"
  LISTEN_PORT=$(e2e_free_port)
  write_wardend_config "$config"
  e2e_spawn wardend "$log" "$WARDEND" --config "$config"
  WARDEND_PID=$E2E_SPAWNED_PID
  WARDEND_START=$(e2e_proc_start_time "$WARDEND_PID")
  deadline=$(($(e2e_now_ms) + 15000))
  while (($(e2e_now_ms) < deadline)); do
    e2e_alive "$WARDEND_PID" || break
    if e2e_port_listening "$LISTEN_PORT" && [[ -S $RUNDIR/control.sock && -s $STATE/ca.crt ]] &&
      [[ $(e2e_bpf_attached_count "$CG") -gt 0 ]]; then
      cat "$STATE/ca.crt" "$TEST_CA" >"$BUNDLE"
      WARDEN_CA_SUBJECT=$(e2e_cert_subject "$STATE/ca.crt")
      e2e_log "wardend ready (pid $WARDEND_PID, port $LISTEN_PORT): $(e2e_bpf_attached "$CG" | awk '{print $2 "=" $3}' | tr '\n' ' ')"
      return 0
    fi
    sleep 0.1
  done
  tail -n 40 "$log" >&2 || true
  e2e_die "wardend did not become ready within 15 s (listening on $LISTEN_PORT, control socket, CA, programs on $CG)"
}

stop_wardend() {
  e2e_stop "$WARDEND_PID" "$WARDEND_START" wardend TERM
  local attached
  attached=$(e2e_bpf_attached_count "$CG")
  ((attached == 0)) || e2e_die "wardend stopped but $attached program(s) are still attached to $CG"
  e2e_log "wardend stopped; nothing attached to $CG"
}

remove_pins() {
  [[ -d $PIN_DIR ]] || return 0
  rm -rf "$PIN_DIR"
}

# Cleanup step: whatever a crashed wardend left on our cgroup goes.
detach_leftovers() {
  [[ -d ${CG:-} ]] || return 0
  if [[ $(e2e_bpf_attached_count "$CG") -gt 0 ]]; then
    e2e_log "programs still attached to $CG; detaching them"
    e2e_bpf_force_detach "$CG"
  fi
}
