# shellcheck shell=bash disable=SC2154 # constants come from world.sh, paths from the main script
# The measurements: wrk runs with CPU accounting, time to the first streamed
# byte with curl, and the cost of connect() with and without warden's
# programs. Results go into the global associative array R (see report.sh).

# Filled here, read by report.sh: "<path>.<run>.<metric>" -> value.
declare -gA R

# Clients run either in the child cgroup (redirected when wardend is attached)
# or outside it.
in_where() {
  local where=$1
  shift
  if [[ $where == in ]]; then
    "$E2E_LIB_DIR/in_cgroup.sh" "$CG" "$@"
  else
    "$@"
  fi
}

# ticks_of FIELDS PID...: the sum of the named /proc/PID/stat fields
# (utime, stime; clock ticks) of the given pids, threads included.
ticks_of() {
  local wanted=$1 total=0 pid stat fields
  shift
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || e2e_die "pid $pid is gone; its CPU time cannot be measured"
    read -r -a fields <<<"${stat##*) }"
    [[ $wanted == *utime* ]] && total=$((total + fields[11]))
    [[ $wanted == *stime* ]] && total=$((total + fields[12]))
  done
  printf '%s\n' "$total"
}

# All CPU time, and the part spent in the kernel.
cpu_ticks() { ticks_of utime,stime "$@"; }
kernel_ticks() { ticks_of stime "$@"; }

# calc AWK_EXPRESSION [FORMAT]: floating point arithmetic; "nan" on division
# by zero so a broken run shows as such instead of aborting the report.
calc() {
  awk -v fmt="${2:-%.1f}" "BEGIN { x = $1; printf fmt \"\\n\", x }" 2>/dev/null || echo nan
}

# Reads a value written by the wrk script.
wrk_value() {
  sed -n "s/^$2=//p" "$1" | tail -n 1
}

# Connections the upstream has accepted so far (its stub_status, which
# counts its own status requests too: one per reading). wrk adds one plain
# TCP probe connection per run when it talks to the upstream directly.
upstream_accepts() {
  curl -sS --max-time 5 "http://$kUpstreamIp:$kStatusPort/status" | awk 'NR == 3 { print $1 }'
}

# run_wrk LABEL WHERE THREADS CONNECTIONS URL HOP_PIDS
# Stores LABEL.{rps,p50_us,p99_us,requests,errors,hop_cpu_us,hop_kernel_us,
# upstream_cpu_us,upstream_conns}.
# HOP_PIDS: the middle hop whose CPU is charged per request ("" = none).
run_wrk() {
  local label=$1 where=$2 threads=$3 connections=$4 url=$5 hop_pids=$6 out=$OUT/wrk-$1.txt
  local hop_before=0 hop_after=0 hop_kernel_before=0 hop_kernel_after=0 up_before up_after accepts_before requests duration_us rc=0
  # shellcheck disable=SC2086 # pid lists are space separated on purpose
  [[ -n $hop_pids ]] && hop_before=$(cpu_ticks $hop_pids) && hop_kernel_before=$(kernel_ticks $hop_pids)
  # shellcheck disable=SC2086
  up_before=$(cpu_ticks $UPSTREAM_PIDS)
  accepts_before=$(upstream_accepts)
  # Each of the following traces the middle hop during its c32 run, or its c1
  # run with BENCH_TRACE_RUN=c1.
  # BENCH_PROFILE=DIR: a call-graph profile of the middle hop
  # (BENCH_PROFILE_CALLGRAPH=dwarf when the binaries lack frame pointers;
  # BENCH_PROFILE_EVENT=EVENT samples that event instead of CPU time).
  local profiler=
  if [[ -n ${BENCH_PROFILE:-} && -n $hop_pids && $label == *.${BENCH_TRACE_RUN:-c32} ]]; then
    mkdir -p "$BENCH_PROFILE"
    local pid_list
    # shellcheck disable=SC2086 # split the space-separated list
    pid_list=$(printf '%s,' $hop_pids)
    perf record -q ${BENCH_PROFILE_EVENT:+-e "$BENCH_PROFILE_EVENT"} --call-graph "${BENCH_PROFILE_CALLGRAPH:-fp}" \
      -o "$BENCH_PROFILE/${label%.*}.perf.data" -p "${pid_list%,}" -- sleep "$DURATION_S" \
      >/dev/null 2>&1 &
    profiler=$!
  fi
  # BENCH_SYSCALLS=DIR: a count of the middle hop's system calls (strace slows
  # the hop, so that run's other figures are not comparable).
  local tracer=
  if [[ -n ${BENCH_SYSCALLS:-} && -n $hop_pids && $label == *.${BENCH_TRACE_RUN:-c32} ]]; then
    mkdir -p "$BENCH_SYSCALLS"
    local trace_args=()
    # shellcheck disable=SC2086
    for pid in $hop_pids; do trace_args+=(-p "$pid"); done
    strace -f -c -o "$BENCH_SYSCALLS/${label%.*}.strace" "${trace_args[@]}" &
    tracer=$!
    sleep 0.5
  fi
  # BENCH_PERF_EVENTS=LIST: perf stat of those events on the middle hop (e.g. a
  # uprobe on malloc), written to OUT/perf-stat-NAME.txt.
  local counter=
  if [[ -n ${BENCH_PERF_EVENTS:-} && -n $hop_pids && $label == *.${BENCH_TRACE_RUN:-c32} ]]; then
    local pid_csv
    # shellcheck disable=SC2086
    pid_csv=$(printf '%s,' $hop_pids)
    perf stat -x, -e "$BENCH_PERF_EVENTS" -o "$OUT/perf-stat-${label%.*}.txt" -p "${pid_csv%,}" -- sleep "$DURATION_S" &
    counter=$!
  fi
  in_where "$where" timeout -k 5 $((DURATION_S + 30)) \
    wrk -t"$threads" -c"$connections" -d"${DURATION_S}s" --timeout 5s --latency -s "$BENCH_DIR/chat_post.lua" "$url" \
    >"$out" 2>&1 || rc=$?
  [[ -z $profiler ]] || wait "$profiler" || e2e_log "perf record for $label failed (exit $?)"
  [[ -z $counter ]] || wait "$counter" || e2e_log "perf stat for $label failed (exit $?)"
  if [[ -n $tracer ]]; then
    kill -INT "$tracer" 2>/dev/null
    wait "$tracer" || true
  fi
  # shellcheck disable=SC2086
  [[ -n $hop_pids ]] && hop_after=$(cpu_ticks $hop_pids) && hop_kernel_after=$(kernel_ticks $hop_pids)
  # shellcheck disable=SC2086
  up_after=$(cpu_ticks $UPSTREAM_PIDS)
  R[$label.upstream_conns]=$(($(upstream_accepts) - accepts_before - 1))
  ((rc == 0)) || e2e_die "wrk ($label) failed with exit $rc: $(tail -n 5 "$out")"
  requests=$(wrk_value "$out" wrk_requests)
  duration_us=$(wrk_value "$out" wrk_duration_us)
  [[ -n $requests && $requests -gt 0 ]] || e2e_die "wrk ($label) completed no request: $(tail -n 5 "$out")"
  R[$label.requests]=$requests
  R[$label.rps]=$(calc "$requests * 1000000 / $duration_us" %.0f)
  R[$label.p50_us]=$(wrk_value "$out" wrk_p50_us)
  R[$label.p99_us]=$(wrk_value "$out" wrk_p99_us)
  R[$label.errors]=$(($(wrk_value "$out" wrk_errors_status) + $(wrk_value "$out" wrk_errors_socket)))
  R[$label.upstream_cpu_us]=$(calc "($up_after - $up_before) * 1000000 / $CLK_TCK / $requests")
  if [[ -n $hop_pids ]]; then
    R[$label.hop_cpu_us]=$(calc "($hop_after - $hop_before) * 1000000 / $CLK_TCK / $requests")
    R[$label.hop_kernel_us]=$(calc "($hop_kernel_after - $hop_kernel_before) * 1000000 / $CLK_TCK / $requests")
  else
    R[$label.hop_cpu_us]=-
    R[$label.hop_kernel_us]=-
  fi
  e2e_log "$label: ${R[$label.rps]} req/s, p50 ${R[$label.p50_us]} us, p99 ${R[$label.p99_us]} us, errors ${R[$label.errors]}, hop CPU ${R[$label.hop_cpu_us]} us/req (kernel ${R[$label.hop_kernel_us]}), ${R[$label.upstream_conns]} upstream connection(s)"
  [[ ${R[$label.errors]} -eq 0 ]] || e2e_log "WARNING: $label had ${R[$label.errors]} failed requests (see $out)"
}

# measure_path NAME WHERE URL HOP_PIDS: warm-up, then concurrency 1 and 32.
measure_path() {
  local name=$1 where=$2 url=$3 hop_pids=$4
  e2e_log "path $name: warm-up ${WARMUP_S}s, then ${DURATION_S}s at c1 and at c32 ($url)"
  DURATION_S=$WARMUP_S run_wrk "$name.warmup" "$where" 2 32 "$url" "$hop_pids"
  run_wrk "$name.c1" "$where" 1 1 "$url" "$hop_pids"
  run_wrk "$name.c32" "$where" 2 32 "$url" "$hop_pids"
  R[$name.errors]=$((${R[$name.c1.errors]} + ${R[$name.c32.errors]}))
  R[$name.measured_requests]=$((${R[$name.c1.requests]} + ${R[$name.c32.requests]}))
  R[$name.all_requests]=$((${R[$name.warmup.requests]} + ${R[$name.measured_requests]}))
}

# curl_chat NAME WHERE CAFILE URL: one request, body in $OUT/NAME.body.
curl_chat() {
  local name=$1 where=$2 cafile=$3 url=$4
  in_where "$where" curl -sS --fail-with-body --max-time 10 --cacert "$cafile" -H 'content-type: application/json' \
    -H 'authorization: Bearer sk-bench' --data-binary "@$REQ/chat.json" -o "$OUT/$name.body" "$url" \
    2>"$OUT/$name.err" || e2e_die "curl $name failed: $(cat "$OUT/$name.err") $(head -c 300 "$OUT/$name.body" 2>/dev/null)"
}

# Who presents the certificate for the API host at the upstream address,
# seen from WHERE.
issuer_seen_from() {
  in_where "$1" openssl s_client -connect "$kUpstreamIp:$kUpstreamPort" -servername "$kApiHost" \
    -nameopt oneline </dev/null 2>/dev/null | sed -n 's/^issuer=//p' | head -n 1
}

check_reference_paths() {
  curl_chat sanity-direct out "$TEST_CA" "https://$kApiHost/v1/chat/completions"
  curl_chat sanity-nginx out "$TEST_CA" "https://$kProxyHost/v1/chat/completions"
  cmp -s "$OUT/sanity-direct.body" "$OUT/sanity-nginx.body" ||
    e2e_die "the nginx proxy answers differently from the upstream"
  jq -e '.object == "chat.completion"' "$OUT/sanity-direct.body" >/dev/null ||
    e2e_die "the upstream's answer is not a chat completion: $(head -c 300 "$OUT/sanity-direct.body")"
}

# Warden's numbers only mean something if the connections were intercepted.
check_warden_path() {
  local issuer
  issuer=$(issuer_seen_from in)
  [[ $issuer == "$WARDEN_CA_SUBJECT" ]] ||
    e2e_die "inside the cgroup $kApiHost is served by '$issuer', not by warden ('$WARDEN_CA_SUBJECT'): no interception"
  curl_chat sanity-warden in "$BUNDLE" "https://$kApiHost/v1/chat/completions"
  cmp -s "$OUT/sanity-direct.body" "$OUT/sanity-warden.body" ||
    e2e_die "warden's answer differs from the upstream's: $(head -c 300 "$OUT/sanity-warden.body")"
}

events_logged() {
  cat "$SPOOL"/events-*.jsonl 2>/dev/null | wc -l
}

# percentile FILE P: nearest-rank percentile of the numbers in FILE (median
# of an even count: mean of the two middle values).
percentile() {
  sort -g "$1" | awk -v p="$2" '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan"; exit }
    if (p == 50 && NR % 2 == 0) { printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2; exit }
    r = int((p / 100) * NR); if (r < (p / 100) * NR) r++; if (r < 1) r = 1
    printf "%.3f\n", v[r] }'
}

# ttfb NAME WHERE CAFILE: time to the first streamed byte (ms), TTFB_RUNS
# times, each a new curl (new connection and handshake); then one curl
# sending TTFB_RUNS requests over one kept-alive connection.
ttfb() {
  local name=$1 where=$2 cafile=$3 i line url="https://$kApiHost:$kSsePort/v1/chat/completions"
  # No "Expect: 100-continue" (curl adds it to large POSTs; SDKs do not).
  local args=(curl -sS -N --max-time 10 --cacert "$cafile" -H 'content-type: application/json'
    -H 'authorization: Bearer sk-bench' -H 'Expect:' --data-binary "@$REQ/stream.json")
  : >"$OUT/ttfb-$name-cold.ms"
  : >"$OUT/ttfb-$name-handshake.ms"
  for ((i = 0; i < TTFB_RUNS; i++)); do
    line=$(in_where "$where" "${args[@]}" -o /dev/null -w '%{http_code} %{time_starttransfer} %{time_appconnect}\n' \
      "$url" 2>>"$OUT/ttfb-$name.err") || e2e_die "streaming curl ($name) failed: $(tail -n 3 "$OUT/ttfb-$name.err")"
    [[ $line == 200\ * ]] || e2e_die "streaming curl ($name) got HTTP ${line%% *}"
    awk '{ printf "%.3f\n", $2 * 1000 }' <<<"$line" >>"$OUT/ttfb-$name-cold.ms"
    awk '{ printf "%.3f\n", $3 * 1000 }' <<<"$line" >>"$OUT/ttfb-$name-handshake.ms"
  done
  R[ttfb.$name.handshake.p50_ms]=$(percentile "$OUT/ttfb-$name-handshake.ms" 50)
  local urls=()
  # -o applies to one URL only: repeat it, or later bodies land in the -w output.
  for ((i = 0; i < TTFB_RUNS; i++)); do urls+=(-o /dev/null "$url"); done
  in_where "$where" "${args[@]}" -w '%{http_code} %{num_connects} %{time_starttransfer}\n' "${urls[@]}" \
    >"$OUT/ttfb-$name-warm.raw" 2>>"$OUT/ttfb-$name.err" ||
    e2e_die "keep-alive streaming curl ($name) failed: $(tail -n 3 "$OUT/ttfb-$name.err")"
  [[ $(awk '$1 != 200' "$OUT/ttfb-$name-warm.raw" | wc -l) -eq 0 ]] ||
    e2e_die "keep-alive streaming curl ($name) got non-200 answers: $(sort "$OUT/ttfb-$name-warm.raw" | uniq -c | head -n 3)"
  # The first request opens the connection; the rest measure the warm path.
  awk 'NR > 1 { printf "%.3f\n", $3 * 1000 }' "$OUT/ttfb-$name-warm.raw" >"$OUT/ttfb-$name-warm.ms"
  R[ttfb.$name.warm_connects]=$(awk '{ n += $2 } END { print n }' "$OUT/ttfb-$name-warm.raw")
  local kind
  for kind in cold warm; do
    R[ttfb.$name.$kind.p50_ms]=$(percentile "$OUT/ttfb-$name-$kind.ms" 50)
    R[ttfb.$name.$kind.p90_ms]=$(percentile "$OUT/ttfb-$name-$kind.ms" 90)
  done
  e2e_log "ttfb $name: new connection p50 ${R[ttfb.$name.cold.p50_ms]} ms, keep-alive p50 ${R[ttfb.$name.warm.p50_ms]} ms (${R[ttfb.$name.warm_connects]} connection(s) for $TTFB_RUNS requests)"
}

# stream_throughput NAME WHERE CAFILE: MB/s of one long event stream
# (STREAM_EVENTS events, ~190 bytes each) read as fast as curl takes it;
# median of STREAM_RUNS runs.
stream_throughput() {
  local name=$1 where=$2 cafile=$3 i line url="https://$kApiHost:$kSsePort/v1/chat/completions?bulk=$STREAM_EVENTS"
  local args=(curl -sS -N --max-time 60 --cacert "$cafile" -H 'content-type: application/json'
    -H 'authorization: Bearer sk-bench' -H 'Expect:' --data-binary "@$REQ/stream.json")
  : >"$OUT/stream-$name.mbps"
  for ((i = 0; i < STREAM_RUNS; i++)); do
    line=$(in_where "$where" "${args[@]}" -o /dev/null -w '%{http_code} %{size_download} %{time_total} %{time_starttransfer}\n' \
      "$url" 2>>"$OUT/stream-$name.err") || e2e_die "long stream curl ($name) failed: $(tail -n 3 "$OUT/stream-$name.err")"
    [[ $line == 200\ * ]] || e2e_die "long stream curl ($name) got HTTP ${line%% *}"
    awk '{ printf "%.1f\n", $2 / ($3 - $4) / 1e6 }' <<<"$line" >>"$OUT/stream-$name.mbps"
    R[stream.$name.bytes]=$(awk '{ print $2 }' <<<"$line")
  done
  R[stream.$name.mb_s]=$(percentile "$OUT/stream-$name.mbps" 50)
  e2e_log "long stream $name: ${R[stream.$name.bytes]} bytes at ${R[stream.$name.mb_s]} MB/s (median of $STREAM_RUNS)"
}

# connect_cost LABEL: CPU ns per connect() to a non-target loopback port,
# from inside the child cgroup; median of CONNECT_ROUNDS rounds.
connect_cost() {
  local label=$1 out=$OUT/connect-$1.txt field
  in_where in "$CONNECT_COST" -n "$CONNECT_CALLS" -r "$CONNECT_ROUNDS" -a 127.0.0.1 >"$out" 2>&1 ||
    e2e_die "connect_cost ($label) failed: $(tail -n 3 "$out")"
  for field in connect_cpu_ns connect_wall_ns loop_cpu_ns; do
    sed -n "s/.* $field=\([0-9]*\).*/\1/p" "$out" >"$out.$field"
    R[connect.$label.$field]=$(percentile "$out.$field" 50 | awk '{ printf "%.0f\n", $1 }')
  done
  e2e_log "connect() $label: ${R[connect.$label.connect_cpu_ns]} ns CPU per call (wall ${R[connect.$label.connect_wall_ns]} ns; socket+connect+close ${R[connect.$label.loop_cpu_ns]} ns CPU)"
}
