// Layer 3's masking on an inspected request: its texts, as they will be
// forwarded (after layer 1 removed smuggled characters), scanned for secrets
// and personal data. The findings are offered to the access policy as
// detections; when the deciding rule says `redact`, they are masked in the
// body before it leaves.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "layers/access/masking/sensitive_data_scanner.h"
#include "layers/audit/event.h"
#include "providers/conversation.h"
#include "providers/json_edit.h"
#include "proxy/prompt_validation.h"

namespace warden::proxy {

struct SensitiveScan {
  // A text with findings: where it is in the body, its value as forwarded,
  // and the matches (bytes of that value).
  struct FoundIn {
    std::string pointer;
    std::string text;
    std::vector<masking::SensitiveMatch> matches;
  };
  audit::SensitiveDataRecord record;
  std::vector<FoundIn> texts;

  bool failed() const { return !record.error.empty(); }
};

// `texts`: requestTexts() of the request. `sanitized`: the edits layer 1
// applied to the body; a text it rewrote is scanned (and later masked) as
// rewritten.
SensitiveScan scanSensitiveData(const masking::SensitiveDataScanner& scanner, std::span<const RequestText> texts,
                                const std::vector<providers::TextEdit>& sanitized);

// The edits that mask every finding; counts them into scan.record.maskedTexts.
std::vector<providers::TextEdit> maskingEdits(SensitiveScan& scan);

}  // namespace warden::proxy
