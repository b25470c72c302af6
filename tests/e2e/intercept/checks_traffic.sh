# Assertions a-e and i: the same clients directly and through warden, streaming,
# identity in events, tunnelling of other names, processes outside the cgroup,
# connections the kernel has no record of.

# The baseline: every client outside the cgroup, trusting only the test CA.
# If this fails the harness is broken, not warden: stop right here.
run_direct_phase() {
  local name
  DIRECT_FIRST=$(($(upstream_requests) + 1))
  run_curl_chat direct-chat out root "$TEST_CA"
  run_curl_stream direct-stream out root "$TEST_CA"
  run_curl_models direct-models out nobody "$TEST_CA"
  run_node_openai direct-node out "$TEST_CA"
  DIRECT_LAST=$(upstream_requests)
  for name in chat stream models node; do
    [[ $(cat "$OUT/direct-$name.rc") == 0 && -s $OUT/direct-$name.out ]] ||
      e2e_die "direct client $name failed (harness problem): $(cat "$OUT/direct-$name.err")"
  done
  e2e_log "direct path: $((DIRECT_LAST - DIRECT_FIRST + 1)) requests reached the upstream"
}

# The same clients inside the child cgroup; the API host now resolves to the
# same address but the kernel hands the connection to wardend.
run_warden_phase() {
  WARDEN_FIRST=$(($(upstream_requests) + 1))
  run_curl_chat warden-chat in root "$BUNDLE"
  WARDEN_CHAT_PID=$CLIENT_PID
  run_curl_stream warden-stream in root "$BUNDLE"
  run_curl_models warden-models in nobody "$BUNDLE"
  WARDEN_NOBODY_PID=$CLIENT_PID
  run_node_openai warden-node in "$BUNDLE"
  WARDEN_NODE_PID=$CLIENT_PID
  WARDEN_LAST=$(upstream_requests)
}

same_file() {
  local a=$1 b=$2
  cmp -s "$a" "$b" && return 0
  e2e_log "$(basename "$a") and $(basename "$b") differ:"
  diff <(head -c 2000 "$a") <(head -c 2000 "$b") >&2 || true
  return 1
}

node_results() {
  jq -S '{chat, content: .stream.content, chunks: [.stream.chunks[].chunk]}' "$1"
}

check_a_bodies() {
  local name
  for name in chat stream models; do
    e2e_check a "curl $name: body through warden equals the direct one" same_file "$OUT/direct-$name.out" "$OUT/warden-$name.out"
  done
  node_results "$OUT/direct-node.out" >"$OUT/direct-node.cmp" 2>/dev/null || true
  node_results "$OUT/warden-node.out" >"$OUT/warden-node.cmp" 2>/dev/null || true
  e2e_check a "openai SDK chat + streamed chat through warden equal the direct results" \
    same_file "$OUT/direct-node.cmp" "$OUT/warden-node.cmp"
  upstream_digest "$DIRECT_FIRST" "$DIRECT_LAST" >"$OUT/upstream-direct.txt"
  upstream_digest "$WARDEN_FIRST" "$WARDEN_LAST" >"$OUT/upstream-warden.txt"
  e2e_check a "upstream received the same requests (method, path, body hash, SNI) both ways" \
    same_file "$OUT/upstream-direct.txt" "$OUT/upstream-warden.txt"
  # Trusting both CAs, curl would also succeed if nothing intercepted; the
  # issuer shows who answered.
  run_s_client warden-sclient in "$kApiHost" "$BUNDLE"
  local issuer
  issuer=$(s_client_issuer warden-sclient)
  e2e_check a "inside the cgroup $kApiHost presents warden's certificate (issuer: ${issuer:-none})" \
    test "$issuer" == "$WARDEN_CA_SUBJECT"
}

# Arrival times of the streamed chunks at the SDK client: spread like the
# upstream's 100 ms pauses, not bunched at the end by a buffering proxy.
stream_spread_ok() {
  local file=$1
  # Compare the output, not jq -e's status: jq 1.6 exits 0 on empty input.
  [[ $(jq '[.stream.chunks[].t_ms] as $t
    | ($t | length) as $n
    | [range(1; $n) | $t[.] - $t[. - 1]] as $gaps
    | $n >= 8 and ($t[$n - 1] - $t[0]) >= 450 and ([$gaps[] | select(. >= 50)] | length) >= ($n - 3)' \
    "$file" 2>/dev/null) == true ]]
}

check_b_streaming() {
  local times
  times=$(jq -c '[.stream.chunks[].t_ms]' "$OUT/warden-node.out" 2>/dev/null || echo '[]')
  e2e_log "chunk arrival (ms since request) direct:  $(jq -c '[.stream.chunks[].t_ms]' "$OUT/direct-node.out")"
  e2e_log "chunk arrival (ms since request) warden: $times"
  e2e_check b "streamed chunks arrive one by one through warden, ~100 ms apart: $times" \
    stream_spread_ok "$OUT/warden-node.out"
}

# identity_ok PID UID COUNT PATH: COUNT request events name this pid, uid,
# the child cgroup's id and the original destination.
# identity_ok PID UID COUNT PATH EXE: COUNT request events of PID carry the
# kernel's ids and the workload warden resolved them to: the test's cgroup,
# the user's name, the executable and its SHA-256 as sha256sum computes it.
identity_ok() {
  local pid=$1 uid=$2 count=$3 path=$4 exe=$5 filter user sha
  filter=".identity.pid == $pid"
  wait_events "$filter" "$count" 3000 || { e2e_log "no $count event(s) for pid $pid: $(events_where "$filter")"; return 1; }
  user=$(getent passwd "$uid" | cut -d: -f1)
  sha=$(sha256sum "$exe" | cut -d' ' -f1)
  local bad
  bad=$(events_where "$filter" | jq -c --argjson uid "$uid" --argjson cg "$CG_ID" --arg path "$path" \
    --arg dst "$kUpstreamIp:$kUpstreamPort" --arg sni "$kApiHost" --arg cgpath "/$(basename "$CG")" \
    --arg user "$user" --arg exe "$exe" --arg sha "$sha" '
    select(.type != "request" or .identity.uid != $uid or .identity.gid != $uid or .identity.cgroup_id != $cg
      or .connection.original_dst != $dst or .connection.sni != $sni or .connection.mode != "intercept"
      or .request.path != $path or .decision != "allow"
      or .workload.cgroup != $cgpath or .workload.key != ("cgroup:" + $cgpath) or .workload.user != $user
      or .workload.executable != $exe or .workload.executable_sha256 != $sha)')
  [[ -z $bad ]] || { e2e_log "unexpected event(s) for pid $pid (expected workload cgroup /$(basename "$CG"), user $user, $exe $sha): $bad"; return 1; }
}

# `wardenctl identities` lists the test's cgroup as one workload with every
# request made from it so far.
identities_list_the_cgroup() {
  local listed key="cgroup:/$(basename "$CG")"
  listed=$(e2e_wardenctl --json identities) || { e2e_log "wardenctl identities failed: $listed"; return 1; }
  jq -e --arg key "$key" '.workloads | map(select(.key == $key and .requests >= 4 and .connections >= 3
    and .last_decision == "allow")) | length == 1' <<<"$listed" >/dev/null ||
    { e2e_log "no entry for $key with >= 4 requests in: $listed"; return 1; }
  e2e_wardenctl identities | grep -q "^$key " || { e2e_log "the table does not list $key"; return 1; }
}

check_c_identity() {
  local curl node
  curl=$(readlink -f "$(command -v curl)")
  node=$(readlink -f "$(command -v node)")
  e2e_check c "curl as uid $kNobody: event has pid $WARDEN_NOBODY_PID, uid/gid $kNobody, cgroup id $CG_ID, its workload" \
    identity_ok "$WARDEN_NOBODY_PID" "$kNobody" 1 /v1/models "$curl"
  e2e_check c "curl as root: event has pid $WARDEN_CHAT_PID, uid 0, cgroup id $CG_ID, its workload" \
    identity_ok "$WARDEN_CHAT_PID" 0 1 /v1/chat/completions "$curl"
  e2e_check c "openai SDK (node pid $WARDEN_NODE_PID): both requests' events name that pid and node's workload" \
    identity_ok "$WARDEN_NODE_PID" 0 2 /v1/chat/completions "$node"
  e2e_check c "the SDK process reports the pid the test started" \
    test "$(jq -r .pid "$OUT/warden-node.out" 2>/dev/null)" == "$WARDEN_NODE_PID"
  e2e_check c "wardenctl identities lists the cgroup's workload with its requests" identities_list_the_cgroup
}

check_d_tunnel() {
  local issuer before after sni_filter=".connection.sni == \"$kOtherHost\""
  before=$(e2e_wardenctl_status) || true
  run_s_client tunnel-sclient in "$kOtherHost" "$TEST_CA"
  local sclient_pid=$CLIENT_PID
  issuer=$(s_client_issuer tunnel-sclient)
  e2e_check d "SNI $kOtherHost from inside the cgroup gets the upstream's own certificate (issuer: ${issuer:-none})" \
    test "$issuer" == "$TEST_CA_SUBJECT"
  e2e_check d "that certificate verifies against the test CA alone" s_client_verified tunnel-sclient
  curl_args "$TEST_CA"
  run_client tunnel-curl in root "${CURL_ARGS[@]}" "https://$kOtherHost/v1/models"
  e2e_check d "curl to https://$kOtherHost through the tunnel succeeds trusting only the test CA" \
    test "$CLIENT_RC" -eq 0
  e2e_check d "tunnel event for $kOtherHost, naming the s_client pid $sclient_pid" \
    wait_events "$sni_filter and .type == \"tunnel\" and .identity.pid == $sclient_pid" 1 3000
  e2e_check d "no request event for $kOtherHost" test "$(events_count "$sni_filter and .type == \"request\"")" -eq 0
  after=$(e2e_wardenctl_status) || true
  # Without this a dead agent in fail-open mode would pass every check above.
  e2e_check d "both connections went through wardend: kernel.redirected +$(counter_delta "$before" "$after" kernel.redirected), proxy.tunnelled +$(counter_delta "$before" "$after" proxy.tunnelled)" \
    test "$(counter_delta "$before" "$after" kernel.redirected)" -ge 2 -a "$(counter_delta "$before" "$after" proxy.tunnelled)" -ge 2
}

counter_delta() {
  local a b
  a=$(counter "$1" "$3")
  b=$(counter "$2" "$3")
  echo $((${b:-0} - ${a:-0}))
}

counters_unchanged() {
  local before=$1 after=$2 name a b
  for name in kernel.redirected proxy.requests proxy.intercepted proxy.tunnelled; do
    a=$(counter "$before" "$name")
    b=$(counter "$after" "$name")
    [[ -n $a ]] || { e2e_log "wardenctl status has no counter $name: $before"; return 1; }
    [[ $a == "$b" ]] || { e2e_log "$name changed from $a to $b"; return 1; }
  done
}

check_e_outside() {
  local before after events_before issuer
  before=$(e2e_wardenctl_status) || true
  events_before=$(events_count true)
  e2e_log "counters before the outside clients: kernel.redirected=$(counter "$before" kernel.redirected) proxy.requests=$(counter "$before" proxy.requests)"
  run_s_client outside-sclient out "$kApiHost" "$TEST_CA"
  issuer=$(s_client_issuer outside-sclient)
  e2e_check e "outside the cgroup $kApiHost presents the test CA's certificate (issuer: ${issuer:-none})" \
    test "$issuer" == "$TEST_CA_SUBJECT"
  run_curl_models outside-models out root "$TEST_CA"
  e2e_check e "curl outside the cgroup reaches the upstream trusting only the test CA" test "$CLIENT_RC" -eq 0
  sleep 0.3
  after=$(e2e_wardenctl_status) || true
  e2e_check e "warden's counters are unchanged by processes outside the cgroup" counters_unchanged "$before" "$after"
  e2e_check e "no event was written for them" test "$(events_count true)" -eq "$events_before"
}

# A runtime that does not trust warden's CA yet: its handshake fails, and
# status names its executable so operators know whom to fix.
check_untrusted_ca() {
  local before after
  before=$(e2e_wardenctl_status) || true
  run_curl_models untrusted-models in root "$TEST_CA"
  e2e_check ca "curl trusting only the test CA fails verification inside the cgroup (exit $CLIENT_RC, 60 expected)" \
    test "$CLIENT_RC" -eq 60
  sleep 0.3
  after=$(e2e_wardenctl_status) || true
  e2e_check ca "status counts the rejection for executable curl: untrusted_ca_by_executable.curl +$(counter_delta "$before" "$after" untrusted_ca_by_executable.curl)" \
    test "$(counter_delta "$before" "$after" untrusted_ca_by_executable.curl)" -ge 1
}

# A connection the kernel has no record of: a client in the cgroup dials
# wardend's port itself, so connect() found no target and recorded nothing.
# wardend asks the kernel who owns the client's socket (sock_diag, then /proc)
# and serves it, because its ClientHello names the API host; one that is not
# TLS for an API host has no knowable destination and is closed.
check_i_unrecorded() {
  local before after pid filter served closed
  before=$(e2e_wardenctl_status) || true
  curl_args "$BUNDLE"
  run_client unrecorded-models in nobody "${CURL_ARGS[@]}" --resolve "$kApiHost:$LISTEN_PORT:127.0.0.1" \
    "https://$kApiHost:$LISTEN_PORT/v1/models"
  pid=$CLIENT_PID
  e2e_check i "curl as uid $kNobody dialling wardend's port itself is served (exit $CLIENT_RC)" test "$CLIENT_RC" -eq 0
  e2e_check i "and its body equals the direct one" same_file "$OUT/direct-models.out" "$OUT/unrecorded-models.out"
  filter=".type == \"request\" and .identity.pid == $pid and .identity.source == \"sock_diag\"
    and .identity.uid == $kNobody and .identity.gid == $kNobody and .identity.cgroup_id == $CG_ID
    and .connection.original_dst == \"$kUpstreamIp:$kUpstreamPort\" and .request.path == \"/v1/models\""
  e2e_check i "its event names curl's pid $pid, uid/gid $kNobody and the cgroup, found by sock_diag, and the API host's address" \
    wait_events "$filter" 1 3000
  run_client unrecorded-plain in root curl -sS --max-time 5 "http://127.0.0.1:$LISTEN_PORT/v1/models"
  e2e_check i "plain HTTP to wardend's port, with no record, is closed (curl exit $CLIENT_RC)" test "$CLIENT_RC" -ne 0
  after=$(e2e_wardenctl_status) || true
  served=$(counter_delta "$before" "$after" proxy.no_origin_served)
  closed=$(counter_delta "$before" "$after" proxy.no_origin)
  e2e_check i "status counts them: proxy.no_origin_served +$served, proxy.no_origin +$closed" \
    test "$served" -eq 1 -a "$closed" -eq 1
}
