# Check 6: Gemini (HTTPS, intercepted by name) and Ollama (plain HTTP, a
# plain address target) with curl as the client. Each scenario gives curl
# the same bytes directly and through warden, streams arrive in pieces
# through warden, the mock received the same request both ways, and
# wardend's event names the client and states what the request and the
# response said. Expected values come from what the mock received and what
# it answered on the direct path, not from constants.

# The direct path is the baseline: a failure there is the harness's.
run_curl_direct_phase() {
  local scenario name
  write_curl_requests
  run_all_curl_scenarios direct out "$TEST_CA"
  for scenario in "${kCurlScenarios[@]}"; do
    name=direct-curl-$scenario
    if [[ $(cat "$OUT/$name.rc") != 0 || $(jq -r '.http_code' "$OUT/$name.out" 2>/dev/null) != 200 ]]; then
      e2e_die "direct curl $scenario failed (harness problem): $(tail -c 800 "$OUT/$name.err")" \
        "$(head -c 400 "$OUT/$name.body" 2>/dev/null)"
    fi
  done
}

run_curl_warden_phase() {
  run_all_curl_scenarios warden in "$BUNDLE"
}

curl_provider() {
  echo "${1%%_*}"
}

curl_is_stream() {
  [[ $1 == *_stream* ]]
}

curl_expected_operation() {
  case $1 in
    gemini_generate) echo generate_content ;;
    gemini_stream_*) echo stream_generate_content ;;
    ollama_chat*) echo ollama_chat ;;
    ollama_generate*) echo ollama_generate ;;
    *) e2e_die "no operation known for curl scenario $1" ;;
  esac
}

# "gemini_stream_sse" -> "gemini stream_sse", for PASS lines.
curl_label() {
  echo "$(curl_provider "$1") ${1#*_}"
}

# What curl reported of a transfer: status and content type.
curl_transfer() {
  jq -r '"\(.http_code) \(.content_type)"' "$OUT/$1.out" 2>/dev/null
}

same_curl_response() {
  local direct=$1 warden=$2 a b
  [[ $(cat "$OUT/$warden.rc") == 0 ]] ||
    { e2e_log "curl through warden exited $(cat "$OUT/$warden.rc"): $(tail -c 400 "$OUT/$warden.err")"; return 1; }
  a=$(curl_transfer "$direct") b=$(curl_transfer "$warden")
  [[ $a == "$b" ]] || { e2e_log "directly curl got '$a', through warden '$b'"; return 1; }
  cmp -s "$OUT/$direct.body" "$OUT/$warden.body" && return 0
  e2e_log "the bodies differ; directly:"
  head -c 1500 "$OUT/$direct.body" >&2
  e2e_log "through warden:"
  head -c 1500 "$OUT/$warden.body" >&2
  return 1
}

# body_reads NAME: "READS SPAN_MS", how many times curl read body bytes and
# how far apart the first and last reads were (curl's --trace-time).
body_reads() {
  awk '/<= Recv data,/ {
      split($1, t, ":")
      us = (t[1] * 3600 + t[2] * 60 + t[3]) * 1000000
      if (n && us < first) us += 86400 * 1000000  # past midnight
      if (!n) first = us
      last = us
      n++
    }
    END { printf "%d %d\n", n, n ? (last - first) / 1000 : 0 }' "$OUT/$1.trace" 2>/dev/null
}

# A buffered stream comes in one read, or in several at once; a relayed one
# in pieces as far apart as the mock wrote them.
arrived_in_pieces() {
  local reads span
  read -r reads span <<<"$(body_reads "$1")"
  ((${reads:-0} >= 2 && ${span:-0} >= 2 * kChunkDelayMs)) && return 0
  e2e_log "$1: ${reads:-0} reads over ${span:-0} ms; expected at least 2 reads at least $((2 * kChunkDelayMs)) ms apart"
  return 1
}

# What identifies a request at the mock: method, path and query, host, SNI,
# content type and the body's hash.
curl_record_digest() {
  records_of "$1" | jq -c '[.kind, .method, .path, .query, .host, .sni, .content_type, .body_sha256, .body_bytes]'
}

same_curl_request() {
  local a b
  a=$(curl_record_digest "$1") b=$(curl_record_digest "$2")
  [[ $(wc -l <<<"$a") -eq 1 && $(jq -r '.[0]' <<<"$a") == request ]] ||
    { e2e_log "direct: expected one request at the mock, got: $a"; return 1; }
  [[ $a == "$b" ]] || { e2e_log "the mock received different requests: direct $a, through warden ${b:-nothing}"; return 1; }
}

# The response objects the mock sent in BODY_FILE, one per line: the whole
# body, each event of an SSE stream, each element of a JSON array stream or
# each line of an NDJSON stream.
response_objects() {
  if grep -q '^data: ' "$1"; then
    sed -n 's/^data: //p' "$1" | jq -c '.'
  else
    jq -c 'if type == "array" then .[] else . end' "$1"
  fi
}

# What the mock's answer on the direct path said, as an event states it:
# the last finish reason and token counts of its pieces.
mock_response_facts() {
  response_objects "$OUT/$1.body" | jq -c -s '
    def lastOf(f): [.[] | f | select(. != null)] | last;
    {finish_reason: lastOf(.candidates[0].finishReason // .done_reason),
     input_tokens: lastOf(.usageMetadata.promptTokenCount // .prompt_eval_count),
     output_tokens: lastOf(.usageMetadata.candidatesTokenCount // .eval_count)}'
}

# The model the request named: Gemini's in its path, Ollama's in its body.
requested_model() {
  local record
  record=$(records_of "$1" | head -n 1)
  case $(curl_provider "$2") in
    gemini) jq -r '.path | capture("/models/(?<m>[^/:]+):").m' <<<"$record" ;;
    *) jq -r '.body | fromjson | .model' <<<"$record" ;;
  esac
}

facts_equal() {
  [[ $1 == "$2" ]] && return 0
  e2e_log "expected $2, the event says $1"
  return 1
}

# The filters are jq's: $pid and the like are jq variables.
# shellcheck disable=SC2016
check_curl_event() {
  local scenario=$1 direct=direct-curl-$1 warden=warden-curl-$1 label pid event stream=false
  local mode=intercept dst=$kGeminiIp:$kUpstreamPort record actual expected
  label=$(curl_label "$scenario")
  pid=$(cat "$OUT/$warden.pid")
  wait_event_of "$pid" 3000 || true
  event=$(events_of "$pid" | head -n 1)
  if [[ -z $event ]]; then
    e2e_fail 6 "$label: no request event names curl's pid $pid"
    return 0
  fi
  [[ $(curl_provider "$scenario") == ollama ]] && mode=plain dst=$kOllamaIp:$kOllamaPort
  curl_is_stream "$scenario" && stream=true
  record=$(records_of "$direct" | head -n 1)

  actual=$(jq -c -S '{pid: .identity.pid, comm: .identity.comm, cgroup: .identity.cgroup_id,
      mode: .connection.mode, original_dst: .connection.original_dst, sni: .connection.sni,
      target: .request.path, host: .request.host, status: .response.status}' <<<"$event")
  # The mock saw no SNI in plain HTTP; then the event names none either.
  expected=$(jq -c -S --argjson pid "$pid" --argjson cg "$CG_ID" --arg mode "$mode" --arg dst "$dst" \
    '{pid: $pid, comm: "curl", cgroup: $cg, mode: $mode, original_dst: $dst,
      sni: (if .sni == "" then null else .sni end), target: (.path + .query), host: .host, status: 200}' <<<"$record")
  e2e_check 6 "$label: wardend's event names curl (pid $pid, cgroup $CG_ID), mode $mode to $dst, $(jq -r '"\(.request.method) \(.request.path)"' <<<"$event")" \
    facts_equal "$actual" "$expected"

  actual=$(jq -c -S '.llm as $l | {provider: $l.provider, operation: $l.operation, model: $l.request.model,
      stream: $l.request.stream, request_error: $l.request.parse_error, response_error: $l.response.parse_error,
      finish_reason: $l.response.finish_reason,
      input_tokens: $l.response.usage.input_tokens, output_tokens: $l.response.usage.output_tokens}' <<<"$event")
  expected=$(mock_response_facts "$direct" | jq -c -S --arg provider "$(curl_provider "$scenario")" \
    --arg operation "$(curl_expected_operation "$scenario")" --arg model "$(requested_model "$direct" "$scenario")" \
    --argjson stream "$stream" \
    '. + {provider: $provider, operation: $operation, model: $model, stream: $stream,
          request_error: null, response_error: null}')
  e2e_check 6 "$label: the event states $(jq -r '"\(.provider) \(.operation), model \(.model), stream \(.stream), finish \(.finish_reason), usage \(.input_tokens)/\(.output_tokens)"' <<<"$actual")" \
    facts_equal "$actual" "$expected"
}

check_gemini_ollama() {
  local scenario direct warden label reads digest
  for scenario in "${kCurlScenarios[@]}"; do
    direct=direct-curl-$scenario warden=warden-curl-$scenario
    label=$(curl_label "$scenario")
    e2e_check 6 "$label: curl got the same $(curl_transfer "$direct") body directly and through warden ($(wc -c <"$OUT/$direct.body") bytes, sha256 $(sha256sum "$OUT/$direct.body" | head -c 12))" \
      same_curl_response "$direct" "$warden"
    if curl_is_stream "$scenario"; then
      read -r reads _ <<<"$(body_reads "$direct")"
      e2e_check 6 "$label: the stream reached curl in pieces through warden ($(body_reads "$warden" |
        awk '{print $1 " reads over " $2 " ms"}'); directly: $reads reads)" \
        arrived_in_pieces "$warden"
    fi
    digest=$(records_of "$direct" | jq -r '"\(.method) \(.path)\(.query), \(.body_bytes) bytes, sha256 \(.body_sha256[0:12])"' | head -n 1)
    e2e_check 6 "$label: the mock received the same request both ways ($digest)" \
      same_curl_request "$direct" "$warden"
    check_curl_event "$scenario"
  done
}
