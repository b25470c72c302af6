#include "metrics/traffic_metrics.h"

#include <vector>

namespace warden::metrics {
namespace {

// Request latency, from a cached answer (about a millisecond) to a long
// generation streamed for a minute.
const std::vector<double> kRequestBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                             0.5,   1,      2.5,   5,    10,    20,   30,  60};
// The validation layer: tens of microseconds for a short prompt to seconds
// for megabytes of text.
const std::vector<double> kValidationBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                0.05,   0.1,     0.25,   0.5,   1,      2.5,   5};

double seconds(std::chrono::microseconds duration) { return std::chrono::duration<double>(duration).count(); }

}  // namespace

std::string_view connectionModeName(ConnectionMode mode) {
  switch (mode) {
    case ConnectionMode::Intercept:
      return "intercept";
    case ConnectionMode::Tunnel:
      return "tunnel";
    case ConnectionMode::Plain:
      return "plain";
  }
  return "unknown";
}

Result<std::unique_ptr<TrafficMetrics>> TrafficMetrics::create(Registry& registry) {
  std::unique_ptr<TrafficMetrics> metrics(new TrafficMetrics());
  auto requests = registry.addCounter(
      {"warden_requests_total",
       "HTTP requests the agent relayed or refused, by API provider and operation, the agent's decision, "
       "the validation verdict and the workload (the client's executable name; past " +
           std::to_string(kMaxWorkloads) + " names: other)",
       {"provider", "operation", "decision", "verdict", "workload"},
       {{"workload", kMaxWorkloads, "other"}}});
  if (!requests) return requests.error();
  metrics->requests_ = *requests;

  auto requestDuration =
      registry.addHistogram({"warden_request_duration_seconds",
                             "Time from a request's header to the end of its response, by API provider",
                             {"provider"}},
                            kRequestBuckets);
  if (!requestDuration) return requestDuration.error();
  metrics->requestDuration_ = *requestDuration;

  auto validationDuration = registry.addHistogram(
      {"warden_validation_duration_seconds", "Time the validation layer spent on a request's texts"},
      kValidationBuckets);
  if (!validationDuration) return validationDuration.error();
  metrics->validationDuration_ = *validationDuration;

  auto detections = registry.addCounter({"warden_detections_total",
                                         "Findings of the validation layer, by rule (or model) id and category",
                                         {"rule", "category"},
                                         {{"rule", kMaxRules, "other"}, {"category", kMaxRules, "other"}}});
  if (!detections) return detections.error();
  metrics->detections_ = *detections;

  auto connections = registry.addCounter(
      {"warden_connections_total",
       "Redirected connections by how they were served: intercept (TLS terminated), tunnel (relayed blind), "
       "plain (plain HTTP target)",
       {"mode"}});
  if (!connections) return connections.error();
  metrics->connections_ = *connections;

  auto handshakeFailures = registry.addCounter(
      {"warden_handshake_failures_total",
       "TLS handshakes with clients that failed (among them clients that do not trust the warden CA)"});
  if (!handshakeFailures) return handshakeFailures.error();
  metrics->handshakeFailures_ = *handshakeFailures;

  auto upstreamErrors = registry.addCounter(
      {"warden_upstream_errors_total",
       "Requests and tunnels that could not reach their upstream (connect, TLS verification, no response)"});
  if (!upstreamErrors) return upstreamErrors.error();
  metrics->upstreamErrors_ = *upstreamErrors;
  return metrics;
}

void TrafficMetrics::recordRequest(const RequestSample& sample) {
  requests_->add({sample.provider, sample.operation, sample.decision, sample.verdict, sample.workload});
  requestDuration_->observe({sample.provider}, seconds(sample.duration));
  if (sample.validationDuration) validationDuration_->observe(seconds(*sample.validationDuration));
}

void TrafficMetrics::recordDetection(std::string_view rule, std::string_view category) {
  detections_->add({rule, category});
}

void TrafficMetrics::recordConnection(ConnectionMode mode) { connections_->add({connectionModeName(mode)}); }

}  // namespace warden::metrics
