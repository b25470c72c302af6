#!/usr/bin/env bash
# Kernel end-to-end test of how the audit spool survives what goes wrong.
#
# usage: audit_recovery_test.sh --wardend PATH --wardenctl PATH
#
# Runs as root on a real kernel, in private mount and network namespaces
# (see ../lib/outer.sh): requests from a child cgroup go through wardend to a
# mock upstream; each scenario gives wardend its own spool. Checks:
#   full_block  the spool's disk (a 2 MiB tmpfs) fills up under on_full:
#               block: requests get a 503 in OpenAI's error format and status
#               says full; once there is room, requests pass and every
#               request answered (200 or 503) has its event; the chain holds
#   full_drop   the same disk under on_full: drop: requests go on, drops are
#               counted, and an audit_loss line says how many afterwards
#   bound       a file sink that cannot write keeps the spool at its bound
#               (max_mib 2): 503s; once it can write, it gets every event
#               and requests pass again
#   tamper      a copy of a spool verifies; an edited, a deleted and two
#               swapped lines are each named by file:line
#   kill        SIGKILL under 8 parallel clients, restart on the same spool:
#               every request answered before the kill has its event, the
#               chain holds, ids are unique, the sink gets everything
#
# Set WARDEN_E2E_KEEP=1 to keep the work directory (logs, spools) afterwards.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/suite.sh
source "$HERE/../lib/suite.sh"
e2e_suite_init "$@"

inner_main() {
  local file
  for file in setup clients spool check_full_disk check_bound check_tamper check_kill; do
    # shellcheck source=/dev/null
    source "$HERE/$file.sh"
  done

  e2e_suite_paths
  e2e_install_traps
  # Registered first so it runs last, after the cleanup checks.
  e2e_defer e2e_suite_write_results 30

  setup_namespace
  setup_pki
  start_upstream
  setup_cgroup
  LISTEN_PORT=$(e2e_free_port)

  check_full_block
  check_tamper
  check_full_drop
  check_bound
  check_kill
}

outer_main() {
  e2e_suite_require unshare curl openssl node jq bpftool ss ip stat mount umount awk sort uniq sed df
  e2e_suite_run_outer audit-recovery 170 "$HERE/audit_recovery_test.sh"
}

e2e_suite_main
