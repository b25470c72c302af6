// Layer 2: each workload's risk score, from the behaviour of its requests.
//
// A request adds evidence to its workload: a jailbreak or injection attempt,
// a harmful request, smuggled characters, secrets or personal data on their
// way out, a body far larger than the workload's own baseline, a model it has
// never used, a request access refused, an API key it should not hold. The
// evidence decays with a half-life, so a burst of attempts raises the score
// for a while and a workload that behaves again drifts back to 0. The score is
// 1 - exp(-evidence): in [0, 1), and each attempt moves it less the higher it
// already is.
//
// Access policies read it (`riskAbove`), so a workload that keeps probing is
// cut off even when each of its requests, alone, was only flagged.
// Thread-safe; bounded: past `maxWorkloads` the workload seen least recently
// is forgotten.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "identity/lru_cache.h"

namespace warden::anomaly {

// What one request showed, from the other layers' records.
struct RequestSignals {
  // The highest score of an injection or jailbreak finding that was reported
  // (flagged or blocked), 0 when none; the same for harmful requests.
  double attackScore = 0;
  double harmfulScore = 0;
  bool smuggling = false;  // invisible, tag or bidi characters in its texts
  uint64_t secrets = 0;    // secrets in its texts (found, masked or not)
  uint64_t pii = 0;
  uint64_t requestBytes = 0;  // the body as the client sent it
  std::string model;          // "" when not known
  // How it ended, known only when it is recorded.
  bool denied = false;    // an enforced access decision refused it
  bool keyTheft = false;  // it carried a key bound to other workloads
};

struct RiskSettings {
  std::chrono::seconds halfLife{900};
  size_t maxWorkloads = 10000;
  // Requests a workload makes before its size and model baselines judge
  // anything: a new workload's first requests define what is usual.
  uint64_t baselineRequests = 20;
};

struct RiskAssessment {
  double score = 0;  // [0, 1)
  // What this request added, in this order: jailbreak_attempt,
  // harmful_request, smuggled_characters, secrets_outbound, pii_outbound,
  // oversized_request, new_model; and, counted for the workload's next
  // requests, access_denied, key_theft_suspected.
  std::vector<std::string> reasons;
  uint64_t requests = 0;  // the workload's requests before this one, as far as the tracker remembers
};

class RiskTracker {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RiskTracker(RiskSettings settings = {});

  // The workload's score with this request counted, without keeping it:
  // what access policies decide the request with. Its outcome (denied, key
  // theft) is not part of it: it raises the workload's next requests.
  RiskAssessment preview(const std::string& workload, const RequestSignals& request, Clock::time_point now) const;
  // Counts the request and its outcome for good. The score returned is the
  // one preview() gave for the same request.
  RiskAssessment record(const std::string& workload, const RequestSignals& request, Clock::time_point now);
  // The workload's score now, with nothing added (0 for one never seen).
  double score(const std::string& workload, Clock::time_point now) const;

  size_t workloads() const;
  const RiskSettings& settings() const { return settings_; }

 private:
  struct Workload {
    double evidence = 0;
    Clock::time_point evidenceAt{};
    uint64_t requests = 0;
    // Request size baseline: mean and variance of ln(bytes + 1), moving.
    double sizeMean = 0;
    double sizeVariance = 0;
    std::vector<std::string> models;  // the first kMaxModels it used
  };
  struct Contribution {
    double evidence = 0;
    std::vector<std::string> reasons;
  };

  double decayed(const Workload& w, Clock::time_point now) const;
  Contribution contentOf(const Workload* w, const RequestSignals& request) const;
  static void learn(Workload& w, const RequestSignals& request);

  const RiskSettings settings_;
  mutable std::mutex mutex_;
  mutable identity::LruCache<std::string, Workload> byWorkload_;
};

}  // namespace warden::anomaly
