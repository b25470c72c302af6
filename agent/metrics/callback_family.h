// A family whose values are read at scrape time from state the agent keeps
// anyway (spool size, sink lag, the BPF programs' counters), so the data
// path does nothing for it. The callback runs on the metrics server's
// thread: it must be thread-safe and quick (atomics, a snapshot).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "metrics/family.h"
#include "metrics/sharded_series.h"

namespace warden::metrics {

struct Sample {
  LabelValues labels;  // in the order of the family's labels
  double value = 0;
};

using Collect = std::function<std::vector<Sample>()>;

// Counter: a total that only grows (reset only by a restart); gauge: a
// level that goes up and down.
enum class CallbackKind { Counter, Gauge };

class CallbackFamily final : public Family {
 public:
  CallbackFamily(FamilySpec spec, CallbackKind kind, Collect collect);
  // Samples with the wrong number of label values are left out.
  void render(std::string& out) const override;

 private:
  const CallbackKind kind_;
  const Collect collect_;
};

}  // namespace warden::metrics
