#include "proxy/workload_registry.h"

#include <algorithm>

namespace warden::proxy {

WorkloadActivity& WorkloadRegistry::entry(const std::shared_ptr<const audit::WorkloadRecord>& workload,
                                          std::chrono::system_clock::time_point when) {
  auto found = byKey_.find(workload->key);
  if (found == byKey_.end()) {
    if (byKey_.size() >= capacity_) evictOldest();
    found = byKey_.emplace(workload->key, WorkloadActivity{}).first;
  }
  auto& activity = found->second;
  // The newest resolution wins: a service restarted with a new executable
  // shows its new hash.
  activity.workload = workload;
  activity.lastSeen = std::max(activity.lastSeen, when);
  return activity;
}

// A linear scan, but only when a new workload arrives at a full registry:
// thousands of distinct workloads per host are already unusual.
void WorkloadRegistry::evictOldest() {
  auto oldest = std::min_element(byKey_.begin(), byKey_.end(),
                                 [](const auto& a, const auto& b) { return a.second.lastSeen < b.second.lastSeen; });
  if (oldest != byKey_.end()) byKey_.erase(oldest);
}

void WorkloadRegistry::noteConnection(const std::shared_ptr<const audit::WorkloadRecord>& workload,
                                      std::chrono::system_clock::time_point when) {
  if (!workload) return;
  std::lock_guard lock(mutex_);
  ++entry(workload, when).connections;
}

void WorkloadRegistry::noteRequest(const std::shared_ptr<const audit::WorkloadRecord>& workload,
                                   const std::string& decision, std::chrono::system_clock::time_point when) {
  if (!workload) return;
  std::lock_guard lock(mutex_);
  auto& activity = entry(workload, when);
  ++activity.requests;
  if (decision == "deny") ++activity.denied;
  activity.lastDecision = decision;
}

std::vector<WorkloadActivity> WorkloadRegistry::snapshot() const {
  std::vector<WorkloadActivity> out;
  {
    std::lock_guard lock(mutex_);
    out.reserve(byKey_.size());
    for (const auto& [key, activity] : byKey_) out.push_back(activity);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.lastSeen != b.lastSeen ? a.lastSeen > b.lastSeen : a.workload->key < b.workload->key;
  });
  return out;
}

}  // namespace warden::proxy
