# Check 4: warden's refusals reach applications as their SDK's own API error
# carrying warden's message, and nothing of a refused request reaches the
# upstream. Request smuggling framing (Content-Length with Transfer-Encoding)
# is refused with 400 and the connection closed.

write_smuggling_request() {
  local body='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
  printf 'POST /v1/chat/completions HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer sk-test\r\nContent-Type: application/json\r\nContent-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n' \
    "$kOpenAiHost" "${#body}" "${#body}" "$body" >"$WORK/cl_te.http"
}

nothing_reached_mock() {
  local seen
  seen=$(records_of "$1")
  [[ -z $seen ]] || { e2e_log "the mock saw: $(head -c 600 <<<"$seen")"; return 1; }
}

# Under the first wardend: needs no configuration.
check_smuggling_refused() {
  write_smuggling_request
  run_raw raw-cl-te "$kOpenAiHost" "$WORK/cl_te.http"
  local out=$OUT/raw-cl-te.out status closed
  status=$(jq -r '.status // "none"' "$out" 2>/dev/null || echo none)
  closed=$(jq -r 'if .closed_by_peer then "closed after \(.closed_after_ms) ms" else "left open" end' "$out" 2>/dev/null || echo unknown)
  e2e_check 4 "Content-Length + Transfer-Encoding through warden: HTTP $status ($(jq -r .status_line "$out" 2>/dev/null))" \
    test "$status" == 400
  e2e_check 4 "and the connection is closed by warden ($closed)" \
    test "$(jq -r .closed_by_peer "$out" 2>/dev/null)" == true
  e2e_check 4 "and the mock saw nothing of it" nothing_reached_mock raw-cl-te
  e2e_wardend_ensure_alive 4
}

# jq_is FILE FILTER: FILTER yields true on FILE.
jq_is() {
  [[ $(jq -r "$2" "$1" 2>/dev/null) == true ]] || { e2e_log "not true of $(basename "$1"): $2 in $(head -c 800 "$1")"; return 1; }
}

check_size_limit() {
  local openai=$OUT/limit-openai-too_large.out anthropic=$OUT/limit-anthropic-too_large.out
  # Directly, the same requests reach the mock and are answered: the
  # refusal below is warden's.
  run_sdk openai too_large direct out "$TEST_CA"
  run_sdk anthropic too_large direct out "$TEST_CA"
  local openai_bytes anthropic_bytes
  openai_bytes=$(records_of direct-openai-too_large | jq -r .body_bytes | head -n 1)
  anthropic_bytes=$(records_of direct-anthropic-too_large | jq -r .body_bytes | head -n 1)
  e2e_check 4 "directly, the oversized openai request reaches the mock ($openai_bytes bytes, limit $kBodyLimit) and succeeds" \
    jq_is "$OUT/direct-openai-too_large.out" "has(\"result\") and ${openai_bytes:-0} > $kBodyLimit"
  e2e_check 4 "directly, the oversized anthropic request reaches the mock ($anthropic_bytes bytes) and succeeds" \
    jq_is "$OUT/direct-anthropic-too_large.out" "has(\"result\") and ${anthropic_bytes:-0} > $kBodyLimit"

  e2e_wardend_stop
  if ! e2e_wardend_start open "limits: {max_request_body_bytes: $kBodyLimit}"; then
    e2e_fail 4 "wardend with 'limits: {max_request_body_bytes: $kBodyLimit}' did not start: $WARDEND_FAILURE"
    e2e_fail 4 "openai SDK: oversized request not checked (no wardend with a body limit)"
    e2e_fail 4 "anthropic SDK: oversized request not checked (no wardend with a body limit)"
    return 0
  fi
  run_sdk openai chat limit in "$BUNDLE"
  e2e_check 4 "with the limit, a small request still passes ($(result_summary "$OUT/limit-openai-chat.out"))" \
    jq_is "$OUT/limit-openai-chat.out" 'has("result")'

  run_sdk openai too_large limit in "$BUNDLE"
  e2e_check 4 "openai SDK raises $(jq -r '.error.class // "no error"' "$openai" 2>/dev/null) status $(jq -r '.error.status // "none"' "$openai" 2>/dev/null): $(jq -r '.error.message // .result.id // "nothing"' "$openai" 2>/dev/null | head -c 200)" \
    jq_is "$openai" '.error.status == 413 and (.error.message | ascii_downcase | contains("warden"))'
  e2e_check 4 "in the OpenAI error shape: error.message $(jq -c '.error.body.message // null' "$openai" 2>/dev/null | head -c 160), error.type $(jq -c '.error.body.type // null' "$openai" 2>/dev/null)" \
    jq_is "$openai" '(.error.body.message | ascii_downcase | contains("warden")) and (.error.body.type | type == "string")'
  e2e_check 4 "openai: nothing reached the mock" nothing_reached_mock limit-openai-too_large

  run_sdk anthropic too_large limit in "$BUNDLE"
  e2e_check 4 "anthropic SDK raises $(jq -r '.error.class // "no error"' "$anthropic" 2>/dev/null) status $(jq -r '.error.status // "none"' "$anthropic" 2>/dev/null), error.type $(jq -r '.error.type // "none"' "$anthropic" 2>/dev/null)" \
    jq_is "$anthropic" '.error.status == 413 and .error.type == "request_too_large"'
  e2e_check 4 "in the Anthropic error shape, with warden's message: $(jq -c '.error.body.error.message // null' "$anthropic" 2>/dev/null | head -c 200)" \
    jq_is "$anthropic" '.error.body.type == "error" and (.error.body.error.message | ascii_downcase | contains("warden"))'
  e2e_check 4 "anthropic: nothing reached the mock" nothing_reached_mock limit-anthropic-too_large
  e2e_wardend_ensure_alive 4
}
