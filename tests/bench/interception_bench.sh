#!/usr/bin/env bash
# Interception benchmark: what warden costs a chat request compared with the
# same request sent directly and through a plain nginx TLS reverse proxy.
#
# usage: sudo interception_bench.sh --wardend PATH [--duration S] [--keep]
#
# One run, as root, on loopback only: a private mount + network namespace
# (own lo, /etc/hosts mapping api.openai.com to 127.0.0.2, a private bpffs
# for warden's pins), a child cgroup created here for wardend's programs.
# Prints a table and a key=value block; exits non-zero only when the
# benchmark itself could not run (targets missed are reported, not failed).
# Not a test: nothing registers it with ctest.
#
# Needs: nginx (Debian nginx-light), wrk, node, curl, openssl, cc, jq,
# bpftool, iproute2, util-linux. Takes about two minutes.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../e2e/lib/e2e.sh
source "$BENCH_DIR/../e2e/lib/e2e.sh"

usage() {
  echo "usage: $0 --wardend PATH [--duration SECONDS] [--keep]" >&2
  echo "  --wardend   the wardend binary (cmake --build BUILD --target wardend; BUILD/agent/wardend)" >&2
  echo "  --duration  seconds per wrk run (default 10)" >&2
  echo "  --keep      keep the work directory (logs, raw wrk output)" >&2
  exit 2
}

WARDEND='' INSIDE=0 KEEP=0 INNER_PID=''
DURATION_S=${DURATION_S:-10}
while (($#)); do
  case $1 in
    --wardend) WARDEND=${2:-}; shift 2 ;;
    --duration) DURATION_S=${2:-}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --inside) INSIDE=1; shift ;;
    *) usage ;;
  esac
done
[[ -n $WARDEND ]] || usage
[[ $DURATION_S =~ ^[1-9][0-9]*$ ]] || usage

WARMUP_S=2
TTFB_RUNS=50
STREAM_EVENTS=200000
STREAM_RUNS=3
CONNECT_CALLS=80000
CONNECT_ROUNDS=5
export DURATION_S WARMUP_S TTFB_RUNS STREAM_EVENTS STREAM_RUNS CONNECT_CALLS CONNECT_ROUNDS

# Nothing from the caller's environment may steer the clients elsewhere.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY \
  SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE CURL_HOME NODE_OPTIONS

inner_main() {
  source "$BENCH_DIR/lib/world.sh"
  source "$BENCH_DIR/lib/measure.sh"
  source "$BENCH_DIR/lib/report.sh"

  PKI=$WORK/pki TEST_CA=$WORK/pki/ca.crt BUNDLE=$WORK/pki/bundle.pem REQ=$WORK/requests OUT=$WORK/out
  STATE=$WORK/state RUNDIR=$WORK/run BPFFS=$WORK/bpffs PIN_DIR=$WORK/bpffs/warden SPOOL=$WORK/state/spool
  CLK_TCK=$(getconf CLK_TCK)
  export BENCH_BODY_FILE=$WORK/requests/chat.json
  mkdir -p "$OUT"
  e2e_install_traps

  setup_namespace
  setup_pki
  write_bodies
  start_upstream
  start_proxy
  start_sse_upstream
  setup_cgroup
  check_reference_paths

  measure_path direct out "https://$kApiHost/v1/chat/completions" ""
  measure_path nginx out "https://$kProxyHost/v1/chat/completions" "$PROXY_PIDS"
  ttfb direct out "$TEST_CA"
  stream_throughput direct out "$TEST_CA"
  connect_cost detached_before

  start_wardend
  check_warden_path
  local events_before
  events_before=$(events_logged)
  measure_path warden in "https://$kApiHost/v1/chat/completions" "$WARDEND_PID"
  sleep 0.5  # events leave through a queue
  R[warden.events]=$(($(events_logged) - events_before))
  e2e_alive "$WARDEND_PID" || e2e_die "wardend died during the benchmark: $(tail -n 20 "$WORK/wardend.log")"
  ttfb warden in "$BUNDLE"
  stream_throughput warden in "$BUNDLE"
  connect_cost attached
  stop_wardend
  connect_cost detached_after

  derive_results
  print_table
  print_machine_block
}

# After the namespaces are gone: nothing of ours may be left on the host.
outer_verify() {
  e2e_stop_pid_file "$E2E_PID_FILE"
  if [[ -d $BENCH_CGROUP_PATH ]]; then
    e2e_log "cgroup $BENCH_CGROUP_PATH was left behind; removing it"
    e2e_bpf_force_detach "$BENCH_CGROUP_PATH"
    e2e_cgroup_remove "$BENCH_CGROUP_PATH" || true
  fi
}

outer_main() {
  e2e_require_root
  command -v wrk >/dev/null 2>&1 || e2e_die "wrk is not installed: install the Debian package 'wrk' (apt-get install wrk)"
  command -v nginx >/dev/null 2>&1 ||
    e2e_die "nginx is not installed: install the Debian package 'nginx-light' (apt-get install nginx-light)"
  e2e_require_tools unshare curl openssl node jq bpftool ss ip stat mount umount awk sed sort ps cc getconf timeout
  [[ -x $WARDEND ]] || e2e_die "wardend not found at $WARDEND; build it (cmake --build BUILD --target wardend)"
  WARDEND=$(realpath "$WARDEND")
  local root
  root=$(e2e_cgroup2_root) || e2e_die "cgroup v2 is required"

  WORK=$(mktemp -d /tmp/warden-bench.XXXXXX)
  E2E_PID_FILE=$WORK/pids
  BENCH_CGROUP_NAME=warden-bench-$$
  BENCH_CGROUP_PATH=$root/$BENCH_CGROUP_NAME
  CONNECT_COST=$WORK/connect_cost
  export WORK E2E_PID_FILE BENCH_CGROUP_NAME BENCH_CGROUP_PATH CONNECT_COST
  e2e_remember_host_mountns
  trap 'outer_exit $?' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  e2e_log "work directory $WORK; cgroup $BENCH_CGROUP_PATH"

  cc -O2 -Wall -Wextra -Werror -pthread -o "$CONNECT_COST" "$BENCH_DIR/connect_cost.c" ||
    e2e_die "building connect_cost.c failed"

  # The inner shell gets TERM (and runs its cleanup) before anything is
  # killed without it. In the background so that a signal to this shell is
  # passed on (timeout runs in a process group of its own).
  local rc=0
  timeout -s TERM -k 15 420 unshare --mount --net --propagation private -- \
    bash "$BENCH_DIR/interception_bench.sh" --inside --wardend "$WARDEND" --duration "$DURATION_S" &
  INNER_PID=$!
  wait "$INNER_PID" || rc=$?
  INNER_PID=''
  INNER_RC=$rc
}

outer_exit() {
  local rc=$1
  trap - EXIT INT TERM
  set +e
  if [[ -n ${INNER_PID:-} ]]; then
    e2e_log "interrupted; letting the benchmark clean up"
    kill -TERM "$INNER_PID" 2>/dev/null
    wait "$INNER_PID" 2>/dev/null
  fi
  [[ -n ${WORK:-} && -d $WORK ]] && outer_verify
  if [[ ${INNER_RC:-1} -ne 0 ]]; then
    e2e_log "the benchmark stopped early (exit ${INNER_RC:-interrupted}); see the log above"
    ((rc == 0)) && rc=1
  fi
  if [[ -n ${WORK:-} && -d $WORK ]]; then
    if ((KEEP)) || ((rc != 0)); then
      e2e_log "kept $WORK (logs, raw wrk and curl output)"
    else
      rm -rf "$WORK"
    fi
  fi
  exit "$rc"
}

if ((INSIDE)); then
  [[ -n ${WORK:-} ]] || e2e_die "--inside is internal; run without it"
  inner_main
else
  outer_main
fi
