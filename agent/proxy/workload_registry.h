// The workloads the proxy has seen, for `wardenctl identities`: each with its
// latest resolution, its connection and request counts, and the last
// decision taken on one of its requests. Bounded: past the cap, the workload
// seen least recently is forgotten (its counts are in the event log anyway).
// Thread-safe: every worker notes into it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "layers/audit/event.h"

namespace warden::proxy {

struct WorkloadActivity {
  std::shared_ptr<const audit::WorkloadRecord> workload;
  uint64_t connections = 0;
  uint64_t requests = 0;
  uint64_t denied = 0;
  std::string lastDecision;  // "" until its first request
  std::chrono::system_clock::time_point lastSeen{};
};

class WorkloadRegistry {
 public:
  explicit WorkloadRegistry(size_t capacity = 10000) : capacity_(capacity == 0 ? 1 : capacity) {}

  void noteConnection(const std::shared_ptr<const audit::WorkloadRecord>& workload,
                      std::chrono::system_clock::time_point when);
  // decision: the event's ("allow", "deny", ...).
  void noteRequest(const std::shared_ptr<const audit::WorkloadRecord>& workload, const std::string& decision,
                   std::chrono::system_clock::time_point when);

  // Most recently seen first.
  std::vector<WorkloadActivity> snapshot() const;

 private:
  WorkloadActivity& entry(const std::shared_ptr<const audit::WorkloadRecord>& workload,
                          std::chrono::system_clock::time_point when);
  void evictOldest();

  const size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, WorkloadActivity> byKey_;
};

}  // namespace warden::proxy
