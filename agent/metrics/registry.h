// The agent's metrics: families registered once at startup (a name is
// taken once), updated from any thread, rendered as one Prometheus text
// page (format 0.0.4) in registration order.
//
// Families are owned here and live as long as the registry; the data path
// keeps the pointers it was given. Registering takes a lock, updating a
// counter or histogram takes none that another worker holds (see
// sharded_series.h), and rendering runs the callbacks of CallbackFamily
// under the registry's lock: a callback must not register families.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "metrics/callback_family.h"
#include "metrics/counter_family.h"
#include "metrics/histogram_family.h"

namespace warden::metrics {

class Registry {
 public:
  Result<CounterFamily*> addCounter(FamilySpec spec);
  // `bounds`: finite, strictly increasing upper bounds of the buckets.
  Result<HistogramFamily*> addHistogram(FamilySpec spec, std::vector<double> bounds);
  // Values read by `collect` at every scrape.
  Status addCallback(FamilySpec spec, CallbackKind kind, Collect collect);

  std::string render() const;

 private:
  // Names, labels and bounds are the caller's constants: a bad one is a bug
  // reported with the family's name.
  Status check(const FamilySpec& spec, bool bounded) const;

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family>> families_;
};

}  // namespace warden::metrics
