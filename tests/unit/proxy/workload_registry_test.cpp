#include "proxy/workload_registry.h"

#include <gtest/gtest.h>

namespace warden::proxy {
namespace {

using namespace std::chrono_literals;
using Time = std::chrono::system_clock::time_point;

std::shared_ptr<const audit::WorkloadRecord> workload(const std::string& key, const std::string& sha = "") {
  auto record = std::make_shared<audit::WorkloadRecord>();
  record->key = key;
  record->executableSha256 = sha;
  return record;
}

TEST(WorkloadRegistry, CountsConnectionsRequestsAndDenials) {
  WorkloadRegistry registry;
  const Time t0{};
  auto bot = workload("unit:system.slice/bot.service");
  registry.noteConnection(bot, t0 + 1s);
  registry.noteRequest(bot, "allow", t0 + 2s);
  registry.noteRequest(bot, "deny", t0 + 3s);
  registry.noteRequest(bot, "deny", t0 + 4s);
  registry.noteRequest(bot, "allow", t0 + 5s);

  const auto seen = registry.snapshot();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].connections, 1u);
  EXPECT_EQ(seen[0].requests, 4u);
  EXPECT_EQ(seen[0].denied, 2u);
  EXPECT_EQ(seen[0].lastDecision, "allow");
  EXPECT_EQ(seen[0].lastSeen, t0 + 5s);
}

TEST(WorkloadRegistry, TheNewestResolutionOfAWorkloadIsShown) {
  WorkloadRegistry registry;
  registry.noteConnection(workload("unit:a.service", "old"), Time{} + 1s);
  registry.noteConnection(workload("unit:a.service", "new"), Time{} + 2s);
  const auto seen = registry.snapshot();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].workload->executableSha256, "new");
  EXPECT_EQ(seen[0].connections, 2u);
}

TEST(WorkloadRegistry, ListsMostRecentFirstAndForgetsTheOldestPastItsCapacity) {
  WorkloadRegistry registry(2);
  registry.noteConnection(workload("a"), Time{} + 1s);
  registry.noteConnection(workload("b"), Time{} + 2s);
  registry.noteRequest(workload("a"), "allow", Time{} + 3s);  // a is now the most recent
  registry.noteConnection(workload("c"), Time{} + 4s);        // evicts b

  const auto seen = registry.snapshot();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].workload->key, "c");
  EXPECT_EQ(seen[1].workload->key, "a");
}

TEST(WorkloadRegistry, UnresolvedWorkloadsAreNotListed) {
  WorkloadRegistry registry;
  registry.noteConnection(nullptr, Time{});
  registry.noteRequest(nullptr, "allow", Time{});
  EXPECT_TRUE(registry.snapshot().empty());
}

}  // namespace
}  // namespace warden::proxy
