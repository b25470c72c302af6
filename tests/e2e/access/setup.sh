# The access test's world: names, PKI, the mock upstream, the cgroups of the
# three workloads, the policy and secrets, and wardend.

readonly kApiHost=api.openai.com
readonly kOtherApiHost=api.anthropic.com
readonly kUpstreamIp=127.0.0.2
readonly kUpstreamPort=443
readonly kNobody=65534
# The real key only the agent holds; the bot has the placeholder.
readonly kRealKey=sk-e2e-real-key-0123456789
readonly kPlaceholder=warden:openai-prod
# Both API hosts are intercepted; ::1 is a target too, so IPv6 is redirected.
readonly WARDEND_TARGETS="targets:
  hosts: [{name: $kApiHost, resolve: false}, {name: $kOtherApiHost, resolve: false}]
  addresses: [{cidr: $kUpstreamIp/32, port: $kUpstreamPort}, {cidr: '::1/128', port: $kUpstreamPort}]"

setup_namespace() {
  e2e_scenario_namespace "$kUpstreamIp $kApiHost $kOtherApiHost"
}

setup_pki() {
  e2e_scenario_pki "warden e2e access CA $$" "$kApiHost" "$kOtherApiHost"
}

start_upstream() {
  mkdir -p "$WORK/upstream"
  : >"$RECORD"
  e2e_scenario_mock upstream mock_upstream.js "$kUpstreamIp" "$kUpstreamPort" --cert-dir "$PKI" \
    --names "$kApiHost,$kOtherApiHost" --chunk-delay-ms 10
}

# $CG is where wardend attaches; the workloads live in children of it, as
# services live below a slice.
setup_cgroups() {
  e2e_scenario_cgroup e2e_wardend_check_detached f "cleanup: "
  BOT_CG=$CG/bot.service
  CODER_CG=$CG/coder.service
  AGENT_CG=$CG/agent.service
  mkdir "$BOT_CG" "$CODER_CG" "$AGENT_CG"
  e2e_defer e2e_cgroup_remove "$BOT_CG"
  e2e_defer e2e_cgroup_remove "$CODER_CG"
  e2e_defer e2e_cgroup_remove "$AGENT_CG"
  BOT_UNIT=$(basename "$CG")/bot.service
  CODER_UNIT=$(basename "$CG")/coder.service
  AGENT_UNIT=$(basename "$CG")/agent.service
}

# policy_text [EXTRA_RULES]: the test's policy; EXTRA_RULES (YAML list items
# indented four spaces) are tried before the others.
policy_text() {
  cat <<POLICY_END
apiVersion: warden.dev/v1
kind: AccessPolicy
metadata: {name: e2e-access}
spec:
  mode: enforce
  rules:
${1:-}
    - id: bot-may-chat-mini
      match: {unit: ["$BOT_UNIT"], user: [root], model: [gpt-4o-mini]}
      action: allow
    - id: coder-denied
      match: {unit: ["$CODER_UNIT"]}
      action: deny
      reason: the coder workload may not call LLM APIs
  default: {action: deny, reason: no rule admits this workload}
  budgets:
    - id: bot-daily
      match: {unit: ["$BOT_UNIT"]}
      requestsPerDay: 4
  keys:
    - id: openai-brokered
      provider: openai
      sha256: "$(printf '%s' "$kRealKey" | sha256sum | cut -d' ' -f1)"
      allow: {unit: ["$BOT_UNIT"]}
      broker: {secret: openai-prod}
POLICY_END
}

write_policy() {
  POLICY_DIR=$WORK/policies.d
  mkdir -p "$POLICY_DIR"
  policy_text >"$POLICY_DIR/10-access.yaml"
  SECRETS=$WORK/secrets.yaml
  (umask 077 && printf 'secrets:\n  openai-prod: "%s"\n' "$kRealKey" >"$SECRETS")
}

start_wardend() {
  local masking
  masking=$(cd "$HERE/../../../policies/masking" && pwd)
  e2e_wardend_start open \
    "access: {policy_dirs: [$POLICY_DIR], secrets_file: $SECRETS, masking_rules_dir: $masking}" && return 0
  tail -n 40 "$WARDEND_LOG" >&2 || true
  e2e_die "wardend did not become ready within 15 s"
}

# sdk NAME CGROUP USER MODEL KEY [PROMPT]: the openai SDK (access_client.js)
# in CGROUP.
sdk() {
  local name=$1 cgroup=$2 user=$3 model=$4 key=$5 cmd=()
  [[ $user == nobody ]] && cmd+=(setpriv --reuid "$kNobody" --regid "$kNobody" --clear-groups)
  cmd+=(env NODE_EXTRA_CA_CERTS="$BUNDLE" node "$NODE_DIR/access_client.js" "$model" "$key" "${@:6}")
  CG=$cgroup e2e_run_client "$name" in 20 "${cmd[@]}"
}

# as_coder NAME COMMAND...: any command from the coder's cgroup, as nobody.
as_coder() {
  local name=$1
  shift
  CG=$CODER_CG e2e_run_client "$name" in 15 setpriv --reuid "$kNobody" --regid "$kNobody" --clear-groups "$@"
}
