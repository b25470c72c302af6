#include "layers/access/budget_ledger.h"

#include <gtest/gtest.h>

namespace warden::access {
namespace {

using namespace std::chrono;

// A clock the test moves by hand; starts Monday 2026-11-23 10:00:15 UTC.
struct FakeClock {
  system_clock::time_point now = sys_days(year{2026} / 11 / 23) + hours(10) + seconds(15);
  WallClock function() {
    return [this] { return now; };
  }
};

Subject workload(const std::string& key) {
  Subject s;
  s.known = true;
  s.workloadKey = key;
  return s;
}

Budget budget(const std::string& id) {
  Budget b;
  b.id = id;
  return b;
}

TEST(BudgetLedgerTest, RequestsPerMinuteResetAtTheNextMinute) {
  FakeClock clock;
  BudgetLedger ledger(clock.function());
  Budget b = budget("b");
  b.requestsPerMinute = 2;
  const Subject a = workload("a");
  EXPECT_TRUE(ledger.checkRequest(b, a).allowed);
  EXPECT_TRUE(ledger.checkRequest(b, a).allowed);
  BudgetCheck refused = ledger.checkRequest(b, a);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retryAfter, seconds(45));  // 10:00:15 -> 10:01:00
  EXPECT_EQ(refused.budgetId, "b");
  EXPECT_EQ(refused.limit, "requestsPerMinute");
  clock.now += seconds(44);
  EXPECT_EQ(ledger.checkRequest(b, a).retryAfter, seconds(1));
  clock.now += seconds(1);
  EXPECT_TRUE(ledger.checkRequest(b, a).allowed);
}

// A request warden refused itself after admitting it (it could not mask it)
// never reached the provider: taken back, it leaves room for the next.
TEST(BudgetLedgerTest, AReturnedRequestFreesItsPlace) {
  FakeClock clock;
  BudgetLedger ledger(clock.function());
  Budget b = budget("b");
  b.requestsPerMinute = 1;
  b.requestsPerDay = 2;
  const std::vector<const Budget*> budgets{&b};
  const Subject a = workload("a");
  const BudgetCheck admitted = ledger.checkRequest(budgets, a);
  ASSERT_TRUE(admitted.allowed);
  ledger.returnRequest(budgets, a, admitted);
  const BudgetCheck again = ledger.checkRequest(budgets, a);
  EXPECT_TRUE(again.allowed);
  EXPECT_FALSE(ledger.checkRequest(budgets, a).allowed);  // the minute's one request is used

  // Returned after its minute turned over: the new minute keeps its count,
  // the day (the same) gives the place back.
  clock.now += seconds(45);
  ASSERT_TRUE(ledger.checkRequest(budgets, a).allowed);  // the new minute's one; the day's second
  ledger.returnRequest(budgets, a, again);
  EXPECT_FALSE(ledger.checkRequest(budgets, a).allowed);  // still one in this minute
  clock.now += minutes(1);
  EXPECT_TRUE(ledger.checkRequest(budgets, a).allowed);  // the day's second again
  clock.now += minutes(1);
  EXPECT_EQ(ledger.checkRequest(budgets, a).limit, "requestsPerDay");

  // A refusal was never counted: returning it takes nothing back.
  const BudgetCheck refused = ledger.checkRequest(budgets, a);
  ledger.returnRequest(budgets, a, refused);
  EXPECT_FALSE(ledger.checkRequest(budgets, a).allowed);
}

TEST(BudgetLedgerTest, DayWindowIsTheUtcDay) {
  FakeClock clock;
  BudgetLedger ledger(clock.function());
  Budget b = budget("daily");
  b.requestsPerDay = 1;
  const Subject a = workload("a");
  EXPECT_TRUE(ledger.checkRequest(b, a).allowed);
  clock.now += hours(3);
  BudgetCheck refused = ledger.checkRequest(b, a);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.limit, "requestsPerDay");
  EXPECT_EQ(refused.retryAfter, hours(24 - 13) - seconds(15));  // 13:00:15 -> midnight
  clock.now = sys_days(year{2026} / 11 / 24);
  EXPECT_TRUE(ledger.checkRequest(b, a).allowed);
}

TEST(BudgetLedgerTest, TokensCountAfterTheResponse) {
  FakeClock clock;
  BudgetLedger ledger(clock.function());
  Budget b = budget("tokens");
  b.tokensPerMinute = 1000;
  b.tokensPerDay = 1500;
  const Subject a = workload("a");
  EXPECT_TRUE(ledger.checkRequest(b, a).allowed);
  ledger.recordUsage(b, a, 999);
  EXPECT_TRUE(ledger.checkRequest(b, a).allowed);  // below the limit: one more response may overshoot it
  ledger.recordUsage(b, a, 10);
  BudgetCheck minute = ledger.checkRequest(b, a);
  EXPECT_FALSE(minute.allowed);
  EXPECT_EQ(minute.limit, "tokensPerMinute");
  clock.now += minutes(1);
  EXPECT_TRUE(ledger.checkRequest(b, a).allowed);
  ledger.recordUsage(b, a, 600);
  BudgetCheck day = ledger.checkRequest(b, a);
  EXPECT_FALSE(day.allowed);
  EXPECT_EQ(day.limit, "tokensPerDay");
}

TEST(BudgetLedgerTest, PerWorkloadVersusShared) {
  FakeClock clock;
  BudgetLedger ledger(clock.function());
  Budget own = budget("own");
  own.requestsPerMinute = 1;
  Budget shared = budget("shared");
  shared.requestsPerMinute = 1;
  shared.perWorkload = false;
  EXPECT_TRUE(ledger.checkRequest(own, workload("a")).allowed);
  EXPECT_TRUE(ledger.checkRequest(own, workload("b")).allowed);  // its own counter
  EXPECT_FALSE(ledger.checkRequest(own, workload("a")).allowed);
  EXPECT_TRUE(ledger.checkRequest(shared, workload("a")).allowed);
  EXPECT_FALSE(ledger.checkRequest(shared, workload("b")).allowed);  // one counter for all
}

TEST(BudgetLedgerTest, RefusedRequestsAreNotCountedAndTheLongestWaitWins) {
  FakeClock clock;
  BudgetLedger ledger(clock.function());
  Budget perMinute = budget("m");
  perMinute.requestsPerMinute = 1;
  Budget perDay = budget("d");
  perDay.requestsPerDay = 2;
  const Subject a = workload("a");
  const std::vector<const Budget*> both = {&perMinute, &perDay};
  EXPECT_TRUE(ledger.checkRequest(both, a).allowed);
  EXPECT_FALSE(ledger.checkRequest(both, a).allowed);  // the minute is used up; the day is not charged
  clock.now += minutes(1);
  EXPECT_TRUE(ledger.checkRequest(both, a).allowed);   // the day's second request
  BudgetCheck refused = ledger.checkRequest(both, a);  // both exhausted now
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.budgetId, "d");
  EXPECT_EQ(refused.limit, "requestsPerDay");
}

TEST(BudgetLedgerTest, CountersAreBoundedLeastRecentlyUsedFirst) {
  FakeClock clock;
  BudgetLedger ledger(clock.function(), 2);
  Budget b = budget("b");
  b.requestsPerMinute = 1;
  EXPECT_TRUE(ledger.checkRequest(b, workload("a")).allowed);
  EXPECT_TRUE(ledger.checkRequest(b, workload("b")).allowed);
  EXPECT_FALSE(ledger.checkRequest(b, workload("a")).allowed);  // a is now the most recent
  EXPECT_TRUE(ledger.checkRequest(b, workload("c")).allowed);   // evicts b
  EXPECT_EQ(ledger.counterCount(), 2u);
  EXPECT_FALSE(ledger.checkRequest(b, workload("a")).allowed);  // kept
  EXPECT_TRUE(ledger.checkRequest(b, workload("b")).allowed);   // forgotten, starts again
}

TEST(BudgetLedgerTest, EstimateIsFourBytesPerTokenRoundedUp) {
  EXPECT_EQ(estimateTokens(0), 0u);
  EXPECT_EQ(estimateTokens(1), 1u);
  EXPECT_EQ(estimateTokens(4000), 1000u);
  EXPECT_EQ(estimateTokens(4001), 1001u);
}

}  // namespace
}  // namespace warden::access
