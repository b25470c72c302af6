#include "layers/anomaly/risk_tracker.h"

#include <algorithm>
#include <cmath>

namespace warden::anomaly {
namespace {

// Evidence each signal adds. One certain jailbreak attempt alone gives a
// score of 0.50, two in a row 0.75, three 0.88; secrets are counted up to
// four per request and personal data up to ten, so one request cannot
// saturate the score by volume alone.
constexpr double kAttack = 0.7;        // times the finding's score
constexpr double kHarmful = 0.5;       // times the finding's score
constexpr double kSmuggling = 0.3;
constexpr double kPerSecret = 0.25;
constexpr uint64_t kSecretsCounted = 4;
constexpr double kPerPii = 0.05;
constexpr uint64_t kPiiCounted = 10;
constexpr double kOversized = 0.5;
constexpr double kNewModel = 0.15;
constexpr double kDenied = 0.3;
constexpr double kKeyTheft = 1.0;

// A body is oversized when it is at least this large and 3 deviations
// above the workload's usual log size (a deviation counted as at least
// ln 2, so a workload whose bodies never vary still needs 8 times its
// usual size to be flagged).
constexpr uint64_t kOversizedFloorBytes = 64 * 1024;
constexpr double kOversizedDeviations = 3;
constexpr double kMinSizeDeviation = 0.6931471805599453;  // ln 2
// The baseline's moving average: each request weighs at least this much,
// so it follows a workload whose usage changes over a few dozen requests.
constexpr double kMinBaselineWeight = 0.05;
constexpr size_t kMaxModels = 16;

double scoreOf(double evidence) { return 1.0 - std::exp(-evidence); }

double logSize(uint64_t bytes) { return std::log(static_cast<double>(bytes) + 1.0); }

}  // namespace

RiskTracker::RiskTracker(RiskSettings settings)
    : settings_(settings), byWorkload_(settings.maxWorkloads) {}

double RiskTracker::decayed(const Workload& w, Clock::time_point now) const {
  if (w.evidence == 0 || now <= w.evidenceAt) return w.evidence;
  const double halfLives = std::chrono::duration<double>(now - w.evidenceAt).count() /
                           std::chrono::duration<double>(settings_.halfLife).count();
  return w.evidence * std::exp2(-halfLives);
}

RiskTracker::Contribution RiskTracker::contentOf(const Workload* w, const RequestSignals& request) const {
  Contribution out;
  const auto add = [&out](double evidence, const char* reason) {
    if (evidence <= 0) return;
    out.evidence += evidence;
    out.reasons.emplace_back(reason);
  };
  add(kAttack * std::clamp(request.attackScore, 0.0, 1.0), "jailbreak_attempt");
  add(kHarmful * std::clamp(request.harmfulScore, 0.0, 1.0), "harmful_request");
  if (request.smuggling) add(kSmuggling, "smuggled_characters");
  add(kPerSecret * static_cast<double>(std::min(request.secrets, kSecretsCounted)), "secrets_outbound");
  add(kPerPii * static_cast<double>(std::min(request.pii, kPiiCounted)), "pii_outbound");
  if (w != nullptr && w->requests >= settings_.baselineRequests) {
    const double deviation = std::max(std::sqrt(w->sizeVariance), kMinSizeDeviation);
    if (request.requestBytes >= kOversizedFloorBytes &&
        logSize(request.requestBytes) - w->sizeMean >= kOversizedDeviations * deviation) {
      add(kOversized, "oversized_request");
    }
    const bool known = std::find(w->models.begin(), w->models.end(), request.model) != w->models.end();
    if (!request.model.empty() && !known && w->models.size() < kMaxModels) add(kNewModel, "new_model");
  }
  return out;
}

void RiskTracker::learn(Workload& w, const RequestSignals& request) {
  ++w.requests;
  const double weight = std::max(1.0 / static_cast<double>(w.requests), kMinBaselineWeight);
  const double x = logSize(request.requestBytes);
  const double delta = x - w.sizeMean;
  w.sizeMean += weight * delta;
  w.sizeVariance = (1.0 - weight) * (w.sizeVariance + weight * delta * delta);
  if (!request.model.empty() && w.models.size() < kMaxModels &&
      std::find(w.models.begin(), w.models.end(), request.model) == w.models.end()) {
    w.models.push_back(request.model);
  }
}

RiskAssessment RiskTracker::preview(const std::string& workload, const RequestSignals& request,
                                    Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  const Workload* w = byWorkload_.find(workload);
  Contribution content = contentOf(w, request);
  RiskAssessment out;
  out.score = scoreOf((w ? decayed(*w, now) : 0.0) + content.evidence);
  out.reasons = std::move(content.reasons);
  out.requests = w ? w->requests : 0;
  return out;
}

RiskAssessment RiskTracker::record(const std::string& workload, const RequestSignals& request, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  Workload* w = byWorkload_.find(workload);
  if (w == nullptr) {
    byWorkload_.put(workload, Workload{});
    w = byWorkload_.find(workload);
  }
  Contribution content = contentOf(w, request);
  RiskAssessment out;
  const double evidence = decayed(*w, now) + content.evidence;
  out.score = scoreOf(evidence);
  out.reasons = std::move(content.reasons);
  out.requests = w->requests;

  double outcome = 0;
  if (request.denied) {
    outcome += kDenied;
    out.reasons.emplace_back("access_denied");
  }
  if (request.keyTheft) {
    outcome += kKeyTheft;
    out.reasons.emplace_back("key_theft_suspected");
  }
  w->evidence = evidence + outcome;
  w->evidenceAt = std::max(now, w->evidenceAt);
  learn(*w, request);
  return out;
}

double RiskTracker::score(const std::string& workload, Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  const Workload* w = byWorkload_.find(workload);
  return w ? scoreOf(decayed(*w, now)) : 0.0;
}

size_t RiskTracker::workloads() const {
  std::lock_guard lock(mutex_);
  return byWorkload_.size();
}

}  // namespace warden::anomaly
