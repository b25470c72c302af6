# Check 5: an OpenAI Realtime session (the SDK's OpenAIRealtimeWS) through
# warden. The SDK sees the same session directly and through warden, the
# mock receives the same client events, the relay withdrew the client's
# compression offer (so every frame stays readable), and wardend's websocket
# event states who opened the session and what it said. Expected values come
# from what the mock received and what the SDK saw, except the tool the
# scenario declares.

readonly kRealtimePath=/v1/realtime
readonly kRealtimeToolsDeclared='["get_weather"]'

# What the PASS line shows of a session's result.
realtime_summary() {
  jq -r '.result
    | "\(.events | length) server events; text \(.text | tojson); function call \(.function_call.name)(\(.function_call.arguments)); usage \(.usage.input_tokens)/\(.usage.output_tokens)"' \
    "$1" 2>/dev/null
}

# The WebSocket record the mock wrote for client NAME (at most one line).
realtime_record() {
  records_of "$1" | jq -c 'select(.kind == "websocket")'
}

# One session each way, and the same client events in the same bytes.
same_client_events() {
  local direct=$1 warden=$2 a b
  a=$(records_of "$direct" | jq -c '[.kind, .path, .model, .sni, .events, .events_sha256]')
  b=$(records_of "$warden" | jq -c '[.kind, .path, .model, .sni, .events, .events_sha256]')
  [[ $(wc -l <<<"$a") -eq 1 && $(jq -r '.[0]' <<<"$a") == websocket ]] ||
    { e2e_log "direct: expected one WebSocket session at the mock, got: $a"; return 1; }
  [[ $a == "$b" ]] || { e2e_log "the mock received different sessions: direct $a, through warden ${b:-nothing}"; return 1; }
}

# Directly, ws offers permessage-deflate; through warden the upstream must
# see no offer at all.
compression_offer_stripped() {
  local direct warden
  direct=$(realtime_record "$1" | jq -r '.extensions' | head -n 1)
  warden=$(realtime_record "$2" | jq -r '.extensions' | head -n 1)
  [[ $direct == *permessage-deflate* ]] ||
    { e2e_log "directly the client offered '${direct}', expected a permessage-deflate offer"; return 1; }
  [[ -n $(realtime_record "$2") && -z $warden ]] ||
    { e2e_log "through warden the mock saw the offer '${warden}' (or no session at all)"; return 1; }
}

# event_is EVENT FILTER [JQ_ARGS...]: FILTER yields true on EVENT.
event_is() {
  local event=$1 filter=$2
  shift 2
  [[ $(jq -r "$@" "$filter" <<<"$event" 2>/dev/null) == true ]] && return 0
  e2e_log "not true of the event: $filter ($*) in $(head -c 1500 <<<"$event")"
  return 1
}

# event_says EVENT FILTER: FILTER's value on EVENT, for a PASS line.
event_says() {
  jq -r "$2" <<<"$1" 2>/dev/null | head -c 300
}

# The filters are jq's: $pid and the like are jq variables.
# shellcheck disable=SC2016
check_realtime_event() {
  local scenario=$1 direct=direct-openai-$1 warden=warden-openai-$1 pid event model sdk from to
  pid=$(cat "$OUT/$warden.pid")
  wait_event_of "$pid" 3000 websocket || true
  event=$(websocket_events_of "$pid" | head -n 1)
  if [[ -z $event ]]; then
    e2e_fail 5 "openai $scenario: no websocket event names pid $pid"
    return 0
  fi
  e2e_check 5 "openai $scenario: wardend's websocket event names pid $pid, cgroup $CG_ID ($(event_says "$event" \
    '"uid \(.identity.uid), mode \(.connection.mode), path \(.request.path), status \(.response.status)"'))" \
    event_is "$event" '.identity.pid == $pid and .identity.uid == $uid and .identity.cgroup_id == $cg
      and .connection.mode == "intercept" and (.request.path | split("?")[0]) == $path and .response.status == 101' \
    --argjson pid "$pid" --argjson uid "$(id -u)" --argjson cg "$CG_ID" --arg path "$kRealtimePath"

  model=$(realtime_record "$direct" | jq -r '.model' | head -n 1)
  e2e_check 5 "openai $scenario: the event's request $(event_says "$event" '.llm
      | "provider \(.provider), operation \(.operation), model \(.request.model), tools_declared \(.request.tools_declared | tojson), \(.request.messages) messages"')" \
    event_is "$event" '.llm.provider == "openai" and .llm.operation == "realtime" and .llm.request.model == $model
      and .llm.request.tools_declared == $tools and .llm.request.messages >= 2' \
    --arg model "$model" --argjson tools "$kRealtimeToolsDeclared"

  sdk=$(jq -c '.result' "$OUT/$warden.out" 2>/dev/null)
  e2e_check 5 "openai $scenario: the event's response $(event_says "$event" '.llm.response
      | "finish_reason \(.finish_reason), tools_called \(.tools_called | tojson), usage \(.usage.input_tokens)/\(.usage.output_tokens), model \(.model // "none")"')" \
    event_is "$event" '.llm.response.finish_reason == "completed" and .llm.response.tools_called == [$sdk.function_call.name]
      and .llm.response.usage.input_tokens == $sdk.usage.input_tokens
      and .llm.response.usage.output_tokens == $sdk.usage.output_tokens' \
    --argjson sdk "${sdk:-null}"

  from=$(realtime_record "$warden" | jq -r '.events | length' | head -n 1)
  to=$(jq -r '.result.events | length' "$OUT/$warden.out" 2>/dev/null)
  e2e_check 5 "openai $scenario: the event counts $(event_says "$event" '.websocket
      | "\(.events_from_client) client events (\(.messages_from_client) messages), \(.events_to_client) server events (\(.messages_to_client) messages), \(.malformed) malformed, \(.uninspected) uninspected"') (the mock got ${from:-?}, the SDK saw ${to:-?})" \
    event_is "$event" '.websocket.events_from_client == $from and .websocket.events_to_client == $to and .websocket.malformed == 0' \
    --argjson from "${from:-null}" --argjson to "${to:-null}"

  local opened
  opened=$(typed_events_of websocket_open "$pid" | head -n 1)
  e2e_check 5 "openai $scenario: the session's opening was recorded apart (websocket_open $(event_says "${opened:-null}" '.id'), status $(event_says "${opened:-null}" '.response.status')), and the session's event names it" \
    event_is "$event" '.websocket.open_event == $opened.id and $opened.response.status == 101
      and $opened.identity.pid == $pid and $opened.decision == "allow"' \
    --argjson opened "${opened:-null}" --argjson pid "$pid"
}

check_realtime() {
  local scenario direct warden offered
  for scenario in "${kOpenAiRealtimeScenarios[@]}"; do
    direct=direct-openai-$scenario warden=warden-openai-$scenario
    e2e_check 5 "openai $scenario: SDK result identical directly and through warden ($(realtime_summary "$OUT/$warden.out"))" \
      same_result "$OUT/$direct.out" "$OUT/$warden.out"
    e2e_check 5 "openai $scenario: the mock received the same client events both ways ($(realtime_record "$direct" |
      jq -r '"\(.events | join(", ")), sha256 \(.events_sha256[0:12])"' | head -n 1))" \
      same_client_events "$direct" "$warden"
    offered=$(realtime_record "$direct" | jq -r '.extensions' | head -n 1)
    e2e_check 5 "openai $scenario: through warden the upstream saw no Sec-WebSocket-Extensions offer (directly: '$offered')" \
      compression_offer_stripped "$direct" "$warden"
    check_realtime_event "$scenario"
  done
}
