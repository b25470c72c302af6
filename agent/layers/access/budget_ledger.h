// Usage counters for the policies' budgets. Windows are fixed, not sliding:
// the UTC minute (hh:mm:00 to hh:mm:59) and the UTC day; a counter starts
// from zero when its window turns over. Counters are per (budget, workload)
// (per: workload) or per budget (per: rule), kept in an LRU of bounded size:
// a workload evicted after long silence starts again from zero.
//
// Counters are keyed by budget id, so they survive a policy reload; a budget
// whose limits change is checked against the new limits from then on.
// Thread-safe (one mutex: each call is a few map operations).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/wall_clock.h"
#include "layers/access/access_request.h"
#include "layers/access/policy.h"

namespace warden::access {

inline constexpr size_t kDefaultBudgetCounters = 100'000;

struct BudgetCheck {
  bool allowed = true;
  std::chrono::seconds retryAfter{0};  // when !allowed: until the exhausted window turns over
  std::string budgetId;                // the budget that refused
  std::string limit;                   // which limit: requestsPerMinute, tokensPerDay, ...
  // When allowed: the windows the request was counted in (see returnRequest).
  int64_t minute = 0;
  int64_t day = 0;
};

class BudgetLedger {
 public:
  explicit BudgetLedger(WallClock clock = systemWallClock(), size_t maxCounters = kDefaultBudgetCounters);

  // Admits a request when every budget has room (request counts below
  // their limits, token counts not yet at theirs) and then counts it against
  // each; a refused request is not counted. retryAfter is the longest wait
  // among the exhausted limits.
  BudgetCheck checkRequest(const std::vector<const Budget*>& budgets, const Subject& subject);
  BudgetCheck checkRequest(const Budget& budget, const Subject& subject);

  // Takes back a request checkRequest admitted (`admitted` is its answer)
  // that warden then refused itself: it never reached the provider. A window
  // that has turned over since keeps its count at zero.
  void returnRequest(const std::vector<const Budget*>& budgets, const Subject& subject, const BudgetCheck& admitted);

  // Tokens the exchange used, after the response (the provider's usage, or
  // estimateTokens() when it reported none). Tokens may overshoot a limit by
  // one response: the next request is the one refused.
  void recordUsage(const std::vector<const Budget*>& budgets, const Subject& subject, uint64_t tokens);
  void recordUsage(const Budget& budget, const Subject& subject, uint64_t tokens);

  size_t counterCount() const;

 private:
  struct Counter {
    int64_t minute = -1;  // minutes since the epoch of the current minute window
    int64_t day = -1;     // days since the epoch of the current day window
    uint64_t requestsMinute = 0, tokensMinute = 0, requestsDay = 0, tokensDay = 0;
  };
  using Order = std::list<std::pair<std::string, Counter>>;

  Counter& counterFor(const Budget& budget, const Subject& subject, int64_t minute, int64_t day, size_t pinned);

  WallClock clock_;
  size_t maxCounters_;
  mutable std::mutex mutex_;
  Order order_;  // most recently used first
  std::unordered_map<std::string, Order::iterator> counters_;
};

// Tokens of a prompt the provider did not count: about four bytes of text
// per token, which is the usual ratio for English with BPE tokenizers.
// Rounds up, so a non-empty prompt costs at least one token.
inline uint64_t estimateTokens(size_t promptBytes) { return (promptBytes + 3) / 4; }

}  // namespace warden::access
