# cgroup v2 plumbing: find the unified hierarchy, create a child cgroup for a
# test, run commands inside it, remove it. BPF programs are only ever attached
# to such a child, never to the root.

E2E_LIB_DIR=${E2E_LIB_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}

# The cgroup2 mount point from /proc/mounts: /sys/fs/cgroup on unified hosts,
# /sys/fs/cgroup/unified on hybrid ones.
e2e_cgroup2_root() {
  local mounts=${1:-/proc/mounts} root
  root=$(awk '$3 == "cgroup2" { print $2; exit }' "$mounts")
  [[ -n $root ]] || { e2e_log "no cgroup2 mount in $mounts; mount one (mount -t cgroup2 none /sys/fs/cgroup/unified)"; return 1; }
  # /proc/mounts escapes spaces and tabs as octal.
  printf '%b\n' "$root"
}

# e2e_cgroup_create NAME: creates NAME under the cgroup2 root, prints its path
# and removes it at exit. Refuses to reuse an existing directory: it might
# belong to someone else.
e2e_cgroup_create() {
  local name=$1 root path
  [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || e2e_die "bad cgroup name '$name'"
  root=$(e2e_cgroup2_root /proc/mounts) || return 1
  path=$root/$name
  [[ ! -e $path ]] || e2e_die "cgroup $path already exists; remove it if a previous run left it (rmdir $path)"
  mkdir "$path" || e2e_die "cannot create cgroup $path"
  printf '%s\n' "$path"
}

# Runs COMMAND inside CGROUP. A wrapper script rather than a function so that
# `e2e_in_cgroup CG cmd &` leaves $! equal to the command's own pid.
e2e_in_cgroup() {
  "$E2E_LIB_DIR/in_cgroup.sh" "$@"
}

# e2e_cgroup_remove PATH: ends what still runs in it, then removes it. Every
# member is a process this test started (or its child): only the test knows
# the cgroup's name.
e2e_cgroup_remove() {
  local path=$1 pid procs i
  [[ -d $path ]] || return 0
  for ((i = 0; i < 20; i++)); do
    # cgroupfs files report size 0: read them, never test them with -s.
    procs=$(cat "$path/cgroup.procs" 2>/dev/null) || break
    [[ -n $procs ]] || break
    for pid in $procs; do
      e2e_log "killing pid $pid left in $path"
      kill -KILL "$pid" 2>/dev/null || true
    done
    sleep 0.1
  done
  for ((i = 0; i < 20; i++)); do
    rmdir "$path" 2>/dev/null && return 0
    sleep 0.1
  done
  e2e_log "could not remove cgroup $path: $(rmdir "$path" 2>&1)"
  return 1
}

# Cgroup id as BPF reports it (bpf_get_current_cgroup_id): the directory's
# inode number on cgroup2.
e2e_cgroup_id() {
  stat -c %i "$1"
}
