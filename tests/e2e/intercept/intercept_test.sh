#!/usr/bin/env bash
# Kernel end-to-end test of warden's interception path.
#
# usage: intercept_test.sh --wardend PATH --wardenctl PATH
#
# Runs as root on a real kernel. The outer process checks preconditions and
# supervises; the scenario itself runs in private mount and network
# namespaces (unshare -m -n), so /etc/hosts can map api.openai.com to
# 127.0.0.2, a private bpffs holds warden's pins, and loopback ports are ours
# alone. BPF programs go only on a child cgroup created here. Everything is
# undone on every exit path; the outer process then checks that it was.
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

# Nothing from the caller's environment may steer the clients elsewhere.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY \
  OPENAI_BASE_URL OPENAI_API_KEY OPENAI_ORG_ID OPENAI_PROJECT_ID NODE_EXTRA_CA_CERTS NODE_OPTIONS \
  SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE CURL_HOME

inner_main() {
  source "$HERE/setup.sh"
  source "$HERE/clients.sh"
  source "$HERE/observe.sh"
  source "$HERE/checks_traffic.sh"
  source "$HERE/checks_resilience.sh"

  PKI=$WORK/pki TEST_CA=$WORK/pki/ca.crt BUNDLE=$WORK/pki/bundle.pem
  STATE=$WORK/state RUNDIR=$WORK/run BPFFS=$WORK/bpffs PIN_DIR=$WORK/bpffs/warden
  EVENTS=$WORK/state/events.jsonl RECORD=$WORK/upstream/requests.jsonl OUT=$WORK/out REQ=$WORK/requests
  mkdir -p "$OUT"

  e2e_install_traps
  # Registered first so it runs last, after the cleanup checks.
  e2e_defer write_results

  setup_namespace
  setup_pki
  start_upstream
  setup_cgroup
  LISTEN_PORT=$(e2e_free_port)
  write_requests

  e2e_log "direct path (outside the cgroup, no wardend)"
  run_direct_phase
  e2e_log "starting wardend (fail-open) on $CG, listener port $LISTEN_PORT"
  start_wardend open
  make_trust_bundle
  e2e_log "through warden (inside the cgroup)"
  run_warden_phase

  check_a_bodies
  check_b_streaming
  check_c_identity
  ensure_wardend_alive c
  check_d_tunnel
  check_untrusted_ca
  check_e_outside
  ensure_wardend_alive e
  check_g_bad_clients
  ensure_wardend_alive g
  check_f_fail_open
  check_f_fail_closed
  check_h_graceful_stop
}

write_results() {
  printf '%s %s\n' "$E2E_PASSED" "$E2E_FAILED" >"$WORK/results"
  if ((E2E_FAILED > 0 || ${E2E_EXIT_STATUS:-0} != 0)); then
    local log
    for log in "$WORK"/wardend-*.log "$WORK/upstream/log"; do
      [[ -f $log ]] || continue
      e2e_log "---- last lines of $log"
      tail -n 30 "$log" >&2
    done
  fi
}

outer_main() {
  e2e_require_root
  e2e_require_tools unshare setpriv curl openssl node jq bpftool ss ip stat mount umount awk cmp diff find
  [[ -x $WARDEND ]] || e2e_die "wardend not found at $WARDEND; build it (cmake --build BUILD --target wardend)"
  [[ -x $WARDENCTL ]] || e2e_die "wardenctl not found at $WARDENCTL; build it (cmake --build BUILD --target wardenctl)"
  [[ -f $NODE_DIR/node_modules/openai/package.json ]] || e2e_die "the openai npm package is missing; run 'npm ci' in $NODE_DIR"
  e2e_outer_start intercept
  e2e_outer_run_inside 200 "$HERE/intercept_test.sh" --inside --wardend "$WARDEND" --wardenctl "$WARDENCTL"
}

if ((INSIDE)); then
  [[ -n ${WORK:-} ]] || e2e_die "--inside is internal; run without it"
  inner_main
else
  outer_main
fi
