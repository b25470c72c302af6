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
# refusals must reach the SDKs as their own API errors.
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
# shellcheck source=../lib/e2e.sh
source "$HERE/../lib/e2e.sh"
NODE_DIR=$(cd "$HERE/../node" && pwd)
export NODE_DIR

usage() {
  echo "usage: $0 --wardend PATH --wardenctl PATH" >&2
  exit 2
}

WARDEND='' WARDENCTL='' INSIDE=0
while (($#)); do
  case $1 in
    --wardend) WARDEND=${2:-}; shift 2 ;;
    --wardenctl) WARDENCTL=${2:-}; shift 2 ;;
    --inside) INSIDE=1; shift ;;
    *) usage ;;
  esac
done
[[ -n $WARDEND && -n $WARDENCTL ]] || usage

# Nothing from the caller's environment may steer the SDKs elsewhere.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY \
  OPENAI_BASE_URL OPENAI_API_KEY OPENAI_ORG_ID OPENAI_PROJECT_ID OPENAI_LOG \
  ANTHROPIC_BASE_URL ANTHROPIC_API_KEY ANTHROPIC_AUTH_TOKEN ANTHROPIC_CUSTOM_HEADERS ANTHROPIC_LOG \
  NODE_EXTRA_CA_CERTS NODE_OPTIONS NODE_TLS_REJECT_UNAUTHORIZED SSL_CERT_FILE SSL_CERT_DIR

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
  # shellcheck source=checks_gemini_ollama.sh
  source "$HERE/checks_gemini_ollama.sh"

  PKI=$WORK/pki TEST_CA=$WORK/pki/ca.crt BUNDLE=$WORK/pki/bundle.pem
  STATE=$WORK/state RUNDIR=$WORK/run BPFFS=$WORK/bpffs PIN_DIR=$WORK/bpffs/warden
  EVENTS=$WORK/state/events.jsonl RECORD=$WORK/upstream/requests.jsonl OUT=$WORK/out
  mkdir -p "$OUT"

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
  start_wardend || e2e_die "wardend did not start: $WARDEND_FAILURE"
  make_trust_bundle
  e2e_log "through warden (inside the cgroup): every scenario"
  run_warden_phase
  run_curl_warden_phase
  ensure_wardend_alive 1

  check_outputs
  check_events
  check_realtime
  check_gemini_ollama
  check_smuggling_refused
  check_size_limit
  stop_wardend
}

write_results() {
  printf '%s %s\n' "$E2E_PASSED" "$E2E_FAILED" >"$WORK/results"
  if ((E2E_FAILED > 0 || ${E2E_EXIT_STATUS:-0} != 0)); then
    local log
    for log in "$WORK"/wardend-*.log "$WORK"/upstream/*.log; do
      [[ -f $log ]] || continue
      e2e_log "---- last lines of $log"
      tail -n 20 "$log" >&2
    done
    if [[ -f $EVENTS ]]; then
      e2e_log "---- last request event"
      jq -c 'select(.type == "request")' "$EVENTS" 2>/dev/null | tail -n 1 >&2
      e2e_log "---- last websocket event"
      jq -c 'select(.type == "websocket")' "$EVENTS" 2>/dev/null | tail -n 1 >&2
    fi
  fi
}

outer_main() {
  e2e_require_root
  e2e_require_tools unshare node curl jq openssl bpftool ss ip stat mount umount awk sed cmp diff sha256sum timeout
  [[ -x $WARDEND ]] || e2e_die "wardend not found at $WARDEND; build it (cmake --build BUILD --target wardend)"
  [[ -x $WARDENCTL ]] || e2e_die "wardenctl not found at $WARDENCTL; build it (cmake --build BUILD --target wardenctl)"
  local package
  for package in openai @anthropic-ai/sdk ws; do
    [[ -f $NODE_DIR/node_modules/$package/package.json ]] ||
      e2e_die "the $package npm package is missing; run 'npm ci' in $NODE_DIR"
  done
  e2e_outer_start providers
  e2e_outer_run_inside 240 "$HERE/providers_test.sh" --inside --wardend "$WARDEND" --wardenctl "$WARDENCTL"
}

if ((INSIDE)); then
  [[ -n ${WORK:-} ]] || e2e_die "--inside is internal; run without it"
  inner_main
else
  outer_main
fi
