// A finished request's audit event, counted in the data path's metrics
// (requests, latency, validation time, detections).
#pragma once

#include "layers/audit/event.h"
#include "metrics/traffic_metrics.h"

namespace warden::proxy {

void recordRequestMetrics(metrics::TrafficMetrics& metrics, const audit::Event& event);

}  // namespace warden::proxy
