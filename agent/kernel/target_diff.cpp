#include "kernel/target_diff.h"

#include <array>
#include <cstring>
#include <map>

#include "kernel/abi_convert.h"

namespace warden::kernel {
namespace {

using KeyBytes = std::array<uint8_t, sizeof(warden_target_key)>;
using Table = std::map<KeyBytes, std::pair<warden_target_key, warden_target>>;

Result<Table> toTable(const std::vector<TargetEntry>& entries) {
  Table table;
  for (const auto& entry : entries) {
    auto key = makeTargetKey(entry);
    if (!key) return key.error();
    KeyBytes bytes;
    std::memcpy(bytes.data(), &*key, bytes.size());
    table[bytes] = {*key, makeTargetValue(entry)};
  }
  return table;
}

}  // namespace

Result<TargetDiff> diffTargets(const std::vector<TargetEntry>& installed,
                               const std::vector<TargetEntry>& wanted) {
  auto before = toTable(installed);
  if (!before) return before.error();
  auto after = toTable(wanted);
  if (!after) return after.error();

  TargetDiff diff;
  for (const auto& [bytes, entry] : *after) {
    auto it = before->find(bytes);
    if (it == before->end() || it->second.second.flags != entry.second.flags) {
      diff.upserts.push_back(entry);
    }
  }
  for (const auto& [bytes, entry] : *before) {
    if (!after->contains(bytes)) diff.removals.push_back(entry.first);
  }
  return diff;
}

}  // namespace warden::kernel
