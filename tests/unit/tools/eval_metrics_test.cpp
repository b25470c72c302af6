#include "eval/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace warden::tools {
namespace {

TEST(EvalMetricsTest, ConfusionRates) {
  Confusion c;
  for (int i = 0; i < 8; ++i) c.add(true, true);
  for (int i = 0; i < 2; ++i) c.add(true, false);
  c.add(false, true);
  for (int i = 0; i < 89; ++i) c.add(false, false);
  EXPECT_EQ(c.truePositives, 8u);
  EXPECT_EQ(c.falseNegatives, 2u);
  EXPECT_EQ(c.falsePositives, 1u);
  EXPECT_EQ(c.trueNegatives, 89u);
  EXPECT_DOUBLE_EQ(c.precision(), 8.0 / 9);
  EXPECT_DOUBLE_EQ(c.recall(), 0.8);
  EXPECT_DOUBLE_EQ(c.falsePositiveRate(), 1.0 / 90);
  EXPECT_DOUBLE_EQ(c.f1(), 2 * (8.0 / 9) * 0.8 / (8.0 / 9 + 0.8));
  EXPECT_DOUBLE_EQ(c.balancedAccuracy(), (0.8 + 89.0 / 90) / 2);
}

TEST(EvalMetricsTest, RatesOverNothingAreNotANumber) {
  Confusion c;
  EXPECT_TRUE(std::isnan(c.recall()));
  EXPECT_TRUE(std::isnan(c.balancedAccuracy()));
  EXPECT_TRUE(std::isnan(Rate{}.value()));
  EXPECT_TRUE(std::isnan(percentile({}, 0.5)));
}

TEST(EvalMetricsTest, NearestRankPercentile) {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  EXPECT_DOUBLE_EQ(percentile(v, 0.5), 50);
  EXPECT_DOUBLE_EQ(percentile(v, 0.99), 99);
  EXPECT_DOUBLE_EQ(percentile(v, 1.0), 100);
  EXPECT_DOUBLE_EQ(percentile(v, 0.0), 1);
}

}  // namespace
}  // namespace warden::tools
