#include "metrics/value_limit.h"

namespace warden::metrics {

ValueLimit::ValueLimit(size_t limit, std::string overflow) : limit_(limit), overflow_(std::move(overflow)) {}

std::string_view ValueLimit::admit(std::string_view value) {
  std::lock_guard lock(mutex_);
  if (auto it = kept_.find(value); it != kept_.end()) return *it;
  // The overflow value itself is always allowed: it names the rest.
  if (value == overflow_ || kept_.size() >= limit_) return overflow_;
  return *kept_.emplace(value).first;
}

size_t ValueLimit::kept() const {
  std::lock_guard lock(mutex_);
  return kept_.size();
}

}  // namespace warden::metrics
