# The skeleton of a suite that runs wardend against mock upstreams
# (intercept, providers): its command line, a scrubbed environment, the
# preconditions the outer half checks, the work directory's layout and the
# split into an outer supervisor and an inner scenario (see outer.sh).
#
# A suite script sources this file (it loads e2e.sh and the helpers such a
# scenario uses), calls e2e_suite_init "$@", defines inner_main and
# outer_main, and ends with e2e_suite_main.

# shellcheck source=e2e.sh
source "$(dirname "${BASH_SOURCE[0]}")/e2e.sh"
# shellcheck source=scenario.sh
source "$E2E_LIB_DIR/scenario.sh"
# shellcheck source=wardend.sh
source "$E2E_LIB_DIR/wardend.sh"
# shellcheck source=client.sh
source "$E2E_LIB_DIR/client.sh"

e2e_suite_usage() {
  echo "usage: $0 --wardend PATH --wardenctl PATH" >&2
  exit 2
}

# e2e_suite_init "$@": the command line read, the environment scrubbed.
e2e_suite_init() {
  e2e_suite_parse_args "$@"
  e2e_suite_scrub_env
}

# Sets WARDEND, WARDENCTL and INSIDE (--inside: how the outer half starts the
# inner one), and NODE_DIR for the clients and mocks.
e2e_suite_parse_args() {
  WARDEND='' WARDENCTL='' INSIDE=0
  while (($#)); do
    case $1 in
      --wardend) WARDEND=${2:-}; shift 2 ;;
      --wardenctl) WARDENCTL=${2:-}; shift 2 ;;
      --inside) INSIDE=1; shift ;;
      *) e2e_suite_usage ;;
    esac
  done
  [[ -n $WARDEND && -n $WARDENCTL ]] || e2e_suite_usage
  NODE_DIR=$(cd "$E2E_LIB_DIR/../node" && pwd)
  export NODE_DIR
}

# Nothing from the caller's environment may steer the clients or the SDKs
# elsewhere, or make them trust something else.
e2e_suite_scrub_env() {
  unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY \
    OPENAI_BASE_URL OPENAI_API_KEY OPENAI_ORG_ID OPENAI_PROJECT_ID OPENAI_LOG \
    ANTHROPIC_BASE_URL ANTHROPIC_API_KEY ANTHROPIC_AUTH_TOKEN ANTHROPIC_CUSTOM_HEADERS ANTHROPIC_LOG \
    NODE_EXTRA_CA_CERTS NODE_OPTIONS NODE_TLS_REJECT_UNAUTHORIZED SSL_CERT_FILE SSL_CERT_DIR \
    CURL_CA_BUNDLE CURL_HOME
}

# e2e_suite_require TOOL...: root, the tools, both binaries under test.
e2e_suite_require() {
  e2e_require_root
  e2e_require_tools "$@"
  [[ -x $WARDEND ]] || e2e_die "wardend not found at $WARDEND; build it (cmake --build BUILD --target wardend)"
  [[ -x $WARDENCTL ]] || e2e_die "wardenctl not found at $WARDENCTL; build it (cmake --build BUILD --target wardenctl)"
}

# e2e_suite_require_npm PACKAGE...: the clients' npm packages, installed.
e2e_suite_require_npm() {
  local package
  for package in "$@"; do
    [[ -f $NODE_DIR/node_modules/$package/package.json ]] ||
      e2e_die "the $package npm package is missing; run 'npm ci' in $NODE_DIR"
  done
}

# e2e_suite_run_outer NAME SECONDS SCRIPT: the outer half; SCRIPT --inside
# is the scenario, stopped after SECONDS.
e2e_suite_run_outer() {
  e2e_outer_start "$1"
  e2e_outer_run_inside "$2" "$3" --inside --wardend "$WARDEND" --wardenctl "$WARDENCTL"
}

# Where the scenario keeps things, all under $WORK.
e2e_suite_paths() {
  PKI=$WORK/pki TEST_CA=$WORK/pki/ca.crt BUNDLE=$WORK/pki/bundle.pem
  STATE=$WORK/state RUNDIR=$WORK/run BPFFS=$WORK/bpffs PIN_DIR=$WORK/bpffs/warden
  SPOOL=$WORK/state/spool RECORD=$WORK/upstream/requests.jsonl OUT=$WORK/out REQ=$WORK/requests
  mkdir -p "$OUT"
}

e2e_suite_failed() {
  ((E2E_FAILED > 0 || ${E2E_EXIT_STATUS:-0} != 0))
}

# e2e_suite_write_results LINES: cleanup step, registered first so it runs
# last: hands the counts to the outer half and, after a failure, shows the
# last LINES of every wardend and mock log.
e2e_suite_write_results() {
  local lines=$1 log
  printf '%s %s\n' "$E2E_PASSED" "$E2E_FAILED" >"$WORK/results"
  e2e_suite_failed || return 0
  for log in "$WORK"/wardend-*.log "$WORK"/upstream/*.log; do
    [[ -f $log ]] || continue
    e2e_log "---- last lines of $log"
    tail -n "$lines" "$log" >&2
  done
}

e2e_suite_main() {
  if ((INSIDE)); then
    [[ -n ${WORK:-} ]] || e2e_die "--inside is internal; run without it"
    inner_main
  else
    outer_main
  fi
}
