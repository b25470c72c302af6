# The curl clients of the provider test: Gemini over HTTPS (generateContent,
# streamGenerateContent as events and as a JSON array) and Ollama over plain
# HTTP (/api/chat and /api/generate, whole and streamed), as an application
# without an SDK would call them. One request per curl process, so its pid
# names exactly one event. Each leaves in $OUT, next to run_client's files,
# the response body (.body), its headers (.headers), curl's timed trace
# (.trace: when each piece of the body was read) and, as its stdout (.out),
# curl's JSON summary of the transfer.

readonly kCurlScenarios=(gemini_generate gemini_stream_sse gemini_stream_array ollama_chat ollama_chat_stream
  ollama_generate_stream)
readonly kGeminiApiKey=test-gemini-key

# The request bodies, written once; both paths send these same bytes.
write_curl_requests() {
  local dir=$WORK/curl gemini
  mkdir -p "$dir"
  gemini='{"systemInstruction":{"parts":[{"text":"You are a test fixture."}]},'
  gemini+='"contents":[{"role":"user","parts":[{"text":"Say hello to warden."}]}],'
  gemini+='"generationConfig":{"temperature":0,"maxOutputTokens":64}}'
  printf '%s' "$gemini" >"$dir/gemini_generate.json"
  printf '%s' "$gemini" >"$dir/gemini_stream_sse.json"
  printf '%s' "$gemini" >"$dir/gemini_stream_array.json"
  printf '%s' '{"model":"llama3.2","messages":[{"role":"system","content":"You are a test fixture."},{"role":"user","content":"Say hello to warden."}],"stream":false}' \
    >"$dir/ollama_chat.json"
  printf '%s' '{"model":"llama3.2","messages":[{"role":"user","content":"Say hello to warden."}],"stream":true}' \
    >"$dir/ollama_chat_stream.json"
  # No "stream": Ollama streams unless told not to, and warden must know it.
  printf '%s' '{"model":"qwen2.5","prompt":"Why is the sky blue?","options":{"temperature":0}}' \
    >"$dir/ollama_generate_stream.json"
}

# curl_url SCENARIO: where the scenario's request goes.
curl_url() {
  local gemini=https://$kGeminiHost/v1beta/models ollama=http://$kOllamaIp:$kOllamaPort/api
  case $1 in
    gemini_generate) echo "$gemini/gemini-2.0-flash:generateContent" ;;
    gemini_stream_sse) echo "$gemini/gemini-2.5-flash:streamGenerateContent?alt=sse" ;;
    gemini_stream_array) echo "$gemini/gemini-2.5-pro:streamGenerateContent" ;;
    ollama_chat | ollama_chat_stream) echo "$ollama/chat" ;;
    ollama_generate_stream) echo "$ollama/generate" ;;
    *) e2e_die "no URL known for curl scenario $1" ;;
  esac
}

# run_curl SCENARIO PATH_LABEL WHERE CAFILE: one request; files in
# $OUT/PATH_LABEL-curl-SCENARIO.*. CAFILE is what curl trusts for HTTPS.
run_curl() {
  local scenario=$1 label=$2 where=$3 cafile=$4 name url
  name=$label-curl-$scenario
  url=$(curl_url "$scenario")
  local cmd=(curl --silent --show-error --max-time 15 --cacert "$cafile"
    --header 'content-type: application/json' --data-binary "@$WORK/curl/$scenario.json"
    --output "$OUT/$name.body" --dump-header "$OUT/$name.headers"
    --trace-ascii "$OUT/$name.trace" --trace-time --write-out '%{json}')
  [[ $scenario == gemini_* ]] && cmd+=(--header "x-goog-api-key: $kGeminiApiKey")
  run_client "$name" "$where" "${cmd[@]}" "$url"
}

run_all_curl_scenarios() {
  local label=$1 where=$2 cafile=$3 scenario
  for scenario in "${kCurlScenarios[@]}"; do
    run_curl "$scenario" "$label" "$where" "$cafile"
  done
}
