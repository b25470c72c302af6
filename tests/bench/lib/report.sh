# shellcheck shell=bash disable=SC2154 # constants and R come from world.sh and measure.sh
# The report: a table for people and a key=value block for the README, both
# from the global array R filled by measure.sh.

# ratio A B: A/B with two decimals, "-" when either is not a positive number.
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a !~ /^-?[0-9.]+$/ || b !~ /^-?[0-9.]+$/ || b + 0 == 0) { print "-"; exit }
    printf "%.2f\n", a / b }'
}

# pass_if EXPR: "pass" or "fail" from an awk condition.
pass_if() {
  awk "BEGIN { if ($1) print \"pass\"; else print \"fail\" }" 2>/dev/null || echo fail
}

row() {
  printf '  %-34s %10s %10s %10s %9s %9s %9s\n' "$@"
}

# metric_row TITLE KEY: one metric on the three paths with its ratios.
metric_row() {
  local title=$1 key=$2 d n w
  d=${R[direct.$key]} n=${R[nginx.$key]} w=${R[warden.$key]}
  row "$title" "$d" "$n" "$w" "$(ratio "$n" "$d")" "$(ratio "$w" "$d")" "$(ratio "$w" "$n")"
}

derive_results() {
  local k
  R[added.nginx_us]=$((${R[nginx.c1.p50_us]} - ${R[direct.c1.p50_us]}))
  R[added.warden_us]=$((${R[warden.c1.p50_us]} - ${R[direct.c1.p50_us]}))
  R[added.ratio]=$(ratio "${R[added.warden_us]}" "${R[added.nginx_us]}")
  R[target.added_p50]=$(pass_if "${R[added.warden_us]} <= 2 * ${R[added.nginx_us]}")
  R[target.c32_rps]=$(pass_if "${R[warden.c32.rps]} >= 0.8 * ${R[nginx.c32.rps]}")
  for k in cold warm; do
    R[ttfb.diff.$k.p50_ms]=$(calc "${R[ttfb.warden.$k.p50_ms]} - ${R[ttfb.direct.$k.p50_ms]}" %.3f)
    R[ttfb.diff.$k.p90_ms]=$(calc "${R[ttfb.warden.$k.p90_ms]} - ${R[ttfb.direct.$k.p90_ms]}" %.3f)
  done
  local f
  for f in connect_cpu_ns connect_wall_ns; do
    R[connect.detached.$f]=$(calc "(${R[connect.detached_before.$f]} + ${R[connect.detached_after.$f]}) / 2" %.0f)
    R[connect.added.$f]=$(calc "${R[connect.attached.$f]} - ${R[connect.detached.$f]}" %.0f)
  done
  R[connect.added_ns]=${R[connect.added.connect_cpu_ns]}
  # How far apart the two detached runs are: the noise floor of the difference.
  R[connect.detached_spread_ns]=$(calc "${R[connect.detached_after.connect_cpu_ns]} - ${R[connect.detached_before.connect_cpu_ns]}" %.0f)
  R[target.connect]=$(pass_if "${R[connect.added_ns]} < 1000")
}

print_table() {
  local cpu_ref_c1=${R[direct.c1.upstream_cpu_us]} cpu_ref_c32=${R[direct.c32.upstream_cpu_us]}
  printf '\nwarden interception benchmark: %s-byte POST /v1/chat/completions, HTTP/1.1 keep-alive over TLS, loopback\n' "$kBodyBytes"
  printf 'wrk %ss per run (after a %ss warm-up); kernel %s; %s CPU(s)\n' "$DURATION_S" "$WARMUP_S" "$(uname -r)" "$(nproc)"
  printf 'note: wrk, both nginx instances (2 workers each) and wardend (2 workers) share these CPUs; nothing is\n'
  printf '      pinned, so c32 throughput is bounded by the whole machine, and figures vary from run to run.\n'
  printf 'paths: direct = client -> upstream nginx; nginx = client -> nginx TLS proxy (proxy_pass https,\n'
  printf '       keepalive, verify) -> upstream; warden = client in the child cgroup -> BPF redirect -> wardend -> upstream\n\n'
  row "" direct nginx warden nginx/dir warden/dir warden/ngx
  metric_row "p50 latency c1 (us)" c1.p50_us
  metric_row "p99 latency c1 (us)" c1.p99_us
  metric_row "requests/s c1" c1.rps
  metric_row "requests/s c32" c32.rps
  row "added p50 c1 (us, path - direct)" 0 "${R[added.nginx_us]}" "${R[added.warden_us]}" - - "${R[added.ratio]}"
  row "middle-hop CPU per request c1 (us)" - "${R[nginx.c1.hop_cpu_us]}" "${R[warden.c1.hop_cpu_us]}" \
    "$(ratio "${R[nginx.c1.hop_cpu_us]}" "$cpu_ref_c1")" "$(ratio "${R[warden.c1.hop_cpu_us]}" "$cpu_ref_c1")" \
    "$(ratio "${R[warden.c1.hop_cpu_us]}" "${R[nginx.c1.hop_cpu_us]}")"
  row "middle-hop CPU per request c32 (us)" - "${R[nginx.c32.hop_cpu_us]}" "${R[warden.c32.hop_cpu_us]}" \
    "$(ratio "${R[nginx.c32.hop_cpu_us]}" "$cpu_ref_c32")" "$(ratio "${R[warden.c32.hop_cpu_us]}" "$cpu_ref_c32")" \
    "$(ratio "${R[warden.c32.hop_cpu_us]}" "${R[nginx.c32.hop_cpu_us]}")"
  metric_row "upstream CPU per request c32 (us)" c32.upstream_cpu_us
  metric_row "upstream connections opened c1" c1.upstream_conns
  metric_row "upstream connections opened c32" c32.upstream_conns
  metric_row "failed requests c1+c32" errors
  printf '  (middle-hop CPU: utime+stime of wardend / of the nginx proxy'"'"'s processes over the run, per request;\n'
  printf '   its "/dir" ratio compares it with the upstream'"'"'s own CPU per request on the direct path)\n'
  printf '  warden events logged during its runs (warm-up included): %s for %s requests\n\n' \
    "${R[warden.events]}" "${R[warden.all_requests]}"

  printf 'targets (informative, not an exit status):\n'
  printf '  warden added p50 <= 2x nginx added p50: %s us vs 2 x %s us -> %s\n' \
    "${R[added.warden_us]}" "${R[added.nginx_us]}" "${R[target.added_p50]^^}"
  printf '  warden requests/s at c32 >= 0.8x nginx: %s vs 0.8 x %s -> %s\n\n' \
    "${R[warden.c32.rps]}" "${R[nginx.c32.rps]}" "${R[target.c32_rps]^^}"

  printf 'time to first streamed byte (curl time_starttransfer, SSE upstream sends its first event at once, %s runs)\n' "$TTFB_RUNS"
  printf '  %-40s %10s %10s %10s\n' "" "direct ms" "warden ms" "diff ms"
  printf '  %-40s %10s %10s %10s\n' "new connection per request, median" "${R[ttfb.direct.cold.p50_ms]}" \
    "${R[ttfb.warden.cold.p50_ms]}" "${R[ttfb.diff.cold.p50_ms]}"
  printf '  %-40s %10s %10s %10s\n' "new connection per request, p90" "${R[ttfb.direct.cold.p90_ms]}" \
    "${R[ttfb.warden.cold.p90_ms]}" "${R[ttfb.diff.cold.p90_ms]}"
  printf '  %-40s %10s %10s %10s\n' "  of which TLS handshake done, median" "${R[ttfb.direct.handshake.p50_ms]}" \
    "${R[ttfb.warden.handshake.p50_ms]}" "$(calc "${R[ttfb.warden.handshake.p50_ms]} - ${R[ttfb.direct.handshake.p50_ms]}" %.3f)"
  printf '  %-40s %10s %10s %10s\n' "one kept-alive connection, median" "${R[ttfb.direct.warm.p50_ms]}" \
    "${R[ttfb.warden.warm.p50_ms]}" "${R[ttfb.diff.warm.p50_ms]}"
  printf '  %-40s %10s %10s %10s\n' "one kept-alive connection, p90" "${R[ttfb.direct.warm.p90_ms]}" \
    "${R[ttfb.warden.warm.p90_ms]}" "${R[ttfb.diff.warm.p90_ms]}"
  printf '  (new connection: curl'"'"'s own TLS setup and the handshake with whoever terminates TLS, the node\n'
  printf '   upstream or wardend, dominate; kept-alive: requests 2..%s on one connection, connections opened:\n' "$TTFB_RUNS"
  printf '   direct %s, warden %s)\n\n' \
    "${R[ttfb.direct.warm_connects]}" "${R[ttfb.warden.warm_connects]}"

  printf 'relay throughput of one long event stream (%s bytes, %s events, read as fast as curl takes them; median of %s)\n' \
    "${R[stream.direct.bytes]}" "$STREAM_EVENTS" "$STREAM_RUNS"
  printf '  %-40s %10s %10s %10s\n' "" "direct" "warden" "ratio"
  printf '  %-40s %10s %10s %10s\n\n' "MB/s after the first byte" "${R[stream.direct.mb_s]}" "${R[stream.warden.mb_s]}" \
    "$(ratio "${R[stream.warden.mb_s]}" "${R[stream.direct.mb_s]}")"

  printf 'connect() to a non-target loopback port from inside the child cgroup (%s non-blocking calls x %s round(s))\n' \
    "$CONNECT_CALLS" "$CONNECT_ROUNDS"
  printf '  %-36s %14s %14s %20s\n' "" "CPU ns/call" "wall ns/call" "sock+conn+close CPU"
  connect_row "programs detached, before wardend" detached_before
  connect_row "programs attached, wardend running" attached
  connect_row "programs detached, wardend stopped" detached_after
  printf '  %-36s %14s %14s\n' "added by warden (attached - detached)" "${R[connect.added.connect_cpu_ns]}" \
    "${R[connect.added.connect_wall_ns]}"
  printf '  (CPU: the thread'"'"'s CPU time inside connect(); wall time also counts waiting for a shared CPU;\n'
  printf '   noise floor: the two detached runs differ by %s ns)\n' "${R[connect.detached_spread_ns]}"
  printf '  target: < 1000 ns added CPU per connect() -> %s\n\n' "${R[target.connect]^^}"
}

connect_row() {
  printf '  %-36s %14s %14s %20s\n' "$1" "${R[connect.$2.connect_cpu_ns]}" "${R[connect.$2.connect_wall_ns]}" \
    "${R[connect.$2.loop_cpu_ns]}"
}

# Stable names for the README; one key=value per line between the markers.
print_machine_block() {
  local p c
  printf -- '--- warden-bench results (key=value) ---\n'
  printf 'body_bytes=%s\nduration_s=%s\ncpus=%s\nkernel=%s\n' "$kBodyBytes" "$DURATION_S" "$(nproc)" "$(uname -r)"
  for p in direct nginx warden; do
    printf '%s_c1_p50_us=%s\n%s_c1_p99_us=%s\n' "$p" "${R[$p.c1.p50_us]}" "$p" "${R[$p.c1.p99_us]}"
    printf '%s_c1_rps=%s\n%s_c32_rps=%s\n' "$p" "${R[$p.c1.rps]}" "$p" "${R[$p.c32.rps]}"
    printf '%s_failed_requests=%s\n' "$p" "${R[$p.errors]}"
    for c in c1 c32; do
      printf '%s_%s_upstream_cpu_us_per_req=%s\n' "$p" "$c" "${R[$p.$c.upstream_cpu_us]}"
      printf '%s_%s_upstream_connections=%s\n' "$p" "$c" "${R[$p.$c.upstream_conns]}"
    done
  done
  for p in nginx warden; do
    for c in c1 c32; do
      printf '%s_%s_hop_cpu_us_per_req=%s\n' "$p" "$c" "${R[$p.$c.hop_cpu_us]}"
      printf '%s_%s_hop_kernel_us_per_req=%s\n' "$p" "$c" "${R[$p.$c.hop_kernel_us]}"
    done
  done
  for c in c1.p50_us c1.p99_us c1.rps c32.rps; do
    printf 'ratio_warden_direct_%s=%s\n' "${c//./_}" "$(ratio "${R[warden.$c]}" "${R[direct.$c]}")"
    printf 'ratio_warden_nginx_%s=%s\n' "${c//./_}" "$(ratio "${R[warden.$c]}" "${R[nginx.$c]}")"
    printf 'ratio_nginx_direct_%s=%s\n' "${c//./_}" "$(ratio "${R[nginx.$c]}" "${R[direct.$c]}")"
  done
  for c in c1 c32; do
    printf 'ratio_warden_nginx_%s_hop_cpu=%s\n' "$c" "$(ratio "${R[warden.$c.hop_cpu_us]}" "${R[nginx.$c.hop_cpu_us]}")"
    printf 'ratio_warden_direct_%s_cpu=%s\n' "$c" "$(ratio "${R[warden.$c.hop_cpu_us]}" "${R[direct.$c.upstream_cpu_us]}")"
  done
  printf 'nginx_added_p50_us=%s\nwarden_added_p50_us=%s\nratio_added_p50_warden_nginx=%s\n' \
    "${R[added.nginx_us]}" "${R[added.warden_us]}" "${R[added.ratio]}"
  printf 'target_added_p50_le_2x_nginx=%s\ntarget_c32_rps_ge_0_8x_nginx=%s\n' "${R[target.added_p50]}" "${R[target.c32_rps]}"
  printf 'warden_events_logged=%s\nwarden_requests_sent=%s\n' "${R[warden.events]}" "${R[warden.all_requests]}"
  printf 'ttfb_runs=%s\n' "$TTFB_RUNS"
  printf 'ttfb_direct_handshake_p50_ms=%s\nttfb_warden_handshake_p50_ms=%s\n' "${R[ttfb.direct.handshake.p50_ms]}" \
    "${R[ttfb.warden.handshake.p50_ms]}"
  for p in direct warden diff; do
    for c in cold warm; do
      printf 'ttfb_%s_%s_p50_ms=%s\nttfb_%s_%s_p90_ms=%s\n' "$p" "$c" "${R[ttfb.$p.$c.p50_ms]}" "$p" "$c" "${R[ttfb.$p.$c.p90_ms]}"
    done
  done
  printf 'stream_bytes=%s\nstream_direct_mb_s=%s\nstream_warden_mb_s=%s\nratio_stream_warden_direct=%s\n' \
    "${R[stream.direct.bytes]}" "${R[stream.direct.mb_s]}" "${R[stream.warden.mb_s]}" \
    "$(ratio "${R[stream.warden.mb_s]}" "${R[stream.direct.mb_s]}")"
  printf 'connect_calls=%s\n' "$CONNECT_CALLS"
  for p in detached_before attached detached_after added; do
    printf 'connect_%s_cpu_ns=%s\nconnect_%s_wall_ns=%s\n' "$p" "${R[connect.$p.connect_cpu_ns]}" \
      "$p" "${R[connect.$p.connect_wall_ns]}"
  done
  printf 'connect_detached_spread_cpu_ns=%s\n' "${R[connect.detached_spread_ns]}"
  printf 'target_connect_added_lt_1us=%s\n' "${R[target.connect]}"
  printf -- '--- end ---\n'
}
