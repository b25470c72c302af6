// Turns "the target map should now hold exactly these entries" into the
// smallest set of map updates, so a refresh never empties the map (which would
// let connects slip past the agent for a moment).
#pragma once

#include <utility>
#include <vector>

#include "core/result.h"
#include "kernel/bpf_redirector.h"
#include "warden_abi.h"

namespace warden::kernel {

struct TargetDiff {
  std::vector<std::pair<warden_target_key, warden_target>> upserts;  // new or changed flags
  std::vector<warden_target_key> removals;
};

// Entries with the same masked prefix and port collapse into one key; the last
// one wins.
Result<TargetDiff> diffTargets(const std::vector<TargetEntry>& installed,
                               const std::vector<TargetEntry>& wanted);

}  // namespace warden::kernel
