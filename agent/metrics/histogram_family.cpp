#include "metrics/histogram_family.h"

#include <algorithm>
#include <cmath>

#include "metrics/exposition.h"

namespace warden::metrics {

HistogramFamily::HistogramFamily(FamilySpec spec, std::vector<double> bounds)
    : Family(std::move(spec)),
      bounds_(std::move(bounds)),
      series_(limitsOf(spec_), Cell{std::vector<uint64_t>(bounds_.size() + 1, 0), 0, 0}) {
  for (double bound : bounds_) {
    std::string text;
    appendValue(text, bound);
    boundTexts_.push_back(std::move(text));
  }
}

void HistogramFamily::observe(LabelView values, double value) {
  if (values.size() != spec_.labels.size() || std::isnan(value)) return;
  // The first bucket whose bound is >= value (le: less than or equal).
  const size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  series_.update(values, [bucket, value](Cell& cell) {
    ++cell.counts[bucket];
    cell.sum += value;
    ++cell.count;
  });
}

void HistogramFamily::render(std::string& out) const {
  appendHeader(out, spec_.name, spec_.help, "histogram");
  const auto all = series_.merged([](Cell& total, const Cell& cell) {
    for (size_t i = 0; i < total.counts.size(); ++i) total.counts[i] += cell.counts[i];
    total.sum += cell.sum;
    total.count += cell.count;
  });
  if (all.empty() && spec_.labels.empty()) {
    renderSeries(out, {}, Cell{std::vector<uint64_t>(bounds_.size() + 1, 0), 0, 0});
    return;
  }
  for (const auto& [values, cell] : all) renderSeries(out, values, cell);
}

void HistogramFamily::renderSeries(std::string& out, const LabelValues& values, const Cell& cell) const {
  const std::string bucketName = spec_.name + "_bucket";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += cell.counts[i];
    appendSeriesName(out, bucketName, spec_.labels, values, "le", boundTexts_[i]);
    out += ' ';
    appendValue(out, cumulative);
    out += '\n';
  }
  appendSeriesName(out, bucketName, spec_.labels, values, "le", "+Inf");
  out += ' ';
  appendValue(out, cell.count);
  out += '\n';
  appendSeriesName(out, spec_.name + "_sum", spec_.labels, values);
  out += ' ';
  appendValue(out, cell.sum);
  out += '\n';
  appendSeriesName(out, spec_.name + "_count", spec_.labels, values);
  out += ' ';
  appendValue(out, cell.count);
  out += '\n';
}

}  // namespace warden::metrics
