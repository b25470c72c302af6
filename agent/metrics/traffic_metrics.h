// The data path's metric families (names prefixed warden_): what the proxy
// records per request and per connection. The proxy turns its audit event
// into a RequestSample (this library knows no event types).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include "core/result.h"
#include "metrics/registry.h"

namespace warden::metrics {

struct RequestSample {
  std::string_view provider = "none";     // "openai", ... ; "none": not read as an API request
  std::string_view operation = "none";    // "chat_completions", ...
  std::string_view decision = "none";     // "allow" | "deny"
  std::string_view verdict = "none";      // the validation verdict; "none": not validated
  std::string_view workload = "unknown";  // who sent it: the executable's name
  std::chrono::microseconds duration{0};
  // Set when the validation layer inspected texts.
  std::optional<std::chrono::microseconds> validationDuration;
};

enum class ConnectionMode { Intercept, Tunnel, Plain };

class TrafficMetrics {
 public:
  // Workloads beyond this many distinct names are counted as "other".
  static constexpr size_t kMaxWorkloads = 200;
  // Rule ids and categories come from rule packs: bounded too, generously.
  static constexpr size_t kMaxRules = 1000;

  // Registers the families on `registry`, which must outlive this object.
  static Result<std::unique_ptr<TrafficMetrics>> create(Registry& registry);

  void recordRequest(const RequestSample& sample);
  void recordDetection(std::string_view rule, std::string_view category);
  void recordConnection(ConnectionMode mode);
  void recordHandshakeFailure() { handshakeFailures_->add(); }
  void recordUpstreamError() { upstreamErrors_->add(); }

 private:
  TrafficMetrics() = default;

  CounterFamily* requests_ = nullptr;
  HistogramFamily* requestDuration_ = nullptr;
  HistogramFamily* validationDuration_ = nullptr;
  CounterFamily* detections_ = nullptr;
  CounterFamily* connections_ = nullptr;
  CounterFamily* handshakeFailures_ = nullptr;
  CounterFamily* upstreamErrors_ = nullptr;
};

std::string_view connectionModeName(ConnectionMode mode);

}  // namespace warden::metrics
