#!/bin/bash
# Kernel end-to-end test of warden's BPF programs (root, real kernel).
#
# Creates a child cgroup, runs warden_bpf_probe inside it with a private bpffs
# in its own mount namespace, then checks from outside that nothing is left
# attached or pinned. Everything it creates is removed on exit, also on
# failure or interruption. A missing precondition (not root, no cgroup2, a
# tool absent) is a failure, not a skip: this test is the proof the hooks work.
set -euo pipefail

probe=${1:?usage: run_kernel_e2e.sh PATH/TO/warden_bpf_probe}

if [[ $EUID -ne 0 ]]; then
  echo "FAIL: needs root (BPF, cgroups, mount namespaces)"
  exit 1
fi
for tool in bpftool unshare mount stat; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not found"; exit 1; }
done
cgroot=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [[ -z $cgroot ]]; then
  echo "FAIL: no cgroup2 mount in /proc/mounts"
  exit 1
fi

cg="$cgroot/warden-kernel-e2e-$$"
work=$(mktemp -d /tmp/warden-kernel-e2e.XXXXXX)
inner_pid=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $inner_pid ]] && kill -0 "$inner_pid" 2>/dev/null; then
    kill -TERM "$inner_pid" 2>/dev/null || true
    wait "$inner_pid" 2>/dev/null || true
  fi
  if [[ -d $cg ]]; then
    # Only processes this script started can be in its fresh cgroup.
    if [[ -n $(cat "$cg/cgroup.procs") ]]; then
      if [[ -e $cg/cgroup.kill ]]; then
        echo 1 >"$cg/cgroup.kill"
      else
        while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$cg/cgroup.procs"
      fi
    fi
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      rmdir "$cg" 2>/dev/null && break
      sleep 0.1
    done
    [[ -d $cg ]] && echo "WARNING: could not remove $cg" >&2
  fi
  # The bpffs lived in the private mount namespace and is gone with it.
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT INT TERM

mkdir "$cg"
cgid=$(stat -c %i "$cg")
mkdir "$work/bpffs"

# Inside a private mount namespace: mount bpffs, run the probe in the cgroup,
# then verify from outside the probe that it left nothing behind.
unshare --mount --propagation private -- bash -euo pipefail -c '
  bpffs=$1 cg=$2 probe=$3 cgid=$4
  mount -t bpf bpf "$bpffs"
  trap "umount \"$bpffs\" 2>/dev/null || true" EXIT
  # Kernels with BPF preload put maps.debug/progs.debug in every new bpffs.
  preexisting=$(ls -A "$bpffs")
  status=0
  bash -c "echo \$\$ >\"$cg/cgroup.procs\" && exec \"$probe\" --cgroup \"$cg\" --pin-dir \"$bpffs/warden\" --cgroup-id $cgid" || status=$?
  attached=$(bpftool -j cgroup show "$cg")
  if [[ $attached != "[]" && -n $attached ]]; then
    echo "FAIL programs still attached to $cg: $attached"; status=1
  else
    echo "ok   bpftool cgroup show: nothing attached to the test cgroup"
  fi
  if [[ $(ls -A "$bpffs") != "$preexisting" ]]; then
    echo "FAIL pins left in bpffs: $(ls -AR "$bpffs")"; status=1
  else
    echo "ok   no pin left in bpffs"
  fi
  exit $status
' kernel-e2e "$work/bpffs" "$cg" "$probe" "$cgid" &
inner_pid=$!
wait "$inner_pid"
