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
# shellcheck source=../lib/suite.sh
source "$HERE/../lib/suite.sh"
e2e_suite_init "$@"

inner_main() {
  # shellcheck source=setup.sh
  source "$HERE/setup.sh"
  # shellcheck source=clients.sh
  source "$HERE/clients.sh"
  # shellcheck source=observe.sh
  source "$HERE/observe.sh"
  # shellcheck source=checks_traffic.sh
  source "$HERE/checks_traffic.sh"
  # shellcheck source=checks_resilience.sh
  source "$HERE/checks_resilience.sh"

  e2e_suite_paths
  e2e_install_traps
  # Registered first so it runs last, after the cleanup checks.
  e2e_defer e2e_suite_write_results 30

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
  e2e_wardend_trust_bundle
  e2e_log "through warden (inside the cgroup)"
  run_warden_phase

  check_a_bodies
  check_b_streaming
  check_c_identity
  e2e_wardend_ensure_alive c
  check_d_tunnel
  check_untrusted_ca
  check_e_outside
  e2e_wardend_ensure_alive e
  check_i_unrecorded
  e2e_wardend_ensure_alive i
  check_g_bad_clients
  e2e_wardend_ensure_alive g
  check_f_fail_open
  check_f_fail_closed
  check_h_graceful_stop
}

outer_main() {
  e2e_suite_require unshare setpriv curl openssl node jq bpftool ss ip stat mount umount awk cmp diff find
  e2e_suite_require_npm openai
  e2e_suite_run_outer intercept 200 "$HERE/intercept_test.sh"
}

e2e_suite_main
