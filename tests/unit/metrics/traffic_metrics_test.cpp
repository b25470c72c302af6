// The data path's families: names, labels and the workload bound.
#include "metrics/traffic_metrics.h"

#include <gtest/gtest.h>

#include "text_format_reader.h"

namespace warden::metrics {
namespace {

using test::parsePage;
using namespace std::chrono_literals;

std::unique_ptr<TrafficMetrics> makeMetrics(Registry& registry) {
  auto metrics = TrafficMetrics::create(registry);
  EXPECT_TRUE(metrics) << metrics.error().message;
  return metrics ? std::move(metrics.value()) : nullptr;
}

TEST(TrafficMetricsTest, ARequestIsCountedWithItsLabelsAndTimed) {
  Registry registry;
  auto metrics = makeMetrics(registry);
  ASSERT_NE(metrics, nullptr);
  RequestSample sample;
  sample.provider = "openai";
  sample.operation = "chat_completions";
  sample.decision = "deny";
  sample.verdict = "block";
  sample.workload = "python3";
  sample.duration = 1500ms;
  sample.validationDuration = 2ms;
  metrics->recordRequest(sample);
  metrics->recordDetection("injection.ignore_previous", "prompt_injection");
  metrics->recordDetection("injection.ignore_previous", "prompt_injection");
  metrics->recordConnection(ConnectionMode::Plain);
  metrics->recordConnection(ConnectionMode::Intercept);
  metrics->recordConnection(ConnectionMode::Intercept);
  metrics->recordHandshakeFailure();
  metrics->recordUpstreamError();

  const auto page = parsePage(registry.render());
  ASSERT_EQ(page.error, "");
  EXPECT_EQ(page.value("warden_requests_total", {{"provider", "openai"},
                                                 {"operation", "chat_completions"},
                                                 {"decision", "deny"},
                                                 {"verdict", "block"},
                                                 {"workload", "python3"}}),
            1.0);
  EXPECT_EQ(page.value("warden_request_duration_seconds_bucket", {{"provider", "openai"}, {"le", "1"}}), 0.0);
  EXPECT_EQ(page.value("warden_request_duration_seconds_bucket", {{"provider", "openai"}, {"le", "2.5"}}), 1.0);
  EXPECT_DOUBLE_EQ(*page.value("warden_request_duration_seconds_sum", {{"provider", "openai"}}), 1.5);
  EXPECT_EQ(page.value("warden_validation_duration_seconds_bucket", {{"le", "0.001"}}), 0.0);
  EXPECT_EQ(page.value("warden_validation_duration_seconds_bucket", {{"le", "0.0025"}}), 1.0);
  EXPECT_EQ(
      page.value("warden_detections_total", {{"rule", "injection.ignore_previous"}, {"category", "prompt_injection"}}),
      2.0);
  EXPECT_EQ(page.value("warden_connections_total", {{"mode", "plain"}}), 1.0);
  EXPECT_EQ(page.value("warden_connections_total", {{"mode", "intercept"}}), 2.0);
  EXPECT_EQ(page.value("warden_handshake_failures_total"), 1.0);
  EXPECT_EQ(page.value("warden_upstream_errors_total"), 1.0);
  // The request buckets span a millisecond to a minute.
  EXPECT_TRUE(page.value("warden_request_duration_seconds_bucket", {{"provider", "openai"}, {"le", "0.001"}}));
  EXPECT_TRUE(page.value("warden_request_duration_seconds_bucket", {{"provider", "openai"}, {"le", "60"}}));
}

TEST(TrafficMetricsTest, ARequestWithoutValidationIsNotTimedAsOne) {
  Registry registry;
  auto metrics = makeMetrics(registry);
  ASSERT_NE(metrics, nullptr);
  metrics->recordRequest(RequestSample{});  // every label "none"/"unknown"
  const auto page = parsePage(registry.render());
  ASSERT_EQ(page.error, "");
  EXPECT_EQ(page.value("warden_requests_total", {{"provider", "none"},
                                                 {"operation", "none"},
                                                 {"decision", "none"},
                                                 {"verdict", "none"},
                                                 {"workload", "unknown"}}),
            1.0);
  EXPECT_EQ(page.value("warden_validation_duration_seconds_count"), 0.0);
}

TEST(TrafficMetricsTest, WorkloadsPastTheBoundAreCountedAsOther) {
  Registry registry;
  auto metrics = makeMetrics(registry);
  ASSERT_NE(metrics, nullptr);
  constexpr size_t kExtra = 50;
  for (size_t i = 0; i < TrafficMetrics::kMaxWorkloads + kExtra; ++i) {
    RequestSample sample;
    const std::string workload = "worker" + std::to_string(i);
    sample.workload = workload;
    metrics->recordRequest(sample);
  }
  const auto page = parsePage(registry.render());
  ASSERT_EQ(page.error, "");
  const auto series = page.all("warden_requests_total");
  EXPECT_EQ(series.size(), TrafficMetrics::kMaxWorkloads + 1);
  const std::map<std::string, std::string> labels = {
      {"provider", "none"}, {"operation", "none"}, {"decision", "none"}, {"verdict", "none"}};
  auto withWorkload = [&](const std::string& workload) {
    auto all = labels;
    all["workload"] = workload;
    return all;
  };
  EXPECT_EQ(page.value("warden_requests_total", withWorkload("worker0")), 1.0);
  EXPECT_EQ(page.value("warden_requests_total", withWorkload("worker199")), 1.0);
  EXPECT_FALSE(page.value("warden_requests_total", withWorkload("worker200")));
  EXPECT_EQ(page.value("warden_requests_total", withWorkload("other")), double(kExtra));
}

TEST(TrafficMetricsTest, ASecondSetOnOneRegistryIsRefused) {
  Registry registry;
  ASSERT_NE(makeMetrics(registry), nullptr);
  auto again = TrafficMetrics::create(registry);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("warden_requests_total"), std::string::npos) << again.error().message;
}

}  // namespace
}  // namespace warden::metrics
