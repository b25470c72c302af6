# The clients of the interception test. Each runs either inside the child
# cgroup (redirected to wardend) or outside it (direct), as root or as
# nobody, and leaves its stdout, stderr and pid in $OUT for the checks.

write_requests() {
  mkdir -p "$REQ"
  cat >"$REQ/chat.json" <<'EOF'
{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello to warden from curl."}]}
EOF
  cat >"$REQ/stream.json" <<'EOF'
{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Stream a hello from curl."}]}
EOF
  chmod 0755 "$REQ"
  chmod 0644 "$REQ"/*.json
}

# run_client NAME WHERE USER COMMAND...: e2e_run_client (lib/client.sh) as
# USER (root | nobody); a client still running after CLIENT_TIMEOUT_S (15) is
# killed.
run_client() {
  local name=$1 where=$2 user=$3
  shift 3
  local cmd=()
  [[ $user == nobody ]] && cmd+=(setpriv --reuid "$kNobody" --regid "$kNobody" --clear-groups)
  cmd+=("$@")
  e2e_run_client "$name" "$where" "${CLIENT_TIMEOUT_S:-15}" "${cmd[@]}"
}

# Curl against the API host. CAFILE decides what the client trusts: the test
# CA alone only succeeds when it talks to the upstream directly.
curl_args() {
  CURL_ARGS=(curl -sS --fail-with-body --max-time 10 --connect-timeout 5 --cacert "$1" -H 'authorization: Bearer sk-test')
}

run_curl_chat() {
  local name=$1 where=$2 user=$3 cafile=$4
  curl_args "$cafile"
  run_client "$name" "$where" "$user" "${CURL_ARGS[@]}" -H 'content-type: application/json' \
    --data-binary "@$REQ/chat.json" "https://$kApiHost/v1/chat/completions"
}

run_curl_stream() {
  local name=$1 where=$2 user=$3 cafile=$4
  curl_args "$cafile"
  run_client "$name" "$where" "$user" "${CURL_ARGS[@]}" -N -H 'content-type: application/json' \
    --data-binary "@$REQ/stream.json" "https://$kApiHost/v1/chat/completions"
}

run_curl_models() {
  local name=$1 where=$2 user=$3 cafile=$4
  curl_args "$cafile"
  run_client "$name" "$where" "$user" "${CURL_ARGS[@]}" "https://$kApiHost/v1/models"
}

run_node_openai() {
  local name=$1 where=$2 cafile=$3
  run_client "$name" "$where" root env NODE_EXTRA_CA_CERTS="$cafile" node "$NODE_DIR/openai_client.js" both
}

# A bare TLS handshake with SERVERNAME at the upstream address, seen from
# WHERE: shows which certificate (whose issuer) the client is given.
run_s_client() {
  local name=$1 where=$2 servername=$3 cafile=$4
  run_client "$name" "$where" root openssl s_client -connect "$kUpstreamIp:$kUpstreamPort" \
    -servername "$servername" -CAfile "$cafile" -nameopt oneline
}

s_client_issuer() {
  sed -n 's/^issuer=//p' "$OUT/$1.out" | head -n 1
}

s_client_verified() {
  grep -q 'Verify return code: 0 (ok)' "$OUT/$1.out"
}
