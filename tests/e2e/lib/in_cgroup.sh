#!/bin/sh
# usage: in_cgroup.sh CGROUP_DIR COMMAND [ARGS...]
# Moves itself into CGROUP_DIR, then execs COMMAND, which keeps this pid: the
# caller's $! is the pid the kernel will report for COMMAND's connections.
set -eu
if [ "$#" -lt 2 ]; then
  echo "usage: in_cgroup.sh CGROUP_DIR COMMAND [ARGS...]" >&2
  exit 2
fi
cgroup=$1
shift
if ! echo $$ >"$cgroup/cgroup.procs"; then
  echo "in_cgroup.sh: cannot join $cgroup (is it a cgroup2 directory? are we root?)" >&2
  exit 2
fi
exec "$@"
