#!/usr/bin/env bash
# Installs the Debian 12 packages warden needs to build, run and test.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "install-deps.sh: run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3; do
  apt-get update && break
  echo "apt-get update failed (attempt $attempt); retrying" >&2
  sleep 5
done
apt-get install -y --no-install-recommends \
  build-essential cmake pkg-config clang llvm \
  libbpf-dev bpftool libelf-dev zlib1g-dev libmnl-dev \
  libssl-dev openssl ca-certificates \
  nlohmann-json3-dev libspdlog-dev libfmt-dev libyaml-cpp-dev libboost1.81-dev \
  libbrotli-dev libzstd-dev libsimdjson-dev libicu-dev libvectorscan-dev \
  libgtest-dev libgmock-dev libclang-rt-14-dev \
  rsyslog rsyslog-openssl \
  iproute2 util-linux curl procps jq nginx-light wrk
# The end-to-end tests drive real SDKs from npm. Keep a Node that is already
# installed (it may come with its own npm); install Debian's otherwise.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt-get install -y --no-install-recommends nodejs npm
fi
