#include "metrics/registry.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "metrics/exposition.h"

namespace warden::metrics {

Status Registry::check(const FamilySpec& spec, bool bounded) const {
  const std::string what = "register metric " + spec.name;
  if (!isValidMetricName(spec.name)) return Error{what + ": not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)"};
  std::set<std::string> seen;
  for (const auto& label : spec.labels) {
    if (!isValidLabelName(label)) return Error{what + ": label \"" + label + "\" is not a valid label name"};
    if (!seen.insert(label).second) return Error{what + ": label \"" + label + "\" is named twice"};
  }
  if (!bounded && !spec.bounds.empty()) return Error{what + ": only counters and histograms take label bounds"};
  for (const auto& bound : spec.bounds) {
    if (seen.count(bound.label) == 0)
      return Error{what + ": bound on \"" + bound.label + "\", which is no label of it"};
    if (bound.limit == 0) return Error{what + ": the bound on \"" + bound.label + "\" keeps no values"};
  }
  for (const auto& family : families_) {
    if (family->name() == spec.name) return Error{what + ": the name is registered already"};
  }
  return {};
}

Result<CounterFamily*> Registry::addCounter(FamilySpec spec) {
  std::lock_guard lock(mutex_);
  if (auto checked = check(spec, true); !checked) return checked.error();
  auto family = std::make_unique<CounterFamily>(std::move(spec));
  CounterFamily* counter = family.get();
  families_.push_back(std::move(family));
  return counter;
}

Result<HistogramFamily*> Registry::addHistogram(FamilySpec spec, std::vector<double> bounds) {
  std::lock_guard lock(mutex_);
  if (auto checked = check(spec, true); !checked) return checked.error();
  if (std::find(spec.labels.begin(), spec.labels.end(), "le") != spec.labels.end()) {
    return Error{"register metric " + spec.name + ": a histogram's label \"le\" is its buckets'"};
  }
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      return Error{"register metric " + spec.name + ": bucket bounds must be finite and strictly increasing"};
    }
  }
  auto family = std::make_unique<HistogramFamily>(std::move(spec), std::move(bounds));
  HistogramFamily* histogram = family.get();
  families_.push_back(std::move(family));
  return histogram;
}

Status Registry::addCallback(FamilySpec spec, CallbackKind kind, Collect collect) {
  std::lock_guard lock(mutex_);
  if (auto checked = check(spec, false); !checked) return checked.error();
  if (!collect) return Error{"register metric " + spec.name + ": no callback given"};
  families_.push_back(std::make_unique<CallbackFamily>(std::move(spec), kind, std::move(collect)));
  return {};
}

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& family : families_) family->render(out);
  return out;
}

}  // namespace warden::metrics
