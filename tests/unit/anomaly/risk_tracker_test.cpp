#include "layers/anomaly/risk_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace warden::anomaly {
namespace {

using Clock = RiskTracker::Clock;
using std::chrono::seconds;

const Clock::time_point kStart{seconds(1000)};

RequestSignals attack(double score) {
  RequestSignals s;
  s.attackScore = score;
  s.requestBytes = 2000;
  s.model = "gpt-4o-mini";
  return s;
}

RequestSignals ordinary(uint64_t bytes = 2000, std::string model = "gpt-4o-mini") {
  RequestSignals s;
  s.requestBytes = bytes;
  s.model = std::move(model);
  return s;
}

bool has(const RiskAssessment& a, const std::string& reason) {
  return std::find(a.reasons.begin(), a.reasons.end(), reason) != a.reasons.end();
}

TEST(RiskTrackerTest, AnUnknownWorkloadHasNoRisk) {
  RiskTracker tracker;
  EXPECT_EQ(tracker.score("unit:a.service", kStart), 0);
  const auto a = tracker.preview("unit:a.service", ordinary(), kStart);
  EXPECT_EQ(a.score, 0);
  EXPECT_TRUE(a.reasons.empty());
  EXPECT_EQ(tracker.workloads(), 0u) << "preview keeps nothing";
}

TEST(RiskTrackerTest, RepeatedJailbreakAttemptsRaiseTheScoreStepByStep) {
  RiskTracker tracker;
  const auto first = tracker.record("w", attack(1.0), kStart);
  EXPECT_NEAR(first.score, 0.503, 0.001);
  EXPECT_TRUE(has(first, "jailbreak_attempt"));
  const auto second = tracker.record("w", attack(1.0), kStart + seconds(1));
  const auto third = tracker.record("w", attack(1.0), kStart + seconds(2));
  EXPECT_GT(second.score, first.score);
  EXPECT_GT(third.score, 0.87);
  EXPECT_LT(third.score, 1.0);
  EXPECT_EQ(third.requests, 2u);
  EXPECT_EQ(tracker.score("other", kStart), 0) << "workloads are counted apart";
}

TEST(RiskTrackerTest, EvidenceHalvesEveryHalfLife) {
  RiskTracker tracker(RiskSettings{.halfLife = seconds(600)});
  tracker.record("w", attack(1.0), kStart);  // evidence 0.7
  const double now = tracker.score("w", kStart);
  const double later = tracker.score("w", kStart + seconds(600));
  EXPECT_NEAR(now, 1 - std::exp(-0.7), 1e-9);
  EXPECT_NEAR(later, 1 - std::exp(-0.35), 1e-9);
  EXPECT_LT(tracker.score("w", kStart + seconds(600 * 20)), 0.001) << "a workload that behaves drifts back to 0";
}

TEST(RiskTrackerTest, PreviewCountsTheRequestWithoutKeepingIt) {
  RiskTracker tracker;
  tracker.record("w", attack(1.0), kStart);
  const auto preview = tracker.preview("w", attack(1.0), kStart);
  const auto recorded = tracker.record("w", attack(1.0), kStart);
  EXPECT_DOUBLE_EQ(preview.score, recorded.score);
  EXPECT_EQ(preview.reasons, recorded.reasons);
}

TEST(RiskTrackerTest, ADenialAndKeyTheftRaiseTheNextRequestsNotThisOne) {
  RiskTracker tracker;
  RequestSignals denied = ordinary();
  denied.denied = true;
  denied.keyTheft = true;
  const auto a = tracker.record("w", denied, kStart);
  EXPECT_EQ(a.score, 0);
  EXPECT_TRUE(has(a, "access_denied"));
  EXPECT_TRUE(has(a, "key_theft_suspected"));
  EXPECT_NEAR(tracker.score("w", kStart), 1 - std::exp(-1.3), 1e-9);
}

TEST(RiskTrackerTest, SecretsAndPersonalDataOnTheirWayOutAreCountedUpToACap) {
  RiskTracker tracker;
  RequestSignals one = ordinary();
  one.secrets = 1;
  RequestSignals many = ordinary();
  many.secrets = 1000;
  many.pii = 1000;
  const auto a = tracker.preview("w", one, kStart);
  const auto b = tracker.preview("w", many, kStart);
  EXPECT_NEAR(a.score, 1 - std::exp(-0.25), 1e-9);
  EXPECT_TRUE(has(a, "secrets_outbound"));
  EXPECT_NEAR(b.score, 1 - std::exp(-1.5), 1e-9) << "4 secrets and 10 personal data items at most";
  EXPECT_TRUE(has(b, "pii_outbound"));
}

TEST(RiskTrackerTest, ABodyFarLargerThanTheWorkloadsUsualIsFlaggedOnceTheBaselineIsLearnt) {
  RiskTracker tracker(RiskSettings{.baselineRequests = 20});
  // Before the baseline: a large body is only what this workload does.
  EXPECT_FALSE(has(tracker.preview("w", ordinary(2 << 20), kStart), "oversized_request"));
  for (int i = 0; i < 20; ++i) tracker.record("w", ordinary(1500 + 100 * (i % 5)), kStart);
  const auto big = tracker.preview("w", ordinary(2 << 20), kStart);
  EXPECT_TRUE(has(big, "oversized_request"));
  EXPECT_NEAR(big.score, 1 - std::exp(-0.5), 1e-9);
  EXPECT_FALSE(has(tracker.preview("w", ordinary(6000), kStart), "oversized_request")) << "4x its usual size";
  EXPECT_FALSE(has(tracker.preview("w", ordinary(60000), kStart), "oversized_request"))
      << "under the 64 KiB floor, whatever the baseline";
}

TEST(RiskTrackerTest, AWorkloadThatAlwaysSendsLargeBodiesIsNotFlaggedForThem) {
  RiskTracker tracker;
  for (int i = 0; i < 40; ++i) tracker.record("w", ordinary(i % 2 ? 4 << 20 : 1000), kStart);
  EXPECT_FALSE(has(tracker.preview("w", ordinary(4 << 20), kStart), "oversized_request"));
}

TEST(RiskTrackerTest, AModelTheWorkloadNeverUsedIsFlaggedAfterItsBaseline) {
  RiskTracker tracker(RiskSettings{.baselineRequests = 5});
  EXPECT_FALSE(has(tracker.preview("w", ordinary(2000, "o1"), kStart), "new_model"));
  for (int i = 0; i < 5; ++i) tracker.record("w", ordinary(), kStart);
  EXPECT_TRUE(has(tracker.preview("w", ordinary(2000, "o1"), kStart), "new_model"));
  EXPECT_FALSE(has(tracker.preview("w", ordinary(), kStart), "new_model"));
  tracker.record("w", ordinary(2000, "o1"), kStart);
  EXPECT_FALSE(has(tracker.preview("w", ordinary(2000, "o1"), kStart), "new_model")) << "learnt once used";
}

TEST(RiskTrackerTest, TheWorkloadSeenLeastRecentlyIsForgottenPastTheCap) {
  RiskTracker tracker(RiskSettings{.maxWorkloads = 2});
  tracker.record("a", attack(1.0), kStart);
  tracker.record("b", attack(1.0), kStart);
  tracker.record("a", ordinary(), kStart);
  tracker.record("c", ordinary(), kStart);
  EXPECT_EQ(tracker.workloads(), 2u);
  EXPECT_EQ(tracker.score("b", kStart), 0);
  EXPECT_GT(tracker.score("a", kStart), 0);
}

TEST(RiskTrackerTest, ScoresOutsideZeroToOneAreClamped) {
  RiskTracker tracker;
  RequestSignals odd = ordinary();
  odd.attackScore = 7;
  odd.harmfulScore = -3;
  EXPECT_NEAR(tracker.preview("w", odd, kStart).score, 1 - std::exp(-0.7), 1e-9);
}

}  // namespace
}  // namespace warden::anomaly
