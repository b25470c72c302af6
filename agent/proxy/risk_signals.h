// What layer 2 learns from a request: the signals of its texts, read from
// the records the other layers put in its audit event.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "layers/anomaly/risk_tracker.h"
#include "layers/audit/event.h"
#include "proxy/prompt_validation.h"

namespace warden::proxy {

// `texts`: requestTexts() of the request as its adapter read it, to
// fingerprint them (a conversation resent with every turn counts once) and
// tell its new input (counted every time); null (a WebSocket session's
// record, a body not read): every finding counts. `bodyBytes`: the body as
// the client sent it, when it was read whole.
anomaly::RequestSignals riskSignalsOf(const audit::Event& event, const std::vector<RequestText>* texts,
                                      std::optional<uint64_t> bodyBytes);

// How the request ended, from its access record; a denial by a rule on the
// risk score itself is not counted again (the workload would never recover).
anomaly::RequestOutcome riskOutcomeOf(const audit::Event& event, bool deniedOnRisk);

audit::AnomalyRecord anomalyRecordOf(const anomaly::RiskAssessment& assessment);

}  // namespace warden::proxy
