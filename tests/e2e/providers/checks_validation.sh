# Check 7: the validation layer on real SDK traffic. A prompt injection in
# the user's turn and one planted in a tool result are refused in OpenAI's
# error format with warden's reason, and nothing of them reaches the
# upstream; a harmless prompt passes, and so does a 19 KiB one, while an
# injection inside 39 KiB of harmless text is refused (bodies over 16 KiB are
# validated on wardend's inspection pool, not its workers); text smuggled in Unicode tag
# characters is removed before the request is forwarded; a body too deeply
# nested to be read is refused rather than forwarded unchecked. Each decision
# is in the request's event. In an OpenAI Realtime session the same layer
# judges each client event before it is forwarded: an injected user turn
# never reaches the upstream, the SDK gets a Realtime error event and the
# socket closes with 1008.

# validation_event LABEL SCENARIO: the event of that SDK run's request.
validation_event() {
  local pid
  pid=$(cat "$OUT/$1-openai-$2.pid")
  wait_event_of "$pid" 3000 || true
  events_of "$pid" | tail -n 1
}

check_blocked_injection() {
  local scenario=$1 part=$2 out event
  run_sdk openai "$scenario" valid in "$BUNDLE"
  out=$OUT/valid-openai-$scenario.out
  e2e_check 7 "$scenario: openai SDK raises $(jq -r '.error.class // "no error"' "$out" 2>/dev/null) status $(jq -r '.error.status // "none"' "$out" 2>/dev/null): $(jq -r '.error.message // "nothing"' "$out" 2>/dev/null | head -c 220)" \
    jq_is "$out" '.error.status == 403 and (.error.message | contains("prompt validation"))'
  e2e_check 7 "$scenario: in the OpenAI error shape (error.type $(jq -c '.error.body.type // null' "$out" 2>/dev/null))" \
    jq_is "$out" '(.error.body.message | contains("warden")) and (.error.body.type | type == "string")'
  e2e_check 7 "$scenario: nothing reached the mock" nothing_reached_mock "valid-openai-$scenario"
  event=$(validation_event valid "$scenario")
  printf '%s\n' "$event" >"$OUT/valid-$scenario.event"
  e2e_check 7 "$scenario: event decision $(jq -r .decision <<<"$event" 2>/dev/null), verdict $(jq -r .validation.verdict <<<"$event" 2>/dev/null), first finding $(jq -c '.validation.findings[0] | {id, part, score}' <<<"$event" 2>/dev/null)" \
    jq_is "$OUT/valid-$scenario.event" ".decision == \"deny\" and .validation.verdict == \"block\" and
      any(.validation.findings[]; .part == \"$part\" and .verdict == \"block\")"
}

check_validation() {
  local out event body
  # A harmless prompt through the same wardend: forwarded, verdict allow.
  run_sdk openai chat valid in "$BUNDLE"
  out=$OUT/valid-openai-chat.out
  e2e_check 7 "a harmless prompt passes ($(result_summary "$out"))" jq_is "$out" 'has("result")'
  event=$(validation_event valid chat)
  printf '%s\n' "$event" >"$OUT/valid-chat.event"
  e2e_check 7 "and its event says verdict $(jq -r .validation.verdict <<<"$event" 2>/dev/null) over $(jq -r .validation.texts <<<"$event" 2>/dev/null) texts in $(jq -r .validation.duration_us <<<"$event" 2>/dev/null) us" \
    jq_is "$OUT/valid-chat.event" '.decision == "allow" and .validation.verdict == "allow" and .validation.texts == 2'

  check_blocked_injection injection user
  check_blocked_injection indirect_injection tool_result

  run_sdk openai large_chat valid in "$BUNDLE"
  out=$OUT/valid-openai-large_chat.out
  e2e_check 7 "large_chat: a harmless 19 KiB prompt passes ($(result_summary "$out"))" jq_is "$out" 'has("result")'
  event=$(validation_event valid large_chat)
  printf '%s\n' "$event" >"$OUT/valid-large_chat.event"
  e2e_check 7 "large_chat: event verdict $(jq -r .validation.verdict <<<"$event" 2>/dev/null), $(jq -r .request.bytes <<<"$event" 2>/dev/null) bytes from the client, validated in $(jq -r .validation.duration_us <<<"$event" 2>/dev/null) us" \
    jq_is "$OUT/valid-large_chat.event" '.decision == "allow" and .validation.verdict == "allow" and .request.bytes > 16384'
  check_blocked_injection large_injection user

  run_sdk openai too_deep valid in "$BUNDLE"
  out=$OUT/valid-openai-too_deep.out
  e2e_check 7 "too_deep: openai SDK raises $(jq -r '.error.class // "no error"' "$out" 2>/dev/null) status $(jq -r '.error.status // "none"' "$out" 2>/dev/null): $(jq -r '.error.message // "nothing"' "$out" 2>/dev/null | head -c 200)" \
    jq_is "$out" '.error.status == 400 and (.error.message | contains("could not read"))'
  e2e_check 7 "too_deep: nothing reached the mock" nothing_reached_mock valid-openai-too_deep
  event=$(validation_event valid too_deep)
  printf '%s\n' "$event" >"$OUT/valid-too_deep.event"
  e2e_check 7 "too_deep: event verdict $(jq -r .validation.verdict <<<"$event" 2>/dev/null): $(jq -r .validation.error <<<"$event" 2>/dev/null | head -c 160)" \
    jq_is "$OUT/valid-too_deep.event" '.decision == "deny" and .validation.verdict == "block" and (.validation.error | length > 0)'

  check_realtime_refused
  check_unknown_websocket_refused

  run_sdk openai smuggled valid in "$BUNDLE"
  out=$OUT/valid-openai-smuggled.out
  e2e_check 7 "smuggled: the request passes ($(result_summary "$out"))" jq_is "$out" 'has("result")'
  body=$(records_of valid-openai-smuggled | jq -r .body | head -n 1)
  e2e_check 7 "smuggled: the mock received the text without the tag characters: $(jq -c '.messages[0].content' <<<"$body" 2>/dev/null)" \
    test "$(jq -r '.messages[0].content' <<<"$body" 2>/dev/null)" == "Say hello to warden."
  event=$(validation_event valid smuggled)
  printf '%s\n' "$event" >"$OUT/valid-smuggled.event"
  e2e_check 7 "smuggled: event verdict $(jq -r .validation.verdict <<<"$event" 2>/dev/null), $(jq -r .validation.hidden_characters <<<"$event" 2>/dev/null) hidden characters, $(jq -r .validation.sanitized_texts <<<"$event" 2>/dev/null) text(s) sanitised" \
    jq_is "$OUT/valid-smuggled.event" '.validation.verdict == "sanitize" and .validation.sanitized_texts == 1 and .validation.hidden_characters > 0'
  e2e_wardend_ensure_alive 7
}

check_realtime_refused() {
  local name=valid-openai-realtime_injection out event pid received
  run_sdk openai realtime_injection valid in "$BUNDLE"
  out=$OUT/$name.out
  e2e_check 7 "realtime_injection: the SDK got error event $(jq -c '.result.errors[0].error | {type, code}' "$out" 2>/dev/null): $(jq -r '.result.errors[0].error.message // "none"' "$out" 2>/dev/null | head -c 160)" \
    jq_is "$out" '.result.errors[0].error.code == "warden_blocked" and (.result.errors[0].error.message | contains("prompt validation"))'
  e2e_check 7 "realtime_injection: then the socket closed with $(jq -c '.result.close' "$out" 2>/dev/null)" \
    jq_is "$out" '.result.close.code == 1008'
  received=$(realtime_record "$name" | jq -c '.events' | head -n 1)
  e2e_check 7 "realtime_injection: the mock received only ${received:-nothing}: not the injected turn, nor what followed it" \
    test "$received" == '["session.update"]'
  pid=$(cat "$OUT/$name.pid")
  wait_event_of "$pid" 3000 websocket || true
  event=$(websocket_events_of "$pid" | tail -n 1)
  printf '%s\n' "$event" >"$OUT/valid-realtime_injection.event"
  e2e_check 7 "realtime_injection: websocket event decision $(jq -r .decision <<<"$event" 2>/dev/null), verdict $(jq -r .validation.verdict <<<"$event" 2>/dev/null), refused: $(jq -r .websocket.refused <<<"$event" 2>/dev/null | head -c 120)" \
    jq_is "$OUT/valid-realtime_injection.event" '.decision == "deny" and .validation.verdict == "block"
      and any(.validation.findings[]; .part == "user" and .verdict == "block") and (.websocket.refused | contains("prompt validation"))'
}

# A WebSocket upgrade on an API host to a path that is not a Realtime
# session: its messages could not be read, so it is not opened.
check_unknown_websocket_refused() {
  local out=$OUT/raw-ws-other.out status
  printf 'GET /v1/realtime-preview/other HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer sk-test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n' \
    "$kOpenAiHost" >"$WORK/ws_other.http"
  run_raw raw-ws-other "$kOpenAiHost" "$WORK/ws_other.http"
  status=$(jq -r '.status // "none"' "$out" 2>/dev/null || echo none)
  e2e_check 7 "a WebSocket upgrade to another path on the API host: HTTP $status ($(jq -r .status_line "$out" 2>/dev/null))" \
    test "$status" == 400
  e2e_check 7 "and the mock saw nothing of it" nothing_reached_mock raw-ws-other
}
