#!/usr/bin/env bash
# Kernel end-to-end test of the audit trail's syslog sink against Debian's
# real rsyslogd.
#
# usage: audit_test.sh --wardend PATH --wardenctl PATH
#
# Runs as root on a real kernel, in private mount and network namespaces
# (see ../lib/outer.sh): requests from a child cgroup go through wardend to a
# mock upstream; wardend spools one event per request and its syslog sink
# forwards the spool (RFC 5424, octet counting, TLS) to an rsyslogd this test
# starts on 127.0.0.1 with its own configuration. Checks:
#   (a) every spooled line reaches rsyslog over TLS, its header matching it;
#   (b) rsyslog stopped (by its pid) while requests go on, then restarted:
#       every line arrives, none lost; duplicates are counted and reported;
#   (c) no rsyslogd is left running, whatever happens (traps, pid checks);
#   (d) what wardend spools as it stops is forwarded before it exits.
# The machine's rsyslog configuration and service are never touched.
#
# Set WARDEN_E2E_KEEP=1 to keep the work directory (logs, spool, what rsyslog
# received) afterwards.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/suite.sh
source "$HERE/../lib/suite.sh"
# shellcheck source=rsyslog.sh
source "$HERE/rsyslog.sh"
e2e_suite_init "$@"

inner_main() {
  # shellcheck source=setup.sh
  source "$HERE/setup.sh"
  # shellcheck source=checks.sh
  source "$HERE/checks.sh"

  e2e_suite_paths
  e2e_install_traps
  # Registered first so it runs last, after the cleanup checks.
  e2e_defer e2e_suite_write_results 30
  e2e_defer show_rsyslog_logs

  setup_namespace
  setup_pki
  start_upstream
  setup_cgroup
  start_syslog
  start_wardend
  e2e_wardend_trust_bundle

  check_a_delivery
  e2e_wardend_ensure_alive a
  check_b_outage
  e2e_wardend_ensure_alive b
  check_d_stop
  check_c_stopped
}

# After a failure, rsyslogd's own logs next to wardend's.
show_rsyslog_logs() {
  local log
  e2e_suite_failed || return 0
  for log in "$WORK"/rsyslog/rsyslogd-*.log; do
    [[ -f $log ]] || continue
    e2e_log "---- last lines of $log"
    tail -n 20 "$log" >&2
  done
}

outer_main() {
  e2e_suite_require unshare curl openssl node jq bpftool ss ip stat mount umount awk comm sort rsyslogd
  [[ -n $(find /usr/lib -name lmnsd_ossl.so -print -quit 2>/dev/null) ]] ||
    e2e_die "rsyslog's OpenSSL driver is missing: apt-get install rsyslog-openssl"
  e2e_suite_run_outer audit 240 "$HERE/audit_test.sh"
  # (c), seen from outside: nothing the scenario started outlives it.
  rsyslog_paths
  e2e_check c "no rsyslogd of this test outlives its namespaces" test "$(rsyslog_any_running && echo up)" = ""
}

e2e_suite_main
