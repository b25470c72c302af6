#include "layers/access/budget_ledger.h"

#include <algorithm>

namespace warden::access {
namespace {

constexpr int64_t kSecondsPerMinute = 60;
constexpr int64_t kSecondsPerDay = 86'400;

// A limit that is exhausted: `used` has reached it (requests: the next one
// would exceed it).
bool exhausted(const std::optional<uint64_t>& limit, uint64_t used) { return limit && used >= *limit; }

// '\n' cannot appear in an id, so the two parts never run together.
std::string keyOf(const Budget& budget, const Subject& subject) {
  return budget.perWorkload ? budget.id + "\n" + subject.workloadKey : budget.id;
}

}  // namespace

BudgetLedger::BudgetLedger(WallClock clock, size_t maxCounters)
    : clock_(std::move(clock)), maxCounters_(std::max<size_t>(maxCounters, 1)) {}

BudgetLedger::Counter& BudgetLedger::counterFor(const Budget& budget, const Subject& subject, int64_t minute,
                                                int64_t day, size_t pinned) {
  std::string key = keyOf(budget, subject);
  auto it = counters_.find(key);
  if (it != counters_.end()) {
    order_.splice(order_.begin(), order_, it->second);
  } else {
    // The `pinned` most recent entries are counters this call still holds.
    if (counters_.size() >= maxCounters_ && counters_.size() > pinned) {
      counters_.erase(order_.back().first);
      order_.pop_back();
    }
    order_.emplace_front(key, Counter{});
    it = counters_.emplace(std::move(key), order_.begin()).first;
  }
  Counter& c = it->second->second;
  if (c.minute != minute) {
    c.minute = minute;
    c.requestsMinute = c.tokensMinute = 0;
  }
  if (c.day != day) {
    c.day = day;
    c.requestsDay = c.tokensDay = 0;
  }
  return c;
}

BudgetCheck BudgetLedger::checkRequest(const std::vector<const Budget*>& budgets, const Subject& subject) {
  BudgetCheck result;
  if (budgets.empty()) return result;
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
  const int64_t minute = now / kSecondsPerMinute - (now % kSecondsPerMinute < 0 ? 1 : 0);
  const int64_t day = now / kSecondsPerDay - (now % kSecondsPerDay < 0 ? 1 : 0);
  const std::chrono::seconds toNextMinute((minute + 1) * kSecondsPerMinute - now);
  const std::chrono::seconds toNextDay((day + 1) * kSecondsPerDay - now);

  std::lock_guard lock(mutex_);
  std::vector<Counter*> counters;
  counters.reserve(budgets.size());
  for (const Budget* budget : budgets) {
    Counter& c = counterFor(*budget, subject, minute, day, counters.size());
    counters.push_back(&c);
    const auto refuse = [&](const char* limit, std::chrono::seconds wait) {
      if (result.allowed || wait > result.retryAfter) {
        result.retryAfter = wait;
        result.budgetId = budget->id;
        result.limit = limit;
      }
      result.allowed = false;
    };
    if (exhausted(budget->requestsPerMinute, c.requestsMinute)) refuse("requestsPerMinute", toNextMinute);
    if (exhausted(budget->tokensPerMinute, c.tokensMinute)) refuse("tokensPerMinute", toNextMinute);
    if (exhausted(budget->requestsPerDay, c.requestsDay)) refuse("requestsPerDay", toNextDay);
    if (exhausted(budget->tokensPerDay, c.tokensDay)) refuse("tokensPerDay", toNextDay);
  }
  if (!result.allowed) return result;
  for (Counter* c : counters) {
    ++c->requestsMinute;
    ++c->requestsDay;
  }
  result.minute = minute;
  result.day = day;
  return result;
}

void BudgetLedger::returnRequest(const std::vector<const Budget*>& budgets, const Subject& subject,
                                 const BudgetCheck& admitted) {
  if (budgets.empty() || !admitted.allowed) return;
  std::lock_guard lock(mutex_);
  for (const Budget* budget : budgets) {
    const auto it = counters_.find(keyOf(*budget, subject));
    if (it == counters_.end()) continue;  // evicted since: nothing left to take back
    Counter& c = it->second->second;
    if (c.minute == admitted.minute && c.requestsMinute > 0) --c.requestsMinute;
    if (c.day == admitted.day && c.requestsDay > 0) --c.requestsDay;
  }
}

BudgetCheck BudgetLedger::checkRequest(const Budget& budget, const Subject& subject) {
  return checkRequest(std::vector<const Budget*>{&budget}, subject);
}

void BudgetLedger::recordUsage(const std::vector<const Budget*>& budgets, const Subject& subject, uint64_t tokens) {
  if (budgets.empty() || tokens == 0) return;
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
  const int64_t minute = now / kSecondsPerMinute - (now % kSecondsPerMinute < 0 ? 1 : 0);
  const int64_t day = now / kSecondsPerDay - (now % kSecondsPerDay < 0 ? 1 : 0);
  std::lock_guard lock(mutex_);
  for (const Budget* budget : budgets) {
    Counter& c = counterFor(*budget, subject, minute, day, 0);
    c.tokensMinute += tokens;
    c.tokensDay += tokens;
  }
}

void BudgetLedger::recordUsage(const Budget& budget, const Subject& subject, uint64_t tokens) {
  recordUsage(std::vector<const Budget*>{&budget}, subject, tokens);
}

size_t BudgetLedger::counterCount() const {
  std::lock_guard lock(mutex_);
  return counters_.size();
}

}  // namespace warden::access
