#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace warden::tools {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio(size_t a, size_t b) { return b == 0 ? kNaN : static_cast<double>(a) / static_cast<double>(b); }

}  // namespace

double Rate::value() const { return ratio(hits, total); }

void Confusion::add(bool actual, bool predicted) {
  if (actual) {
    ++(predicted ? truePositives : falseNegatives);
  } else {
    ++(predicted ? falsePositives : trueNegatives);
  }
}

double Confusion::precision() const { return ratio(truePositives, truePositives + falsePositives); }
double Confusion::recall() const { return ratio(truePositives, truePositives + falseNegatives); }
double Confusion::falsePositiveRate() const { return ratio(falsePositives, falsePositives + trueNegatives); }

double Confusion::f1() const {
  const double p = precision();
  const double r = recall();
  if (std::isnan(p) || std::isnan(r)) return kNaN;
  return p + r == 0 ? 0 : 2 * p * r / (p + r);
}

double Confusion::balancedAccuracy() const { return (recall() + (1 - falsePositiveRate())) / 2; }

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return kNaN;
  const auto rank = static_cast<size_t>(std::ceil(std::clamp(p, 0.0, 1.0) * static_cast<double>(samples.size())));
  const size_t index = rank == 0 ? 0 : rank - 1;
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(index), samples.end());
  return samples[index];
}

}  // namespace warden::tools
