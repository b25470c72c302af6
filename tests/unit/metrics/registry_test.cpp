// The registry's families rendered in the text format and read back.
#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

#include "metrics/exposition.h"
#include "text_format_reader.h"

namespace warden::metrics {
namespace {

using test::parsePage;

CounterFamily* addCounter(Registry& registry, FamilySpec spec) {
  auto counter = registry.addCounter(std::move(spec));
  EXPECT_TRUE(counter) << counter.error().message;
  return counter ? *counter : nullptr;
}

HistogramFamily* addHistogram(Registry& registry, FamilySpec spec, std::vector<double> bounds) {
  auto histogram = registry.addHistogram(std::move(spec), std::move(bounds));
  EXPECT_TRUE(histogram) << histogram.error().message;
  return histogram ? *histogram : nullptr;
}

TEST(RegistryTest, RendersCountersWithHelpTypeAndOneSeriesPerLabelSet) {
  Registry registry;
  auto* requests = addCounter(registry, {"test_requests_total", "Requests by provider", {"provider", "verdict"}});
  ASSERT_NE(requests, nullptr);
  requests->add({"openai", "allow"});
  requests->add({"openai", "allow"}, 2);
  requests->add({"anthropic", "block"});

  const auto page = parsePage(registry.render());
  ASSERT_EQ(page.error, "");
  ASSERT_EQ(page.families.count("test_requests_total"), 1u);
  EXPECT_EQ(page.families.at("test_requests_total").type, "counter");
  EXPECT_EQ(page.families.at("test_requests_total").help, "Requests by provider");
  EXPECT_EQ(page.value("test_requests_total", {{"provider", "openai"}, {"verdict", "allow"}}), 3.0);
  EXPECT_EQ(page.value("test_requests_total", {{"provider", "anthropic"}, {"verdict", "block"}}), 1.0);
  EXPECT_EQ(page.all("test_requests_total").size(), 2u);
}

TEST(RegistryTest, FamiliesWithoutLabelsShowZeroBeforeTheFirstUpdate) {
  Registry registry;
  ASSERT_NE(addCounter(registry, {"test_failures_total", "Failures"}), nullptr);
  ASSERT_NE(addCounter(registry, {"test_by_kind_total", "By kind", {"kind"}}), nullptr);
  ASSERT_NE(addHistogram(registry, {"test_seconds", "Durations"}, {0.1, 1}), nullptr);

  const auto page = parsePage(registry.render());
  ASSERT_EQ(page.error, "");
  EXPECT_EQ(page.value("test_failures_total"), 0.0);
  EXPECT_TRUE(page.all("test_by_kind_total").empty()) << "a labelled family has no series until one is seen";
  EXPECT_EQ(page.families.at("test_by_kind_total").type, "counter");
  EXPECT_EQ(page.value("test_seconds_bucket", {{"le", "+Inf"}}), 0.0);
  EXPECT_EQ(page.value("test_seconds_count"), 0.0);
}

TEST(RegistryTest, HistogramBucketsAreCumulativeAndEndWithInfEqualToCount) {
  Registry registry;
  auto* latency = addHistogram(registry, {"test_latency_seconds", "Latency", {"provider"}}, {0.001, 0.005, 0.1, 1});
  ASSERT_NE(latency, nullptr);
  for (double v : {0.0005, 0.003, 0.005, 0.05, 2.0, 100.0}) latency->observe({"openai"}, v);
  latency->observe({"gemini"}, 0.2);
  latency->observe({"openai"}, std::nan(""));  // ignored

  const auto page = parsePage(registry.render());
  ASSERT_EQ(page.error, "");
  EXPECT_EQ(page.families.at("test_latency_seconds").type, "histogram");
  const auto bucket = [&](const std::string& provider, const std::string& le) {
    return page.value("test_latency_seconds_bucket", {{"provider", provider}, {"le", le}});
  };
  EXPECT_EQ(bucket("openai", "0.001"), 1.0);
  EXPECT_EQ(bucket("openai", "0.005"), 3.0) << "a value equal to a bound is in that bucket (le)";
  EXPECT_EQ(bucket("openai", "0.1"), 4.0);
  EXPECT_EQ(bucket("openai", "1"), 4.0);
  EXPECT_EQ(bucket("openai", "+Inf"), 6.0);
  EXPECT_EQ(page.value("test_latency_seconds_count", {{"provider", "openai"}}), 6.0);
  EXPECT_DOUBLE_EQ(*page.value("test_latency_seconds_sum", {{"provider", "openai"}}),
                   0.0005 + 0.003 + 0.005 + 0.05 + 2.0 + 100.0);
  EXPECT_EQ(bucket("gemini", "0.1"), 0.0);
  EXPECT_EQ(bucket("gemini", "1"), 1.0);

  // Every series' buckets, in page order, rise with le and never fall.
  for (const std::string provider : {"openai", "gemini"}) {
    double lastLe = -1;
    double lastCount = 0;
    int buckets = 0;
    for (const auto& sample : page.all("test_latency_seconds_bucket")) {
      if (sample.labels.at("provider") != provider) continue;
      const std::string& le = sample.labels.at("le");
      const double bound = le == "+Inf" ? INFINITY : std::stod(le);
      EXPECT_GT(bound, lastLe);
      EXPECT_GE(sample.value, lastCount);
      lastLe = bound;
      lastCount = sample.value;
      ++buckets;
    }
    EXPECT_EQ(buckets, 5) << provider;
    EXPECT_EQ(lastLe, INFINITY) << "the last bucket is +Inf";
  }
}

TEST(RegistryTest, LabelValuesAndHelpAreEscapedAndReadBackUnchanged) {
  Registry registry;
  auto* counter = addCounter(registry, {"test_escaped_total", "Help with a \\ backslash\nand a newline", {"name"}});
  ASSERT_NE(counter, nullptr);
  const std::string tricky = "quote \" backslash \\ newline \n end";
  counter->add({tricky});
  counter->add({"caf\xC3\xA9"});  // valid UTF-8 stays as it is
  counter->add({"bad\xFF\xC3"});  // not UTF-8: each broken byte becomes U+FFFD

  const std::string text = registry.render();
  EXPECT_NE(text.find(R"(name="quote \" backslash \\ newline \n end")"), std::string::npos) << text;
  EXPECT_NE(text.find("# HELP test_escaped_total Help with a \\\\ backslash\\nand a newline\n"), std::string::npos)
      << text;
  const auto page = parsePage(text);
  ASSERT_EQ(page.error, "");
  EXPECT_EQ(page.value("test_escaped_total", {{"name", tricky}}), 1.0);
  EXPECT_EQ(page.value("test_escaped_total", {{"name", "caf\xC3\xA9"}}), 1.0);
  EXPECT_EQ(page.value("test_escaped_total", {{"name", "bad\xEF\xBF\xBD\xEF\xBF\xBD"}}), 1.0);
}

TEST(RegistryTest, ABoundedLabelKeepsItsFirstValuesAndCountsTheRestAsOther) {
  Registry registry;
  auto* counter = addCounter(
      registry, {"test_by_workload_total", "By workload", {"workload", "verdict"}, {{"workload", 3, "other"}}});
  ASSERT_NE(counter, nullptr);
  for (const char* workload : {"a", "b", "c", "d", "e", "a", "e"}) counter->add({workload, "allow"});
  counter->add({"z", "block"});

  const auto page = parsePage(registry.render());
  ASSERT_EQ(page.error, "");
  EXPECT_EQ(page.value("test_by_workload_total", {{"workload", "a"}, {"verdict", "allow"}}), 2.0);
  EXPECT_EQ(page.value("test_by_workload_total", {{"workload", "b"}, {"verdict", "allow"}}), 1.0);
  EXPECT_EQ(page.value("test_by_workload_total", {{"workload", "c"}, {"verdict", "allow"}}), 1.0);
  EXPECT_EQ(page.value("test_by_workload_total", {{"workload", "other"}, {"verdict", "allow"}}), 3.0);
  EXPECT_EQ(page.value("test_by_workload_total", {{"workload", "other"}, {"verdict", "block"}}), 1.0);
  EXPECT_EQ(page.all("test_by_workload_total").size(), 5u);
}

TEST(RegistryTest, ABoundIsSharedByAllThreads) {
  Registry registry;
  auto* counter = addCounter(registry, {"test_threads_total", "By name", {"name"}, {{"name", 10}}});
  ASSERT_NE(counter, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([counter, t] {
      for (int i = 0; i < 50; ++i) counter->add({"name" + std::to_string(t * 50 + i)});
    });
  }
  for (auto& thread : threads) thread.join();
  const auto page = parsePage(registry.render());
  ASSERT_EQ(page.error, "");
  const auto series = page.all("test_threads_total");
  EXPECT_EQ(series.size(), 11u) << "ten kept names and other";
  double total = 0;
  for (const auto& sample : series) total += sample.value;
  EXPECT_EQ(total, 200.0);
  EXPECT_EQ(page.value("test_threads_total", {{"name", "other"}}), 190.0);
}

TEST(RegistryTest, ConcurrentUpdatesFromManyThreadsSumExactly) {
  Registry registry;
  auto* counter = addCounter(registry, {"test_concurrent_total", "Concurrent", {"kind"}});
  auto* histogram = addHistogram(registry, {"test_concurrent_seconds", "Concurrent"}, {0.5});
  ASSERT_NE(counter, nullptr);
  ASSERT_NE(histogram, nullptr);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        counter->add({(i % 2 == 0) ? "even" : "odd"});
        histogram->observe(t % 2 == 0 ? 0.25 : 0.75);
      }
    });
  }
  // Scrapes while the threads count must not disturb them.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(parsePage(registry.render()).error, "");
  for (auto& thread : threads) thread.join();

  const auto page = parsePage(registry.render());
  ASSERT_EQ(page.error, "");
  EXPECT_EQ(page.value("test_concurrent_total", {{"kind", "even"}}), kThreads * kPerThread / 2.0);
  EXPECT_EQ(page.value("test_concurrent_total", {{"kind", "odd"}}), kThreads * kPerThread / 2.0);
  EXPECT_EQ(page.value("test_concurrent_seconds_count"), double(kThreads) * kPerThread);
  EXPECT_EQ(page.value("test_concurrent_seconds_bucket", {{"le", "0.5"}}), kThreads / 2.0 * kPerThread);
  EXPECT_DOUBLE_EQ(*page.value("test_concurrent_seconds_sum"), kThreads / 2.0 * kPerThread * (0.25 + 0.75));
}

TEST(RegistryTest, CallbackFamiliesAreReadAtEveryScrape) {
  Registry registry;
  double spool = 10;
  ASSERT_TRUE(registry.addCallback({"test_spool_bytes", "Spool size"}, CallbackKind::Gauge, [&spool] {
    return std::vector<Sample>{{{}, spool}};
  }));
  ASSERT_TRUE(registry.addCallback({"test_delivered_total", "Delivered", {"sink"}}, CallbackKind::Counter, [] {
    return std::vector<Sample>{{{"syslog"}, 7}, {{"http"}, 1.5}, {{"too", "many"}, 3}};
  }));

  auto page = parsePage(registry.render());
  ASSERT_EQ(page.error, "");
  EXPECT_EQ(page.families.at("test_spool_bytes").type, "gauge");
  EXPECT_EQ(page.families.at("test_delivered_total").type, "counter");
  EXPECT_EQ(page.value("test_spool_bytes"), 10.0);
  EXPECT_EQ(page.value("test_delivered_total", {{"sink", "syslog"}}), 7.0);
  EXPECT_EQ(page.value("test_delivered_total", {{"sink", "http"}}), 1.5);
  EXPECT_EQ(page.all("test_delivered_total").size(), 2u) << "a sample with the wrong labels is left out";

  spool = 4096;
  page = parsePage(registry.render());
  EXPECT_EQ(page.value("test_spool_bytes"), 4096.0);
}

TEST(RegistryTest, RefusesNamesAndShapesThatWouldBreakThePage) {
  Registry registry;
  ASSERT_TRUE(registry.addCounter({"test_ok_total", "ok"}));
  EXPECT_FALSE(registry.addCounter({"test_ok_total", "again"})) << "duplicate name";
  EXPECT_FALSE(registry.addCounter({"9starts_with_digit", "x"}));
  EXPECT_FALSE(registry.addCounter({"has-dash", "x"}));
  EXPECT_FALSE(registry.addCounter({"test_a_total", "x", {"bad-label"}}));
  EXPECT_FALSE(registry.addCounter({"test_b_total", "x", {"__reserved"}}));
  EXPECT_FALSE(registry.addCounter({"test_c_total", "x", {"same", "same"}}));
  EXPECT_FALSE(registry.addCounter({"test_d_total", "x", {"a"}, {{"b", 5}}})) << "bound on no label";
  EXPECT_FALSE(registry.addCounter({"test_e_total", "x", {"a"}, {{"a", 0}}})) << "bound keeps nothing";
  EXPECT_FALSE(registry.addHistogram({"test_f_seconds", "x", {"le"}}, {1}));
  EXPECT_FALSE(registry.addHistogram({"test_g_seconds", "x"}, {1, 1}));
  EXPECT_FALSE(registry.addHistogram({"test_h_seconds", "x"}, {2, 1}));
  EXPECT_FALSE(registry.addHistogram({"test_i_seconds", "x"}, {1, INFINITY}));
  EXPECT_FALSE(registry.addCallback({"test_j", "x"}, CallbackKind::Gauge, nullptr));
  EXPECT_FALSE(registry.addCallback({"test_k", "x", {"a"}, {{"a", 1}}}, CallbackKind::Gauge,
                                    [] { return std::vector<Sample>{}; }));
  auto refused = registry.addCounter({"has-dash", "x"});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("has-dash"), std::string::npos) << refused.error().message;
  EXPECT_EQ(parsePage(registry.render()).families.size(), 1u);
}

TEST(RegistryTest, ACallWithTheWrongNumberOfLabelValuesChangesNothing) {
  Registry registry;
  auto* counter = addCounter(registry, {"test_two_total", "x", {"a", "b"}});
  ASSERT_NE(counter, nullptr);
  counter->add({"only one"});
  counter->add({"1", "2", "3"});
  EXPECT_TRUE(parsePage(registry.render()).all("test_two_total").empty());
}

TEST(ExpositionTest, WritesNumbersAsScrapersReadThem) {
  const auto text = [](double value) {
    std::string out;
    appendValue(out, value);
    return out;
  };
  EXPECT_EQ(text(0), "0");
  EXPECT_EQ(text(42), "42");
  EXPECT_EQ(text(-3), "-3");
  EXPECT_EQ(text(1e15), "1000000000000000");
  EXPECT_EQ(text(0.001), "0.001");
  EXPECT_EQ(text(0.25), "0.25");
  EXPECT_EQ(text(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(text(1e-7), "1e-07");
  EXPECT_EQ(std::stod(text(1e300)), 1e300);
  EXPECT_EQ(text(INFINITY), "+Inf");
  EXPECT_EQ(text(-INFINITY), "-Inf");
  EXPECT_EQ(text(std::nan("")), "NaN");
  std::string big;
  appendValue(big, uint64_t{18446744073709551615u});
  EXPECT_EQ(big, "18446744073709551615");
}

TEST(ExpositionTest, NamesFollowTheFormatsRules) {
  EXPECT_TRUE(isValidMetricName("warden_requests_total"));
  EXPECT_TRUE(isValidMetricName("job:rate5m"));
  EXPECT_FALSE(isValidMetricName(""));
  EXPECT_FALSE(isValidMetricName("1x"));
  EXPECT_FALSE(isValidMetricName("a b"));
  EXPECT_TRUE(isValidLabelName("provider"));
  EXPECT_TRUE(isValidLabelName("_x1"));
  EXPECT_FALSE(isValidLabelName("job:x"));
  EXPECT_FALSE(isValidLabelName("__name__"));
  EXPECT_FALSE(isValidLabelName("1a"));
}

}  // namespace
}  // namespace warden::metrics
