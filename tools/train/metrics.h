// Detection rates of scored examples at one threshold: false-positive rate per
// benign source and recall per attack source, since pooled rates hide a
// source the model fails on.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "train/training_set.h"

namespace warden::tools {

struct ScoredExample {
  const Example* example = nullptr;
  double score = 0;
};

struct SourceRate {
  std::string name;  // benign: source; positive: "label source"
  size_t total = 0;
  size_t flagged = 0;
  double rate() const { return total == 0 ? 0.0 : static_cast<double>(flagged) / static_cast<double>(total); }
};

struct Metrics {
  std::vector<SourceRate> negatives;
  std::vector<SourceRate> positives;
  double recall = 0;
  double falsePositiveRate = 0;
  double balancedAccuracy = 0;
  double worstSourceFpr = 0;
  double rocAuc = 0;  // threshold-free, pooled
};

Metrics measure(const std::vector<ScoredExample>& scored, double threshold);

void printMetrics(std::ostream& out, const Metrics& metrics, double threshold);

// As above, with `where` in place of "threshold X" (decisions made at
// several thresholds).
void printMetrics(std::ostream& out, const Metrics& metrics, std::string_view where);

}  // namespace warden::tools
