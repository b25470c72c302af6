// Layer 2: each workload's risk score, from the behaviour of its requests.
//
// A request adds evidence to its workload: a jailbreak or injection attempt,
// a harmful request, smuggled characters, secrets or personal data on their
// way out, a body far larger than the workload's own baseline, a model it has
// never used; and afterwards a request access refused, an API key it should
// not hold. The evidence decays with a half-life, so a burst of attempts
// raises the score for a while and a workload that behaves again drifts back
// to 0. The score is 1 - exp(-evidence): in [0, 1), each attempt moving it
// less the higher it already is.
//
// What counts is what is new: a text with a fingerprint (system prompts,
// earlier turns, tool results: what a chat API resends with every turn)
// counts once while the workload's memory of it lasts, the request's new
// input (its last user message) every time it is sent. Otherwise a busy
// workload would climb on its own history.
//
// Access policies read the score (`riskAbove`), so a workload that keeps
// probing is cut off even when each of its requests alone was only flagged.
// Thread-safe; bounded: past `maxWorkloads` the workload seen least recently
// is forgotten, and each one's memory is of fixed size.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "identity/lru_cache.h"

namespace warden::anomaly {

// What one text of a request showed (only texts with a finding are passed).
struct TextSignals {
  // A hash of the text's bytes, remembered per workload once counted; 0:
  // none, the text counts each time it is passed.
  uint64_t fingerprint = 0;
  // Counted each time even when its fingerprint is remembered (the new
  // input: a retried attempt is an attempt), and remembered, so that it
  // does not count again when it comes back as history.
  bool newInput = false;
  // The highest score of an injection or jailbreak finding at or above its
  // flag threshold, 0 when none; the same for harmful requests.
  double attackScore = 0;
  double harmfulScore = 0;
  bool smuggling = false;  // invisible, tag or bidi characters hidden in it
  uint64_t secrets = 0;
  uint64_t pii = 0;
};

struct RequestSignals {
  std::vector<TextSignals> texts;  // the texts with findings
  // The request feeds the workload's baselines: its size (when its body was
  // read whole) and its model. False for a WebSocket session's messages,
  // counted when the session ends.
  bool isRequest = true;
  // It went to the provider: what it carried out (secrets, personal data,
  // its size, its model) counts. Attempts count either way.
  bool forwarded = true;
  std::optional<uint64_t> bodyBytes;
  std::string model;  // "" when not known
};

// How a request ended, counted for the workload's next requests.
struct RequestOutcome {
  bool denied = false;    // an enforced access decision refused it (not one on the risk score itself)
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
  // What the request adds, in this order: jailbreak_attempt,
  // harmful_request, smuggled_characters, secrets_outbound, pii_outbound,
  // oversized_request, new_model.
  std::vector<std::string> reasons;
  uint64_t requests = 0;  // the workload's earlier forwarded requests, as far as the tracker remembers
};

class RiskTracker {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RiskTracker(RiskSettings settings = {});

  // The workload's score with the request's signals: what access decides it
  // with. Keeps nothing.
  RiskAssessment evaluate(const std::string& workload, const RequestSignals& request, Clock::time_point now) const;
  // Counts the request once it is decided (`forwarded` says whether it went
  // out); returns the workload's score after it and what was counted.
  RiskAssessment commit(const std::string& workload, const RequestSignals& request, Clock::time_point now);
  // Counts how it ended; returns the reasons added (access_denied,
  // key_theft_suspected).
  std::vector<std::string> recordOutcome(const std::string& workload, const RequestOutcome& outcome,
                                         Clock::time_point now);
  // The workload's score now, with nothing added (0 for one never seen).
  double score(const std::string& workload, Clock::time_point now) const;

  size_t workloads() const;
  const RiskSettings& settings() const { return settings_; }

  // Models remembered per workload, and the longest name kept.
  static constexpr size_t kMaxModels = 16;
  static constexpr size_t kMaxModelBytes = 128;
  // Fingerprinted texts remembered per workload (those with a finding); the
  // one matched least recently is forgotten first.
  static constexpr size_t kRememberedTexts = 256;

 private:
  struct Workload {
    double evidence = 0;
    Clock::time_point evidenceAt{};
    uint64_t requests = 0;
    // Request size baseline: moving mean and variance of ln(bytes + 1) over
    // the bodies read whole.
    uint64_t sizedRequests = 0;
    double sizeMean = 0;
    double sizeVariance = 0;
    std::vector<std::string> models;  // the first kMaxModels it used
    std::unordered_map<uint64_t, uint64_t> texts;  // fingerprint -> when last matched (textClock)
    uint64_t textClock = 0;
  };

  Workload& entry(const std::string& workload);
  double decayed(const Workload& w, Clock::time_point now) const;
  void add(Workload& w, double evidence, Clock::time_point now) const;
  static bool remembers(const Workload& w, uint64_t fingerprint);
  static void remember(Workload& w, uint64_t fingerprint);  // or refreshes it
  // The request's evidence against what `w` (null: a workload never seen)
  // remembers; reasons appended.
  double evidenceOf(const Workload* w, const RequestSignals& request, bool outbound,
                    std::vector<std::string>& reasons) const;
  double baselineEvidence(const Workload& w, const RequestSignals& request, std::vector<std::string>& reasons) const;
  static void learn(Workload& w, const RequestSignals& request);

  const RiskSettings settings_;
  mutable std::mutex mutex_;
  identity::LruCache<std::string, Workload> byWorkload_;
};

}  // namespace warden::anomaly
