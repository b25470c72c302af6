// Reads an LLM API request body into the conversation model: decodes its
// Content-Encoding (for inspection only; the original bytes are forwarded)
// and hands it to the route's adapter. A body that cannot be read is not an
// error of the exchange: it is forwarded as it is and the event says why.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "layers/audit/event.h"
#include "providers/adapter.h"

namespace warden::proxy {

struct InspectionLimits {
  uint64_t maxDecodedBytes = 32ull << 20;
  size_t maxJsonDepth = 64;
};

struct InspectedRequest {
  std::optional<providers::Request> request;
  std::string failure;  // why there is no request, when there is none
};

// `contentType` and `contentEncoding` are the request's headers.
InspectedRequest inspectRequest(const providers::Adapter& adapter, const providers::Route& route,
                                std::string_view contentType, std::string_view contentEncoding, std::string_view body,
                                const InspectionLimits& limits);

// What the audit event keeps of it.
audit::LlmRequestRecord requestRecord(const InspectedRequest& inspected);
audit::LlmRequestRecord requestRecord(const providers::Request& request);

}  // namespace warden::proxy
