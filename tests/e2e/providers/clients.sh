# The clients of the provider test: the official SDKs (one API call or one
# Realtime session per process, so each process's pid names exactly one
# event) and a raw TLS client. Each runs inside the child cgroup (redirected
# to wardend) or outside it (direct to the mock), and leaves in $OUT its
# stdout, stderr, pid, exit status and which upstream record lines it caused.

readonly kOpenAiScenarios=(chat chat_stream tools tools_stream responses responses_stream responses_tools_stream embeddings)
readonly kAnthropicScenarios=(messages messages_stream tool_use tool_use_stream)
# Sessions over WebSocket (the SDK's OpenAIRealtimeWS); checked on their own.
readonly kOpenAiRealtimeScenarios=(realtime)

# run_client NAME WHERE COMMAND...: e2e_run_client (lib/client.sh), which
# also writes $OUT/NAME.records: the upstream record lines the client caused.
# A client still running after CLIENT_TIMEOUT_S (20) is killed.
# With CLIENT_AWAITS_RECORD=1 it waits up to 3 s after the client exited for
# the upstream's record: the mock records a WebSocket when its connection
# closes, which may be a moment after the client saw the close.
run_client() {
  local name=$1 where=$2 deadline first
  shift 2
  first=$(($(record_count) + 1))
  e2e_run_client "$name" "$where" "${CLIENT_TIMEOUT_S:-20}" "$@"
  if ((${CLIENT_AWAITS_RECORD:-0})); then
    deadline=$(($(e2e_now_ms) + 3000))
    while (($(record_count) < first && $(e2e_now_ms) < deadline)); do
      sleep 0.02
    done
  fi
  printf '%s %s\n' "$first" "$(record_count)" >"$OUT/$name.records"
}

# run_sdk SDK SCENARIO PATH_LABEL WHERE CAFILE: one SDK call (or Realtime
# session); output in $OUT/PATH_LABEL-SDK-SCENARIO.out.
run_sdk() {
  local sdk=$1 scenario=$2 label=$3 where=$4 cafile=$5 script=${1}_scenarios.js awaits=0
  if [[ $sdk == openai && $scenario == realtime* ]]; then
    script=openai_realtime_scenarios.js awaits=1
  fi
  CLIENT_AWAITS_RECORD=$awaits run_client "$label-$sdk-$scenario" "$where" env NODE_EXTRA_CA_CERTS="$cafile" \
    node "$NODE_DIR/$script" "$scenario"
}

# Every scenario of both SDKs on one path.
run_all_scenarios() {
  local label=$1 where=$2 cafile=$3 scenario
  for scenario in "${kOpenAiScenarios[@]}" "${kOpenAiRealtimeScenarios[@]}"; do
    run_sdk openai "$scenario" "$label" "$where" "$cafile"
  done
  for scenario in "${kAnthropicScenarios[@]}"; do
    run_sdk anthropic "$scenario" "$label" "$where" "$cafile"
  done
}

# run_raw NAME HOST REQUEST_FILE: REQUEST_FILE's bytes, as they are, over TLS
# to HOST:443 from inside the cgroup, trusting warden's CA.
run_raw() {
  local name=$1 host=$2 request=$3
  run_client "$name" in node "$NODE_DIR/raw_tls_request.js" "$host" "$kUpstreamPort" "$host" "$BUNDLE" "$request" 3000
}
