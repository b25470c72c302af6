// The figures of a binary detector: confusion counts and the rates derived
// from them. A rate over no rows is NaN, printed as "n/a", never as 0 or 1.
#pragma once

#include <cstddef>
#include <vector>

namespace warden::tools {

struct Rate {
  size_t hits = 0;
  size_t total = 0;

  void add(bool hit) {
    hits += hit;
    ++total;
  }
  double value() const;
};

struct Confusion {
  size_t truePositives = 0;
  size_t falsePositives = 0;
  size_t trueNegatives = 0;
  size_t falseNegatives = 0;

  void add(bool actual, bool predicted);
  double precision() const;
  double recall() const;
  double f1() const;
  double falsePositiveRate() const;
  double balancedAccuracy() const;
};

// Nearest-rank percentile (p in [0, 1]) of unsorted samples; NaN if empty.
double percentile(std::vector<double> samples, double p);

}  // namespace warden::tools
