#!/usr/bin/env bash
# Kernel end-to-end test of warden with the real provider SDKs: the openai and
# @anthropic-ai/sdk npm packages make every API call an application makes
# (chat, streamed chat, Responses, embeddings, tool calls; Anthropic messages,
# streamed, with tool_use) and open an OpenAI Realtime WebSocket session, and
# curl calls Gemini (generateContent, streamGenerateContent as events and as
# a JSON array) and a plain-HTTP Ollama server (/api/chat, /api/generate),
# once directly to a mock upstream and once redirected through wardend, and
# the results must be identical. wardend's events must name provider,
# operation and model and, for streams and sessions, what the response said;
# refusals must reach the SDKs as their own API errors. The validation layer
# must refuse prompt injections (in the user's turn, in a tool result) and
# forward text smuggled in tag characters with them removed.
#
# usage: providers_test.sh --wardend PATH --wardenctl PATH
#
# Runs as root on a real kernel, in private mount and network namespaces
# (unshare -m -n): a private /etc/hosts maps api.openai.com,
# api.anthropic.com and generativelanguage.googleapis.com to mock upstreams
# on 127.0.0.2, 127.0.0.3 and 127.0.0.4, the Ollama mock listens on
# 127.0.0.5:11434 in plain HTTP, a private bpffs holds warden's pins, BPF programs go only on a child cgroup made
# here. Everything is undone on every exit path; the outer process then
# checks that it was.
#
# Set WARDEN_E2E_KEEP=1 to keep the work directory (logs, events) afterwards.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/suite.sh
source "$HERE/../lib/suite.sh"
e2e_suite_init "$@"

inner_main() {
  # shellcheck source=setup.sh
  source "$HERE/setup.sh"
  # shellcheck source=observe.sh
  source "$HERE/observe.sh"
  # shellcheck source=clients.sh
  source "$HERE/clients.sh"
  # shellcheck source=curl_clients.sh
  source "$HERE/curl_clients.sh"
  # shellcheck source=checks_outputs.sh
  source "$HERE/checks_outputs.sh"
  # shellcheck source=checks_events.sh
  source "$HERE/checks_events.sh"
  # shellcheck source=checks_realtime.sh
  source "$HERE/checks_realtime.sh"
  # shellcheck source=checks_refusals.sh
  source "$HERE/checks_refusals.sh"
  # shellcheck source=checks_validation.sh
  source "$HERE/checks_validation.sh"
  # shellcheck source=checks_gemini_ollama.sh
  source "$HERE/checks_gemini_ollama.sh"

  e2e_suite_paths
  e2e_install_traps
  # Registered first so it runs last, after the cleanup checks.
  e2e_defer write_results

  setup_namespace
  setup_pki
  start_upstreams
  setup_cgroup
  LISTEN_PORT=$(e2e_free_port)

  e2e_log "direct path (outside the cgroup, no wardend): every scenario"
  run_direct_phase
  run_curl_direct_phase
  e2e_log "direct path: $(record_count) requests reached the mocks"
  e2e_log "starting wardend on $CG, listener port $LISTEN_PORT"
  e2e_wardend_start open || e2e_die "wardend did not start: $WARDEND_FAILURE"
  e2e_wardend_trust_bundle
  e2e_log "through warden (inside the cgroup): every scenario"
  run_warden_phase
  run_curl_warden_phase
  e2e_wardend_ensure_alive 1

  check_outputs
  check_events
  check_realtime
  check_gemini_ollama
  check_smuggling_refused
  check_validation
  check_size_limit
  e2e_wardend_stop
}

# After a failure, the last event of each kind too.
write_results() {
  e2e_suite_write_results 20
  e2e_suite_failed || return 0
  e2e_log "---- last request event"
  e2e_events | jq -c 'select(.type == "request")' 2>/dev/null | tail -n 1 >&2
  e2e_log "---- last websocket event"
  e2e_events | jq -c 'select(.type == "websocket")' 2>/dev/null | tail -n 1 >&2
}

outer_main() {
  e2e_suite_require unshare node curl jq openssl bpftool ss ip stat mount umount awk sed cmp diff sha256sum timeout
  e2e_suite_require_npm openai @anthropic-ai/sdk ws
  e2e_suite_run_outer providers 240 "$HERE/providers_test.sh"
}

e2e_suite_main
