# Mounts that only exist inside the test's private mount namespace: a bpffs
# for warden's pins and a bind mount over /etc/hosts. Every function refuses
# to run in the host's mount namespace, so a test can never touch the host's
# /etc or /sys/fs/bpf.

# Call in the host namespace before unshare; the namespaced shell inherits it.
# (/proc/1/ns may be unreadable in a sandbox, so pid 1 is no reference.)
e2e_remember_host_mountns() {
  E2E_HOST_MNTNS=$(readlink /proc/self/ns/mnt)
  export E2E_HOST_MNTNS
}

e2e_in_private_mountns() {
  local host=${E2E_HOST_MNTNS:-$(readlink /proc/1/ns/mnt 2>/dev/null)}
  [[ -n $host && $(readlink /proc/self/ns/mnt) != "$host" ]]
}

e2e_require_private_mountns() {
  e2e_in_private_mountns ||
    e2e_die "not in a private mount namespace (or the host's is unknown: call e2e_remember_host_mountns before unshare -m)"
  # unshare(1) already makes mounts private; say so explicitly, nothing may
  # propagate back to the host.
  mount --make-rprivate /
}

# e2e_mount_bpffs DIR: a fresh bpffs at DIR, unmounted at exit.
e2e_mount_bpffs() {
  local dir=$1
  e2e_require_private_mountns
  mkdir -p "$dir"
  mount -t bpf -o mode=0700 bpf "$dir" || e2e_die "cannot mount bpffs at $dir"
  e2e_defer e2e_umount "$dir"
}

# e2e_bind_hosts FILE: FILE becomes /etc/hosts for this namespace.
e2e_bind_hosts() {
  local file=$1
  e2e_require_private_mountns
  chmod 0644 "$file"
  mount --bind "$file" /etc/hosts || e2e_die "cannot bind $file over /etc/hosts"
  e2e_defer e2e_umount /etc/hosts
}

e2e_umount() {
  umount "$1" 2>/dev/null || umount -l "$1"
}

e2e_is_mounted() {
  awk -v d="$1" '$2 == d { found = 1 } END { exit !found }' /proc/self/mounts
}
