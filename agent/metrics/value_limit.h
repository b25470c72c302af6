// Bounds how many distinct values one label takes. Values from outside the
// agent (the executable name a process gives itself) could otherwise make
// a series per value and grow the agent's memory and every scrape without
// end: the first `limit` distinct values are kept, later ones are counted
// under `overflow` ("other").
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

namespace warden::metrics {

class ValueLimit {
 public:
  ValueLimit(size_t limit, std::string overflow);

  // `value` when it is (or now becomes) one of the kept values, else the
  // overflow value. The view stays valid as long as this object.
  std::string_view admit(std::string_view value);
  size_t kept() const;
  const std::string& overflow() const { return overflow_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  const size_t limit_;
  const std::string overflow_;
  mutable std::mutex mutex_;
  std::unordered_set<std::string, Hash, std::equal_to<>> kept_;
};

}  // namespace warden::metrics
