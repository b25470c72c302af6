# Builds the provider test's world inside its private mount and network
# namespaces: host names, PKI, one mock upstream per provider, the child
# cgroup and wardend. Sourced by providers_test.sh; the pieces are in ../lib
# (scenario.sh, wardend.sh), every step registers its own cleanup.

readonly kOpenAiHost=api.openai.com
readonly kOpenAiIp=127.0.0.2
readonly kAnthropicHost=api.anthropic.com
readonly kAnthropicIp=127.0.0.3
readonly kGeminiHost=generativelanguage.googleapis.com
readonly kGeminiIp=127.0.0.4
readonly kUpstreamPort=443
# A local Ollama server speaks plain HTTP; warden reads it as a plain target
# (an address and port, no name, no TLS).
readonly kOllamaIp=127.0.0.5
readonly kOllamaPort=11434
# Refusal checks: a limit far below what their requests send, far above the
# other scenarios' requests (under 1 KiB each).
readonly kBodyLimit=2048
# The mocks' pause between the pieces of a stream.
readonly kChunkDelayMs=5
# What wardend intercepts: the three API names and the Ollama address.
readonly WARDEND_TARGETS="targets:
  hosts: [{name: $kOpenAiHost, resolve: false}, {name: $kAnthropicHost, resolve: false},
          {name: $kGeminiHost, resolve: false}]
  addresses: [{cidr: $kOpenAiIp/32, port: $kUpstreamPort}, {cidr: $kAnthropicIp/32, port: $kUpstreamPort},
              {cidr: $kGeminiIp/32, port: $kUpstreamPort}, {cidr: $kOllamaIp/32, port: $kOllamaPort, tls: false}]"

setup_namespace() {
  e2e_scenario_namespace "$kOpenAiIp $kOpenAiHost" "$kAnthropicIp $kAnthropicHost" "$kGeminiIp $kGeminiHost"
  e2e_log "namespace ready: lo up, $kOpenAiHost -> $kOpenAiIp, $kAnthropicHost -> $kAnthropicIp," \
    "$kGeminiHost -> $kGeminiIp, Ollama on $kOllamaIp:$kOllamaPort, bpffs at $BPFFS"
}

setup_pki() {
  e2e_scenario_pki "warden e2e provider CA $$" "$kOpenAiHost" "$kAnthropicHost" "$kGeminiHost"
}

start_upstreams() {
  mkdir -p "$WORK/upstream"
  : >"$RECORD"
  start_upstream openai "$kOpenAiIp" "$kUpstreamPort" --cert-dir "$PKI" --names "$kOpenAiHost"
  start_upstream anthropic "$kAnthropicIp" "$kUpstreamPort" --cert-dir "$PKI" --names "$kAnthropicHost"
  start_upstream gemini "$kGeminiIp" "$kUpstreamPort" --cert-dir "$PKI" --names "$kGeminiHost"
  start_upstream ollama "$kOllamaIp" "$kOllamaPort" --plain
}

# start_upstream NAME IP PORT OPTION...: a mock on IP:PORT; the options say
# how it serves (certificates and names, or --plain).
start_upstream() {
  local name=$1 ip=$2 port=$3
  shift 3
  e2e_scenario_mock "$name" provider_upstream.js "$ip" "$port" "$@" --chunk-delay-ms "$kChunkDelayMs"
}

setup_cgroup() {
  e2e_scenario_cgroup e2e_wardend_check_detached cleanup
}
