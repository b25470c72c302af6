// A histogram per set of label values: counts per bucket (rendered
// cumulative, as _bucket{le="..."} up to +Inf), _sum and _count.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/family.h"
#include "metrics/sharded_series.h"

namespace warden::metrics {

class HistogramFamily final : public Family {
 public:
  // `bounds`: the buckets' upper bounds, finite and strictly increasing
  // (Registry checks); +Inf is implied.
  HistogramFamily(FamilySpec spec, std::vector<double> bounds);

  // NaN is ignored.
  void observe(LabelView values, double value);
  void observe(std::initializer_list<std::string_view> values, double value) {
    observe(LabelView(values.begin(), values.size()), value);
  }
  void observe(double value) { observe(LabelView(), value); }

  const std::vector<double>& bounds() const { return bounds_; }
  void render(std::string& out) const override;

 private:
  struct Cell {
    std::vector<uint64_t> counts;  // per bucket, not cumulative; the last is (highest bound, +Inf)
    double sum = 0;
    uint64_t count = 0;
  };

  void renderSeries(std::string& out, const LabelValues& values, const Cell& cell) const;

  const std::vector<double> bounds_;
  std::vector<std::string> boundTexts_;  // the le label of each bound
  ShardedSeries<Cell> series_;
};

}  // namespace warden::metrics
