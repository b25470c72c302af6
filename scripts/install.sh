#!/usr/bin/env bash
# Quick start: install dependencies, build, install and start wardend on this
# host with the default configuration (attached to the cgroup v2 root, so every
# workload's LLM API connections go through it; fail-open).
#
#   sudo ./scripts/install.sh            # everything
#   DESTDIR=/tmp/stage ./scripts/install.sh --no-start   # stage files only
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
start=1
for arg in "$@"; do
  case "$arg" in
    --no-start) start=0 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
dest=${DESTDIR:-}
[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (wardend loads BPF programs)" >&2; exit 1; }

if [ -z "$dest" ]; then "$root/scripts/install-deps.sh"; fi
cmake -S "$root" -B "$root/build-release" -DCMAKE_BUILD_TYPE=Release -DWARDEN_BUILD_TESTS=OFF
cmake --build "$root/build-release" -j"$(nproc)"

install -D -m 0755 "$root/build-release/agent/wardend" "$dest/usr/local/sbin/wardend"
install -D -m 0755 "$root/build-release/cli/wardenctl" "$dest/usr/local/bin/wardenctl"
install -d -m 0755 "$dest/etc/warden/policies.d"
# Rule packs and models the validation layer loads at start (config
# validation:), and layer 3's shipped access policy and masking rules
# (config access:).
for dir in rules models access masking; do
  install -d -m 0755 "$dest/usr/local/share/warden/$dir"
done
install -m 0644 "$root"/policies/rules/*.yaml "$dest/usr/local/share/warden/rules/"
install -m 0644 "$root"/policies/models/*.model "$dest/usr/local/share/warden/models/"
install -m 0644 "$root"/policies/access/*.yaml "$dest/usr/local/share/warden/access/"
install -m 0644 "$root"/policies/masking/*.yaml "$dest/usr/local/share/warden/masking/"
if [ ! -e "$dest/etc/warden/warden.yaml" ]; then
  install -m 0644 "$root/packaging/config/warden.yaml" "$dest/etc/warden/warden.yaml"
fi
install -D -m 0644 "$root/packaging/systemd/wardend.service" "$dest/etc/systemd/system/wardend.service"
install -d -m 0700 "$dest/var/lib/warden"
install -d -m 0755 "$dest/var/log/warden"

[ "$start" -eq 1 ] && [ -z "$dest" ] || { echo "installed under ${dest:-/}; not started"; exit 0; }

if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now wardend
else
  # No systemd as PID 1 (containers, some VMs): run it in the background.
  install -d -m 0755 /run/warden
  setsid /usr/local/sbin/wardend --config /etc/warden/warden.yaml >>/var/log/warden/wardend.log 2>&1 < /dev/null &
  echo $! > /run/warden/wardend.pid
  echo "wardend started as pid $(cat /run/warden/wardend.pid) (log: /var/log/warden/wardend.log;"
  echo "stop with: kill \$(cat /run/warden/wardend.pid))"
fi
for _ in $(seq 1 50); do
  [ -S /run/warden/control.sock ] && break
  sleep 0.2
done
/usr/local/bin/wardenctl status || { echo "wardend did not come up; see /var/log/warden/wardend.log" >&2; exit 1; }
echo "Clients must trust warden's CA: wardenctl ca export > warden-ca.crt (see README, 'Trusting the CA')."
