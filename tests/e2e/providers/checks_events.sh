# Check 3: wardend's event for every request names the provider, operation
# and model, and for streams the response facts it assembled from the
# deltas (finish reason, token usage, tool names). The expected values come
# from what the mock was sent and what the SDK assembled, not from constants.
#
# Event fields are looked up by name wherever the event nests them
# ("provider", "operation", "model", "finish_reason", "usage" with
# input_tokens/output_tokens, "tools_called" as names or {name} objects);
# their values must match exactly.

readonly kOpenAiProvider=openai
readonly kAnthropicProvider=anthropic

expected_operation() {
  case $1 in
    chat | chat_stream | tools | tools_stream) echo chat_completions ;;
    responses | responses_stream | responses_tools_stream) echo responses ;;
    embeddings) echo embeddings ;;
    messages | messages_stream | tool_use | tool_use_stream) echo messages ;;
    *) e2e_die "no operation known for scenario $1" ;;
  esac
}

# The facts an event states, in one normalised shape.
event_facts() {
  jq -c -S --argjson stream "$2" '
    def find($k): [.. | objects | select(has($k)) | .[$k]] | first;
    {provider: find("provider"), operation: find("operation"), model: find("model")}
    + if $stream then {
        finish_reason: find("finish_reason"),
        usage: (find("usage") | if type == "object"
          then {input: (.input_tokens // .prompt_tokens), output: (.output_tokens // .completion_tokens)}
          else null end),
        tools: (find("tools_called") // [] | if type == "array"
          then map(if type == "object" then .name else . end) | sort else . end)
      } else {} end' <<<"$1"
}

# What the event must state: the model from the request the mock received,
# the rest from the result the SDK assembled.
expected_facts() {
  local sdk=$1 scenario=$2 stream=$3 model provider
  model=$(records_of "direct-$sdk-$scenario" | jq -r '.body | fromjson | .model' | head -n 1)
  provider=$kOpenAiProvider
  [[ $sdk == anthropic ]] && provider=$kAnthropicProvider
  jq -c -S --arg provider "$provider" --arg operation "$(expected_operation "$scenario")" --arg model "$model" \
    --argjson stream "$stream" '
    .result.final as $f
    | {provider: $provider, operation: $operation, model: $model}
    + if $stream then {
        finish_reason: ($f.choices[0].finish_reason // $f.stop_reason // $f.status),
        usage: {input: ($f.usage.prompt_tokens // $f.usage.input_tokens),
                output: ($f.usage.completion_tokens // $f.usage.output_tokens)},
        tools: ([(($f.choices[0].message.tool_calls // [])[] | .function.name),
                 (($f.output // [])[] | select(.type == "function_call") | .name),
                 (($f.content // [])[] | select(.type == "tool_use") | .name)] | sort)
      } else {} end' "$OUT/warden-$sdk-$scenario.out"
}

facts_match() {
  [[ $1 == "$2" ]] && return 0
  e2e_log "event facts differ: expected $2, the event says $1"
  return 1
}

check_scenario_event() {
  local sdk=$1 scenario=$2 pid event stream=false actual expected
  [[ $scenario == *_stream ]] && stream=true
  pid=$(cat "$OUT/warden-$sdk-$scenario.pid")
  wait_event_of "$pid" 3000 || true
  event=$(events_of "$pid" | head -n 1)
  if [[ -z $event ]]; then
    e2e_fail 3 "$sdk $scenario: no request event names pid $pid"
    return 0
  fi
  actual=$(event_facts "$event" "$stream")
  expected=$(expected_facts "$sdk" "$scenario" "$stream") || expected="(not computable from the SDK result)"
  e2e_check 3 "$sdk $scenario: event states $actual" facts_match "$actual" "$expected"
}

check_events() {
  local scenario
  for scenario in "${kOpenAiScenarios[@]}"; do
    check_scenario_event openai "$scenario"
  done
  for scenario in "${kAnthropicScenarios[@]}"; do
    check_scenario_event anthropic "$scenario"
  done
}
