#include "layers/anomaly/risk_tracker.h"

#include <algorithm>
#include <cmath>

namespace warden::anomaly {
namespace {

// Evidence each signal adds. One certain jailbreak attempt alone gives a
// score of 0.50, two 0.75, three 0.88; secrets are counted up to four per
// request and personal data up to ten, so one request cannot saturate the
// score by volume alone.
constexpr double kAttack = 0.7;        // times the finding's score
constexpr double kHarmful = 0.5;       // times the finding's score
constexpr double kSmuggling = 0.3;
constexpr double kPerSecret = 0.25;
constexpr uint64_t kSecretsCounted = 4;
constexpr double kPerPii = 0.05;
constexpr uint64_t kPiiCounted = 10;
constexpr double kOversized = 0.5;
constexpr double kNewModel = 0.15;
constexpr double kDenied = 0.15;
constexpr double kKeyTheft = 1.0;
// The score never reaches 1 (0.993 at this cap), and a workload that kept
// going far past any threshold is not held there for hours once it stops.
constexpr double kMaxEvidence = 5.0;

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

double scoreOf(double evidence) { return 1.0 - std::exp(-evidence); }

double logSize(uint64_t bytes) { return std::log(static_cast<double>(bytes) + 1.0); }

// A finding's score as evidence: NaN and out-of-range values are not.
double unitScore(double score) { return score > 0 ? std::min(score, 1.0) : 0.0; }

bool usableModel(const std::string& model) { return !model.empty() && model.size() <= RiskTracker::kMaxModelBytes; }

}  // namespace

RiskTracker::RiskTracker(RiskSettings settings) : settings_(settings), byWorkload_(settings.maxWorkloads) {}

RiskTracker::Workload& RiskTracker::entry(const std::string& workload) {
  if (Workload* w = byWorkload_.find(workload)) return *w;
  byWorkload_.put(workload, Workload{});
  return *byWorkload_.find(workload);
}

double RiskTracker::decayed(const Workload& w, Clock::time_point now) const {
  if (w.evidence == 0 || now <= w.evidenceAt) return w.evidence;
  const double halfLives = std::chrono::duration<double>(now - w.evidenceAt).count() /
                           std::chrono::duration<double>(settings_.halfLife).count();
  return w.evidence * std::exp2(-halfLives);
}

void RiskTracker::add(Workload& w, double evidence, Clock::time_point now) const {
  w.evidence = std::min(decayed(w, now) + evidence, kMaxEvidence);
  w.evidenceAt = std::max(now, w.evidenceAt);
}

bool RiskTracker::remembers(const Workload& w, uint64_t fingerprint) { return w.texts.count(fingerprint) > 0; }

void RiskTracker::remember(Workload& w, uint64_t fingerprint) {
  if (fingerprint == 0) return;
  w.texts[fingerprint] = ++w.textClock;
  if (w.texts.size() <= kRememberedTexts) return;
  auto oldest = std::min_element(w.texts.begin(), w.texts.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
  w.texts.erase(oldest);
}

double RiskTracker::evidenceOf(const Workload* w, const RequestSignals& request, bool outbound,
                               std::vector<std::string>& reasons) const {
  // The request's texts together: the strongest attempt, all the data.
  double attack = 0, harmful = 0;
  bool smuggling = false;
  uint64_t secrets = 0, pii = 0;
  for (size_t i = 0; i < request.texts.size(); ++i) {
    const TextSignals& text = request.texts[i];
    if (text.fingerprint != 0 && !text.newInput) {
      // Resent context counts once: when remembered, or repeated within the request.
      if (w != nullptr && remembers(*w, text.fingerprint)) continue;
      const bool earlier = std::any_of(request.texts.begin(), request.texts.begin() + static_cast<long>(i),
                                       [&](const TextSignals& t) { return t.fingerprint == text.fingerprint; });
      if (earlier) continue;
    }
    attack = std::max(attack, unitScore(text.attackScore));
    harmful = std::max(harmful, unitScore(text.harmfulScore));
    smuggling = smuggling || text.smuggling;
    secrets += text.secrets;
    pii += text.pii;
  }
  double evidence = 0;
  const auto count = [&](double added, const char* reason) {
    if (!(added > 0)) return;
    evidence += added;
    reasons.emplace_back(reason);
  };
  count(kAttack * attack, "jailbreak_attempt");
  count(kHarmful * harmful, "harmful_request");
  if (smuggling) count(kSmuggling, "smuggled_characters");
  if (!outbound) return evidence;
  count(kPerSecret * static_cast<double>(std::min(secrets, kSecretsCounted)), "secrets_outbound");
  count(kPerPii * static_cast<double>(std::min(pii, kPiiCounted)), "pii_outbound");
  if (w != nullptr) evidence += baselineEvidence(*w, request, reasons);
  return evidence;
}

double RiskTracker::baselineEvidence(const Workload& w, const RequestSignals& request,
                                     std::vector<std::string>& reasons) const {
  if (!request.isRequest) return 0;
  double evidence = 0;
  if (request.bodyBytes && w.sizedRequests >= settings_.baselineRequests) {
    const double deviation = std::max(std::sqrt(w.sizeVariance), kMinSizeDeviation);
    if (*request.bodyBytes >= kOversizedFloorBytes &&
        logSize(*request.bodyBytes) - w.sizeMean >= kOversizedDeviations * deviation) {
      evidence += kOversized;
      reasons.emplace_back("oversized_request");
    }
  }
  if (w.requests >= settings_.baselineRequests && usableModel(request.model) && w.models.size() < kMaxModels &&
      std::find(w.models.begin(), w.models.end(), request.model) == w.models.end()) {
    evidence += kNewModel;
    reasons.emplace_back("new_model");
  }
  return evidence;
}

void RiskTracker::learn(Workload& w, const RequestSignals& request) {
  if (!request.isRequest) return;
  ++w.requests;
  if (request.bodyBytes) {
    ++w.sizedRequests;
    const double weight = std::max(1.0 / static_cast<double>(w.sizedRequests), kMinBaselineWeight);
    const double delta = logSize(*request.bodyBytes) - w.sizeMean;
    w.sizeMean += weight * delta;
    w.sizeVariance = (1.0 - weight) * (w.sizeVariance + weight * delta * delta);
  }
  if (usableModel(request.model) && w.models.size() < kMaxModels &&
      std::find(w.models.begin(), w.models.end(), request.model) == w.models.end()) {
    w.models.push_back(request.model);
  }
}

RiskAssessment RiskTracker::evaluate(const std::string& workload, const RequestSignals& request,
                                     Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  const Workload* w = byWorkload_.peek(workload);
  RiskAssessment out;
  const double evidence = evidenceOf(w, request, request.forwarded, out.reasons);
  out.score = scoreOf(std::min((w ? decayed(*w, now) : 0.0) + evidence, kMaxEvidence));
  out.requests = w ? w->requests : 0;
  return out;
}

RiskAssessment RiskTracker::commit(const std::string& workload, const RequestSignals& request,
                                   Clock::time_point now) {
  std::lock_guard lock(mutex_);
  Workload& w = entry(workload);
  RiskAssessment out;
  out.requests = w.requests;
  add(w, evidenceOf(&w, request, request.forwarded, out.reasons), now);
  for (const TextSignals& text : request.texts) {
    // A refused request's data was not counted: its text must count when
    // it is sent again and goes out.
    if (!request.forwarded && (text.secrets > 0 || text.pii > 0)) continue;
    remember(w, text.fingerprint);
  }
  if (request.forwarded) learn(w, request);
  out.score = scoreOf(w.evidence);
  return out;
}

std::vector<std::string> RiskTracker::recordOutcome(const std::string& workload, const RequestOutcome& outcome,
                                                    Clock::time_point now) {
  std::vector<std::string> reasons;
  double evidence = 0;
  if (outcome.denied) {
    evidence += kDenied;
    reasons.emplace_back("access_denied");
  }
  if (outcome.keyTheft) {
    evidence += kKeyTheft;
    reasons.emplace_back("key_theft_suspected");
  }
  if (evidence == 0) return reasons;
  std::lock_guard lock(mutex_);
  add(entry(workload), evidence, now);
  return reasons;
}

double RiskTracker::score(const std::string& workload, Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  const Workload* w = byWorkload_.peek(workload);
  return w ? scoreOf(decayed(*w, now)) : 0.0;
}

size_t RiskTracker::workloads() const {
  std::lock_guard lock(mutex_);
  return byWorkload_.size();
}

}  // namespace warden::anomaly
