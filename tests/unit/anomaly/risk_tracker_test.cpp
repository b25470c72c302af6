#include "layers/anomaly/risk_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace warden::anomaly {
namespace {

using Clock = RiskTracker::Clock;
using std::chrono::seconds;

const Clock::time_point kStart{seconds(1000)};

double scoreOf(double evidence) { return 1 - std::exp(-evidence); }

RequestSignals withText(TextSignals text, uint64_t bytes = 2000) {
  RequestSignals s;
  s.texts.push_back(text);
  s.bodyBytes = bytes;
  s.model = "gpt-4o-mini";
  return s;
}

RequestSignals attack(double score, uint64_t fingerprint = 0) {
  return withText(TextSignals{.fingerprint = fingerprint, .attackScore = score});
}

RequestSignals ordinary(std::optional<uint64_t> bytes = 2000, std::string model = "gpt-4o-mini") {
  RequestSignals s;
  s.bodyBytes = bytes;
  s.model = std::move(model);
  return s;
}

// What wardend does per request: decide with evaluate(), then count it.
RiskAssessment assess(RiskTracker& tracker, const std::string& workload, const RequestSignals& request,
                      Clock::time_point now) {
  auto out = tracker.evaluate(workload, request, now);
  tracker.commit(workload, request, now);
  return out;
}

bool has(const std::vector<std::string>& reasons, const std::string& reason) {
  return std::find(reasons.begin(), reasons.end(), reason) != reasons.end();
}

TEST(RiskTrackerTest, AnUnknownWorkloadHasNoRiskAndAPlainRequestAddsNone) {
  RiskTracker tracker;
  EXPECT_EQ(tracker.score("unit:a.service", kStart), 0);
  EXPECT_EQ(tracker.workloads(), 0u) << "looking adds no workload";
  const auto a = assess(tracker, "unit:a.service", ordinary(), kStart);
  EXPECT_EQ(a.score, 0);
  EXPECT_TRUE(a.reasons.empty());
  EXPECT_EQ(a.requests, 0u);
  EXPECT_EQ(assess(tracker, "unit:a.service", ordinary(), kStart).requests, 1u);
}

TEST(RiskTrackerTest, RepeatedJailbreakAttemptsRaiseTheScoreStepByStep) {
  RiskTracker tracker;
  const auto first = assess(tracker, "w", attack(1.0), kStart);
  EXPECT_NEAR(first.score, scoreOf(0.7), 1e-9);
  EXPECT_TRUE(has(first.reasons, "jailbreak_attempt"));
  const auto second = assess(tracker, "w", attack(1.0), kStart);
  const auto third = assess(tracker, "w", attack(1.0), kStart);
  EXPECT_NEAR(second.score, scoreOf(1.4), 1e-9);
  EXPECT_NEAR(third.score, scoreOf(2.1), 1e-9);
  EXPECT_EQ(tracker.score("other", kStart), 0) << "workloads are counted apart";
}

TEST(RiskTrackerTest, EvidenceHalvesEveryHalfLife) {
  RiskTracker tracker(RiskSettings{.halfLife = seconds(600)});
  assess(tracker, "w", attack(1.0), kStart);
  EXPECT_NEAR(tracker.score("w", kStart), scoreOf(0.7), 1e-9);
  EXPECT_NEAR(tracker.score("w", kStart + seconds(600)), scoreOf(0.35), 1e-9);
  EXPECT_LT(tracker.score("w", kStart + seconds(600 * 20)), 0.001) << "a workload that behaves drifts back to 0";
  EXPECT_NEAR(tracker.score("w", kStart - seconds(60)), scoreOf(0.7), 1e-9) << "a clock that steps back adds nothing";
}

TEST(RiskTrackerTest, AFingerprintedTextCountsOnceNotWithEveryRequestThatResendsIt) {
  RiskTracker tracker;
  TextSignals systemPrompt{.fingerprint = 42, .pii = 1};
  EXPECT_TRUE(has(assess(tracker, "w", withText(systemPrompt), kStart).reasons, "pii_outbound"));
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(assess(tracker, "w", withText(systemPrompt), kStart).reasons.empty());
  EXPECT_NEAR(tracker.score("w", kStart), scoreOf(0.05), 1e-9);
  EXPECT_TRUE(has(assess(tracker, "other", withText(systemPrompt), kStart).reasons, "pii_outbound"))
      << "each workload remembers its own";
  // Its memory is bounded: once as many other texts were counted, it counts again.
  for (uint64_t f = 100; f < 100 + RiskTracker::kRememberedTexts; ++f) {
    assess(tracker, "w", withText(TextSignals{.fingerprint = f, .pii = 1}), kStart);
  }
  EXPECT_TRUE(has(assess(tracker, "w", withText(systemPrompt), kStart).reasons, "pii_outbound"));
}

TEST(RiskTrackerTest, TheNewInputCountsEachTimeItIsSentAndNotAgainWhenItComesBackAsHistory) {
  RiskTracker tracker;
  const TextSignals attempt{.fingerprint = 7, .newInput = true, .attackScore = 1.0};
  EXPECT_TRUE(has(assess(tracker, "w", withText(attempt), kStart).reasons, "jailbreak_attempt"));
  EXPECT_TRUE(has(assess(tracker, "w", withText(attempt), kStart).reasons, "jailbreak_attempt"))
      << "a retried attempt is an attempt";
  RequestSignals nextTurn = ordinary();
  nextTurn.texts = {TextSignals{.fingerprint = 7, .attackScore = 1.0}, TextSignals{.fingerprint = 8, .newInput = true}};
  EXPECT_TRUE(assess(tracker, "w", nextTurn, kStart).reasons.empty()) << "the conversation resent";
  RequestSignals forged = ordinary();
  forged.texts = {TextSignals{.fingerprint = 9, .attackScore = 1.0}, TextSignals{.fingerprint = 8, .newInput = true}};
  EXPECT_TRUE(has(assess(tracker, "w", forged, kStart).reasons, "jailbreak_attempt"))
      << "a history the workload never sent counts once";
}

TEST(RiskTrackerTest, ATextRepeatedWithinARequestCountsOnce) {
  RiskTracker tracker;
  RequestSignals s = ordinary();
  s.texts = {TextSignals{.fingerprint = 5, .pii = 1}, TextSignals{.fingerprint = 5, .pii = 1}};
  EXPECT_NEAR(assess(tracker, "w", s, kStart).score, scoreOf(0.05), 1e-9);
}

TEST(RiskTrackerTest, ARefusedRequestsAttemptsCountButNotWhatItWouldHaveSentOut) {
  RiskTracker tracker(RiskSettings{.baselineRequests = 1});
  RequestSignals s = withText(TextSignals{.attackScore = 1.0, .secrets = 2});
  EXPECT_NEAR(tracker.evaluate("w", s, kStart).score, scoreOf(0.7 + 0.5), 1e-9) << "what access decides with";
  s.forwarded = false;
  EXPECT_NEAR(tracker.evaluate("w", s, kStart).score, scoreOf(0.7), 1e-9);
  const auto counted = tracker.commit("w", s, kStart);
  EXPECT_NEAR(counted.score, scoreOf(0.7), 1e-9) << "the secrets never went out";
  EXPECT_EQ(counted.reasons, (std::vector<std::string>{"jailbreak_attempt"}));
  EXPECT_EQ(tracker.evaluate("w", ordinary(), kStart).requests, 0u) << "nor does it feed the baselines";

  // Sent again as context and forwarded this time, its secrets go out and count.
  RequestSignals resent = withText(TextSignals{.fingerprint = 11, .secrets = 1});
  resent.forwarded = false;
  tracker.commit("w", resent, kStart);
  resent.forwarded = true;
  EXPECT_TRUE(has(assess(tracker, "w", resent, kStart).reasons, "secrets_outbound"));
}

TEST(RiskTrackerTest, TheRequestsTextsCountTogetherTheStrongestAttemptAndAllTheData) {
  RiskTracker tracker;
  RequestSignals s = ordinary();
  s.texts = {TextSignals{.attackScore = 0.6, .secrets = 3}, TextSignals{.attackScore = 0.9, .secrets = 3, .pii = 2}};
  const auto a = assess(tracker, "w", s, kStart);
  EXPECT_NEAR(a.score, scoreOf(0.7 * 0.9 + 0.25 * 4 + 0.05 * 2), 1e-9) << "secrets capped at 4";
  EXPECT_EQ(a.reasons, (std::vector<std::string>{"jailbreak_attempt", "secrets_outbound", "pii_outbound"}));
}

TEST(RiskTrackerTest, ADenialAndKeyTheftRaiseTheNextRequestsNotThisOne) {
  RiskTracker tracker;
  EXPECT_EQ(assess(tracker, "w", ordinary(), kStart).score, 0);
  const auto added = tracker.recordOutcome("w", RequestOutcome{.denied = true, .keyTheft = true}, kStart);
  EXPECT_EQ(added, (std::vector<std::string>{"access_denied", "key_theft_suspected"}));
  EXPECT_NEAR(tracker.score("w", kStart), scoreOf(1.15), 1e-9);
  EXPECT_TRUE(tracker.recordOutcome("w", RequestOutcome{}, kStart).empty());
}

TEST(RiskTrackerTest, EvidenceIsCappedSoTheScoreStaysBelowOneAndFallsOnceTheWorkloadStops) {
  RiskTracker tracker(RiskSettings{.halfLife = seconds(600)});
  for (int i = 0; i < 1000; ++i) assess(tracker, "w", attack(1.0), kStart);
  EXPECT_NEAR(tracker.score("w", kStart), scoreOf(5.0), 1e-9);
  EXPECT_LT(tracker.score("w", kStart), 1.0);
  // From the cap, under 0.8 (evidence 1.61) within 1.7 half-lives.
  EXPECT_LT(tracker.score("w", kStart + seconds(1000)), 0.8);
}

TEST(RiskTrackerTest, NonFiniteAndOutOfRangeScoresAreNotEvidence) {
  RiskTracker tracker;
  RequestSignals s = ordinary();
  s.texts = {TextSignals{.attackScore = std::numeric_limits<double>::quiet_NaN(), .harmfulScore = -3},
             TextSignals{.attackScore = 7}};
  const auto a = assess(tracker, "w", s, kStart);
  EXPECT_NEAR(a.score, scoreOf(0.7), 1e-9) << "7 counts as 1, NaN and -3 as nothing";
  EXPECT_EQ(a.reasons, (std::vector<std::string>{"jailbreak_attempt"}));
}

TEST(RiskTrackerTest, ABodyFarLargerThanTheWorkloadsUsualIsFlaggedOnceTheBaselineIsLearnt) {
  RiskTracker tracker(RiskSettings{.baselineRequests = 20});
  EXPECT_FALSE(has(assess(tracker, "w", ordinary(2 << 20), kStart).reasons, "oversized_request"))
      << "before its baseline, a large body is what this workload does";
  RiskTracker fresh(RiskSettings{.baselineRequests = 20});
  for (int i = 0; i < 20; ++i) assess(fresh, "w", ordinary(100000 + 1000 * (i % 5)), kStart);
  for (int i = 0; i < 50; ++i) assess(fresh, "w", ordinary(std::nullopt), kStart);
  EXPECT_FALSE(has(assess(fresh, "w", ordinary(400000), kStart).reasons, "oversized_request")) << "4x its usual";
  const auto big = assess(fresh, "w", ordinary(2 << 20), kStart);
  EXPECT_TRUE(has(big.reasons, "oversized_request")) << "20x, and bodies of unknown size did not drag the mean to 0";
  EXPECT_NEAR(big.score, scoreOf(0.5), 1e-9);

  RiskTracker small(RiskSettings{.baselineRequests = 20});
  for (int i = 0; i < 20; ++i) assess(small, "w", ordinary(1500), kStart);
  EXPECT_FALSE(has(assess(small, "w", ordinary(60000), kStart).reasons, "oversized_request"))
      << "under the 64 KiB floor, whatever the baseline";
}

TEST(RiskTrackerTest, AWorkloadThatAlwaysSendsLargeBodiesIsNotFlaggedForThem) {
  RiskTracker tracker;
  for (int i = 0; i < 40; ++i) assess(tracker, "w", ordinary(i % 2 ? 4 << 20 : 1000), kStart);
  EXPECT_FALSE(has(assess(tracker, "w", ordinary(4 << 20), kStart).reasons, "oversized_request"));
}

TEST(RiskTrackerTest, AModelTheWorkloadNeverUsedIsFlaggedAfterItsBaseline) {
  RiskTracker tracker(RiskSettings{.baselineRequests = 5});
  EXPECT_FALSE(has(assess(tracker, "w", ordinary(2000, "o1"), kStart).reasons, "new_model"));
  for (int i = 0; i < 5; ++i) assess(tracker, "w", ordinary(), kStart);
  EXPECT_TRUE(has(assess(tracker, "w", ordinary(2000, "o3"), kStart).reasons, "new_model"));
  EXPECT_FALSE(has(assess(tracker, "w", ordinary(2000, "o3"), kStart).reasons, "new_model")) << "learnt once used";
  EXPECT_FALSE(has(assess(tracker, "w", ordinary(2000, "o1"), kStart).reasons, "new_model"));
  EXPECT_FALSE(has(assess(tracker, "w", ordinary(2000, std::string(200, 'm')), kStart).reasons, "new_model"))
      << "names past 128 bytes are neither kept nor judged";
}

TEST(RiskTrackerTest, ASessionsMessagesCountWithoutFeedingTheBaselines) {
  RiskTracker tracker(RiskSettings{.baselineRequests = 1});
  assess(tracker, "w", ordinary(), kStart);
  RequestSignals session;
  session.isRequest = false;
  session.texts = {TextSignals{.attackScore = 1.0}};
  session.model = "gpt-realtime";
  const auto a = assess(tracker, "w", session, kStart);
  EXPECT_EQ(a.reasons, (std::vector<std::string>{"jailbreak_attempt"}));
  EXPECT_EQ(assess(tracker, "w", ordinary(), kStart).requests, 1u) << "a session is not a request";
}

TEST(RiskTrackerTest, TheWorkloadSeenLeastRecentlyIsForgottenPastTheCapNotTheOneLookedAt) {
  RiskTracker tracker(RiskSettings{.maxWorkloads = 2});
  assess(tracker, "a", attack(1.0), kStart);
  assess(tracker, "b", attack(1.0), kStart);
  EXPECT_GT(tracker.score("a", kStart), 0);  // a look, not a use
  assess(tracker, "c", ordinary(), kStart);
  EXPECT_EQ(tracker.workloads(), 2u);
  EXPECT_EQ(tracker.score("a", kStart), 0);
  EXPECT_GT(tracker.score("b", kStart), 0);
}

}  // namespace
}  // namespace warden::anomaly
