// A counter per set of label values (warden_requests_total{provider,...}).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "metrics/family.h"
#include "metrics/sharded_series.h"

namespace warden::metrics {

class CounterFamily final : public Family {
 public:
  explicit CounterFamily(FamilySpec spec);

  // `values` in the order of the family's labels; a call with the wrong
  // number of values is a bug and is ignored.
  void add(LabelView values, uint64_t by = 1);
  void add(std::initializer_list<std::string_view> values, uint64_t by = 1) {
    add(LabelView(values.begin(), values.size()), by);
  }
  // A family without labels.
  void add(uint64_t by = 1) { add(LabelView(), by); }

  void render(std::string& out) const override;

 private:
  ShardedSeries<uint64_t> series_;
};

}  // namespace warden::metrics
