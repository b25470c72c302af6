# Loopback networking for tests: bring up lo in a fresh network namespace,
# find a free port, wait for a listener.

e2e_loopback_up() {
  ip link set lo up || e2e_die "cannot bring up lo in the test's network namespace"
}

# e2e_port_listening PORT [IP]: a TCP listener on PORT (bound to IP, if
# given: several mocks share a port on different loopback addresses).
e2e_port_listening() {
  local port=$1 ip=${2:-} filter
  filter="sport = :$port"
  [[ -z $ip ]] || filter="src $ip and $filter"
  [[ -n $(ss -Hltn "$filter" 2>/dev/null) ]]
}

# A TCP port nobody listens on in this namespace, from the ephemeral-free range.
e2e_free_port() {
  local port i
  for ((i = 0; i < 100; i++)); do
    port=$((20000 + RANDOM % 30000))
    e2e_port_listening "$port" || { printf '%s\n' "$port"; return 0; }
  done
  e2e_log "no free TCP port found"
  return 1
}

# e2e_wait_port PORT TIMEOUT_S [PID] [IP]: waits for a TCP listener on PORT
# (and IP); gives up early if PID (the server) exits.
e2e_wait_port() {
  local port=$1 timeout_s=$2 pid=${3:-} ip=${4:-} deadline
  deadline=$(($(date +%s%3N) + timeout_s * 1000))
  while (($(date +%s%3N) < deadline)); do
    e2e_port_listening "$port" "$ip" && return 0
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      e2e_log "pid $pid exited before listening on port $port"
      return 1
    fi
    sleep 0.05
  done
  e2e_log "nothing listens on ${ip:+$ip:}port $port after ${timeout_s}s"
  return 1
}
