# Checks 1 (openai SDK) and 2 (anthropic SDK): every scenario gives the SDK
# the same result directly and through warden, the mock received the same
# request both ways, and the warden path really went through wardend.

# The direct path is the baseline: if a scenario fails there the harness is
# broken, not warden; stop right here.
run_direct_phase() {
  local name
  run_all_scenarios direct out "$TEST_CA"
  for name in "$OUT"/direct-*.rc; do
    name=$(basename "$name" .rc)
    if [[ $(cat "$OUT/$name.rc") != 0 ]] || ! jq -e 'has("result")' "$OUT/$name.out" >/dev/null 2>&1; then
      e2e_die "direct client $name failed (harness problem): $(tail -c 800 "$OUT/$name.err")"
    fi
  done
}

run_warden_phase() {
  run_all_scenarios warden in "$BUNDLE"
}

# What a result says, for the PASS line: the number of stream events, the
# finish reason and the text or tool call the SDK assembled.
result_summary() {
  jq -r '
    .result as $r
    | ($r | if type == "object" and has("events") then .final else . end) as $f
    | [ (if ($r | type) == "object" and ($r | has("events")) then "\($r.events | length) events" else empty end),
        ($f.choices[0].finish_reason // $f.stop_reason // $f.status // empty | "finish \(.)"),
        ($f.choices[0].message.content // $f.output_text // empty | select(. != "") | "text \(tojson)"),
        ($f.choices[0].message.tool_calls[0]? // empty | "tool call \(.function.name)(\(.function.arguments))"),
        ($f.output[]? | select(.type == "function_call") | "function call \(.name)(\(.arguments))"),
        ($f.content[]? | select(.type == "text") | "text \(.text | tojson)"),
        ($f.content[]? | select(.type == "tool_use") | "tool_use \(.name)(\(.input | tojson))"),
        ($f.data // empty | "\(length) embeddings of \(.[0].embedding | length) floats")
      ] | join("; ")' "$1" 2>/dev/null
}

same_result() {
  local a=$1 b=$2
  [[ $(cat "${a%.out}.rc") == 0 && $(cat "${b%.out}.rc") == 0 ]] || { e2e_log "a client failed"; return 1; }
  jq -e 'has("result")' "$b" >/dev/null 2>&1 || { e2e_log "through warden: $(head -c 800 "$b")"; return 1; }
  cmp -s <(jq -S 'del(.pid)' "$a") <(jq -S 'del(.pid)' "$b") && return 0
  e2e_log "$(basename "$a") and $(basename "$b") differ:"
  diff <(jq -S 'del(.pid)' "$a" | head -c 3000) <(jq -S 'del(.pid)' "$b" | head -c 3000) >&2 || true
  return 1
}

# One request each way, and the same one.
same_upstream_request() {
  local direct=$1 warden=$2 a b
  a=$(record_digest "$direct")
  b=$(record_digest "$warden")
  [[ $(wc -l <<<"$a") -eq 1 && $(jq -r '.[0]' <<<"$a") == request ]] ||
    { e2e_log "direct: expected one request at the mock, got: $a"; return 1; }
  [[ $a == "$b" ]] || { e2e_log "the mock received different requests: direct $a, through warden ${b:-nothing}"; return 1; }
}

through_wardend() {
  local pid=$1 path=$2 bad
  wait_event_of "$pid" 3000 || { e2e_log "no request event names pid $pid"; return 1; }
  bad=$(events_of "$pid" | jq -c --arg path "$path" --argjson cg "$CG_ID" \
    'select(.connection.mode != "intercept" or .request.path != $path or .identity.cgroup_id != $cg)')
  [[ -z $bad ]] || { e2e_log "unexpected event for pid $pid: $bad"; return 1; }
}

check_scenario_outputs() {
  local id=$1 sdk=$2 scenario=$3 direct warden digest path
  direct=direct-$sdk-$scenario warden=warden-$sdk-$scenario
  e2e_check "$id" "$sdk $scenario: SDK result identical directly and through warden ($(result_summary "$OUT/$warden.out"))" \
    same_result "$OUT/$direct.out" "$OUT/$warden.out"
  digest=$(records_of "$direct" | jq -r '"\(.method) \(.path), \(.body_bytes) bytes, sha256 \(.body_sha256[0:12])"' | head -n 1)
  e2e_check "$id" "$sdk $scenario: the mock received the same request both ways ($digest)" \
    same_upstream_request "$direct" "$warden"
  path=$(records_of "$direct" | jq -r '.path' | head -n 1)
  e2e_check "$id" "$sdk $scenario: the warden path went through wardend (intercept event for pid $(cat "$OUT/$warden.pid"), path $path)" \
    through_wardend "$(cat "$OUT/$warden.pid")" "$path"
}

check_outputs() {
  local scenario
  for scenario in "${kOpenAiScenarios[@]}"; do
    check_scenario_outputs 1 openai "$scenario"
  done
  for scenario in "${kAnthropicScenarios[@]}"; do
    check_scenario_outputs 2 anthropic "$scenario"
  done
}
