# The recovery test's clients: curl from inside the child cgroup (so through
# wardend), many requests per process on kept-alive connections so a spool
# fills in seconds. Every request carries a unique tag in its query string,
# ?r=TAG, which its event's request.path keeps: that is how a client's
# answer is matched to its event.

# Trusting warden's CA alone: a request that bypassed wardend would fail TLS
# instead of passing unnoticed.
client_cafile() {
  printf '%s\n' "$STATE/ca.crt"
}

# batch_config FILE PREFIX FROM TO PAD: a curl config with one GET per tag
# PREFIX-FROM .. PREFIX-(TO-1); PAD bytes of padding in each query make the
# events (which keep the path) bigger.
batch_config() {
  local file=$1 prefix=$2 from=$3 to=$4 pad=$5 padding='' i
  ((pad == 0)) || padding="&pad=$(head -c "$pad" /dev/zero | tr '\0' 'x')"
  : >"$file"
  for ((i = from; i < to; i++)); do
    printf 'url = "https://%s/v1/models?r=%s-%d%s"\noutput = "/dev/null"\n' "$kApiHost" "$prefix" "$i" "$padding"
  done >>"$file"
}

# curl_batch_args: what every batch request shares; -w prints one
# "STATUS URL" line per request.
curl_batch_args() {
  CURL_BATCH=(curl -sS --max-time 10 --connect-timeout 5 --cacert "$(client_cafile)"
    -H 'authorization: Bearer sk-test' -w '%{http_code} %{url}\n')
}

# batch_requests NAME PREFIX FROM TO [PAD]: the requests, one after the
# other, in one curl; $OUT/NAME.out gets "STATUS URL" per request. Sets
# BATCH_OK (200s), BATCH_REFUSED (503s) and BATCH_OTHER.
batch_requests() {
  local name=$1 prefix=$2 from=$3 to=$4 pad=${5:-0}
  batch_config "$OUT/$name.curl" "$prefix" "$from" "$to" "$pad"
  curl_batch_args
  e2e_run_client "$name" in 60 "${CURL_BATCH[@]}" -K "$OUT/$name.curl"
  batch_counts "$OUT/$name.out"
}

batch_counts() {
  BATCH_OK=$(awk '$1 == 200' "$@" | wc -l)
  BATCH_REFUSED=$(awk '$1 == 503' "$@" | wc -l)
  BATCH_OTHER=$(awk '$1 != 200 && $1 != 503' "$@" | wc -l)
}

# answered_tags FILE...: the tags of requests that got an answer (200 or 503).
answered_tags() {
  awk '$1 == 200 || $1 == 503 { print $2 }' "$@" | sed -n 's/.*[?&]r=\([^&]*\).*/\1/p' | LC_ALL=C sort -u
}

# requests_until_refused NAME PREFIX CHUNK MAX [PAD]: chunks of CHUNK
# requests until one is refused with 503 or MAX were made. Sets MADE.
requests_until_refused() {
  local name=$1 prefix=$2 chunk=$3 max=$4 pad=${5:-0} part=0
  MADE=0
  while ((MADE < max)); do
    batch_requests "$name-$part" "$prefix" "$MADE" $((MADE + chunk)) "$pad"
    MADE=$((MADE + chunk))
    part=$((part + 1))
    ((BATCH_REFUSED == 0)) || return 0
  done
  return 1
}

# refused_request NAME TAG: one chat completion; its status in
# $OUT/NAME.status, its body in $OUT/NAME.body.
refused_request() {
  local name=$1 tag=$2
  e2e_run_client "$name" in 15 curl -sS --max-time 10 --cacert "$(client_cafile)" -o "$OUT/$name.body" \
    -w '%{http_code}' -H 'authorization: Bearer sk-test' -H 'content-type: application/json' \
    --data-binary '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"is the audit spool full?"}]}' \
    "https://$kApiHost/v1/chat/completions?r=$tag"
  cp "$OUT/$name.out" "$OUT/$name.status"
}

# is_openai_unavailable NAME: the answer was a 503 in OpenAI's error format
# naming warden_unavailable.
is_openai_unavailable() {
  [[ $(cat "$OUT/$1.status") == 503 ]] &&
    jq -e '.error | (.code == "warden_unavailable") and (.type == "server_error") and (.message | type == "string")
      and has("param")' "$OUT/$1.body" >/dev/null 2>&1
}
