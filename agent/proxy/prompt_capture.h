// Full capture (spec.capture): what the event of an opted-in workload keeps
// of its prompt and completion. Never the raw text: every finding of the
// masking rules is replaced by [REDACTED:<type>], and an event keeps at most
// kCapturedBytes of text (the rest is cut and the record says so).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "layers/access/masking/sensitive_data_scanner.h"
#include "layers/audit/event.h"
#include "providers/conversation.h"
#include "providers/json_edit.h"
#include "proxy/sensitive_data_scan.h"

namespace warden::proxy {

inline constexpr size_t kCapturedBytes = 64 * 1024;

// The request's texts (requestTexts()) as forwarded (`sanitized`: layer 1's
// rewrites), masked where `scan` found something.
audit::CaptureRecord capturePrompt(std::string entry, std::span<const RequestText> texts,
                                   const std::vector<providers::TextEdit>& sanitized, const SensitiveScan& scan);

// Adds the response's text, scanned and masked, within what is left of the
// event's bytes. A scan failure keeps no completion (and says so).
void captureCompletion(audit::CaptureRecord& record, std::string_view completion,
                       const masking::SensitiveDataScanner& scanner);

}  // namespace warden::proxy
