# What BPF a test's cgroup carries, and forced removal when an agent under test
# failed to clean up after itself. bpftool runs with -n: it must never mount a
# bpffs of its own on the host.

# Prints "id attach_type name" for every program attached to CGROUP.
e2e_bpf_attached() {
  bpftool -n -j cgroup show "$1" 2>/dev/null | jq -r '.[] | "\(.id) \(.attach_type) \(.name)"'
}

e2e_bpf_attached_count() {
  local out
  out=$(bpftool -n -j cgroup show "$1" 2>/dev/null) || { echo 0; return 0; }
  jq 'length' <<<"${out:-[]}"
}

# Detaches everything from CGROUP: bpf_links first (by cgroup id), then
# programs attached without a link.
e2e_bpf_force_detach() {
  local cgroup=$1 cgroup_id link prog type
  cgroup_id=$(stat -c %i "$cgroup") || return 1
  for link in $(bpftool -n -j link show 2>/dev/null | jq -r --argjson cg "$cgroup_id" '.[] | select(.cgroup_id == $cg) | .id'); do
    e2e_log "force-detaching bpf link $link from $cgroup"
    bpftool -n link detach id "$link" || true
  done
  while read -r prog type _; do
    [[ -n $prog ]] || continue
    e2e_log "force-detaching bpf program $prog ($type) from $cgroup"
    bpftool -n cgroup detach "$cgroup" "$type" id "$prog" || true
  done < <(e2e_bpf_attached "$cgroup")
}

e2e_bpf_prog_exists() {
  bpftool -n prog show id "$1" >/dev/null 2>&1
}
