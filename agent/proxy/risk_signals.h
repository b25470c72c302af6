// What layer 2 learns from a request: its signals, read from the records the
// other layers put in its audit event.
#pragma once

#include <cstdint>
#include <string>

#include "layers/anomaly/risk_tracker.h"
#include "layers/audit/event.h"

namespace warden::proxy {

// `requestBytes`: the body as the client sent it. Denial and key theft are
// read from the event's access record, so they are only known once it is
// decided.
anomaly::RequestSignals riskSignalsOf(const audit::Event& event, uint64_t requestBytes);

audit::AnomalyRecord anomalyRecordOf(const anomaly::RiskAssessment& assessment);

}  // namespace warden::proxy
