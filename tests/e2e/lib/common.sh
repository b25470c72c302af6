# Shared basics for warden's kernel end-to-end tests: logging, PASS/FAIL
# reporting, preconditions and a cleanup stack that runs on every exit path.
#
# Source it from bash with `set -euo pipefail`. Missing preconditions fail the
# test (exit 1) instead of skipping it: a CI run that silently skipped the
# kernel tests would look green while proving nothing.

E2E_PASSED=0
E2E_FAILED=0
E2E_CLEANUP=()

e2e_log() {
  printf '[%s] %s\n' "$(date +%H:%M:%S.%3N)" "$*" >&2
}

e2e_die() {
  e2e_log "ERROR: $*"
  exit 1
}

e2e_now_ms() {
  date +%s%3N
}

e2e_pass() {
  E2E_PASSED=$((E2E_PASSED + 1))
  printf 'PASS %s: %s\n' "$1" "$2"
}

e2e_fail() {
  E2E_FAILED=$((E2E_FAILED + 1))
  printf 'FAIL %s: %s\n' "$1" "$2"
}

# e2e_check ID DESCRIPTION COMMAND...: PASS if COMMAND succeeds.
e2e_check() {
  local id=$1 description=$2
  shift 2
  if "$@"; then
    e2e_pass "$id" "$description"
  else
    e2e_fail "$id" "$description"
  fi
}

e2e_require_root() {
  [[ $(id -u) -eq 0 ]] || e2e_die "must run as root (BPF, cgroups and mount namespaces need it); run it with sudo"
}

e2e_require_tools() {
  local tool missing=()
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) || e2e_die "missing tools: ${missing[*]} (install them; .ci/run lists the packages)"
}

# e2e_defer COMMAND ARGS...: run it at exit, last registered first. Arguments
# are quoted now, so paths with spaces survive.
e2e_defer() {
  local quoted
  printf -v quoted '%q ' "$@"
  E2E_CLEANUP+=("$quoted")
}

e2e_run_cleanup() {
  local i
  for ((i = ${#E2E_CLEANUP[@]} - 1; i >= 0; i--)); do
    eval "${E2E_CLEANUP[i]}" || e2e_log "cleanup step failed: ${E2E_CLEANUP[i]}"
  done
  E2E_CLEANUP=()
}

# Installs the exit traps: cleanup runs on success, on failure, on a failed
# command under `set -e` and on INT/TERM. A failed assertion turns a zero exit
# status into 1.
e2e_install_traps() {
  trap '_e2e_on_exit $?' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

_e2e_on_exit() {
  local rc=$1
  set +e
  trap - EXIT INT TERM
  E2E_EXIT_STATUS=$rc  # cleanup steps may want to know how the test ended
  e2e_run_cleanup
  if ((rc == 0 && E2E_FAILED > 0)); then
    rc=1
  fi
  exit "$rc"
}

e2e_summary() {
  printf '%d passed, %d failed\n' "$E2E_PASSED" "$E2E_FAILED"
}
