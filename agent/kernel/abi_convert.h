// Conversions between the agent's types and the structs shared with the BPF
// programs (bpf/shared/warden_abi.h). Pure functions, so the byte layout the
// kernel sees is unit-tested without loading anything.
#pragma once

#include <linux/types.h>

#include <cstdint>

#include "core/endpoint.h"
#include "core/result.h"
#include "kernel/bpf_redirector.h"
#include "warden_abi.h"

namespace warden::kernel {

// The LPM key for a target: port (network order) first, then the address
// masked to its prefix so equal prefixes give equal keys.
Result<warden_target_key> makeTargetKey(const TargetEntry& entry);
warden_target makeTargetValue(const TargetEntry& entry);

// The key sock_ops writes for a redirected connection, from the client end
// the agent sees in accept().
warden_conn_key makeConnKey(uint64_t netnsCookie, const Endpoint& client);

ConnectionOrigin toConnectionOrigin(const warden_origin& origin);

warden_settings makeSettings(const RedirectorOptions& options, uint64_t netnsCookie);

}  // namespace warden::kernel
