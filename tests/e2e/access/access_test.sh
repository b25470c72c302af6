#!/usr/bin/env bash
# Kernel end-to-end test of the access layer (layer 3).
#
# usage: access_test.sh --wardend PATH --wardenctl PATH
#
# Two workloads run the official openai SDK from two child cgroups named like
# systemd units (bot.service as root, coder.service as nobody) below the one
# cgroup wardend is attached to. The policy lets the bot call gpt-4o-mini
# with a brokered key and a daily budget, and denies the coder. Checks: the
# bot's call goes through with the real key while it held a placeholder; the
# coder gets a native 403 carrying warden's reason, and gets nothing by
# switching to IPv6, to the raw IP, or to another API host of the targets;
# the budget runs out with a 429 and Retry-After; a broken policy is rejected
# on reload (control socket and SIGHUP) and the running one stays, a fixed
# one takes effect; a rule with action redact forwards the coder's prompt with
# an AWS key and an e-mail address masked; a capture entry puts the coder's
# prompt and completion, masked, into its events; a third workload
# (agent.service) that keeps attempting jailbreaks is refused once its risk
# score (layer 2) passes a riskAbove rule; a cgroup named as Docker names a
# container's resolves to it and a policy denies it by container. Private mount and network namespaces, as the other
# suites; everything is undone on every exit path.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/suite.sh
source "$HERE/../lib/suite.sh"
e2e_suite_init "$@"

inner_main() {
  # shellcheck source=setup.sh
  source "$HERE/setup.sh"
  # shellcheck source=../intercept/observe.sh
  source "$HERE/../intercept/observe.sh"
  # shellcheck source=checks.sh
  source "$HERE/checks.sh"

  e2e_suite_paths
  e2e_install_traps
  e2e_defer e2e_suite_write_results 30

  setup_namespace
  setup_pki
  start_upstream
  setup_cgroups
  write_policy
  LISTEN_PORT=$(e2e_free_port)
  start_wardend
  e2e_wardend_trust_bundle

  check_a_allowed_with_brokered_key
  check_b_denied
  check_c_no_way_around
  e2e_wardend_ensure_alive c
  check_d_budget
  check_e_reload
  e2e_wardend_ensure_alive e
  check_f_redact
  e2e_wardend_ensure_alive f
  check_g_capture
  e2e_wardend_ensure_alive g
  check_h_risk
  e2e_wardend_ensure_alive h
  check_i_container
  e2e_wardend_ensure_alive i
}

outer_main() {
  e2e_suite_require unshare setpriv curl openssl node jq bpftool ss ip stat mount umount awk sha256sum
  e2e_suite_require_npm openai
  e2e_suite_run_outer access 200 "$HERE/access_test.sh"
}

e2e_suite_main
