# Loads every e2e helper. Usage from a test: source "$REPO/tests/e2e/lib/e2e.sh"
E2E_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
source "$E2E_LIB_DIR/common.sh"
# shellcheck source=procs.sh
source "$E2E_LIB_DIR/procs.sh"
# shellcheck source=cgroup.sh
source "$E2E_LIB_DIR/cgroup.sh"
# shellcheck source=mounts.sh
source "$E2E_LIB_DIR/mounts.sh"
# shellcheck source=net.sh
source "$E2E_LIB_DIR/net.sh"
# shellcheck source=pki.sh
source "$E2E_LIB_DIR/pki.sh"
# shellcheck source=bpf.sh
source "$E2E_LIB_DIR/bpf.sh"
# shellcheck source=outer.sh
source "$E2E_LIB_DIR/outer.sh"
