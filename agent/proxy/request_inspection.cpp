#include "proxy/request_inspection.h"

#include "http/content_decoding.h"
#include "proxy/identity_coding.h"

namespace warden::proxy {

InspectedRequest inspectRequest(const providers::Adapter& adapter, const providers::Route& route,
                                std::string_view contentType, std::string_view contentEncoding, std::string_view body,
                                const InspectionLimits& limits) {
  InspectedRequest out;
  std::string decoded;
  if (!isIdentityCoding(contentEncoding)) {
    if (!warden::http::canDecode(contentEncoding)) {
      out.failure = "Content-Encoding '" + std::string(contentEncoding) + "' is not one warden decodes";
      return out;
    }
    warden::http::DecodeLimits decodeLimits;
    decodeLimits.maxOutputBytes = static_cast<size_t>(limits.maxDecodedBytes);
    auto result = warden::http::decodeBody(contentEncoding, body, decodeLimits);
    if (!result) {
      out.failure = result.error().wrap("decode the request body").message;
      return out;
    }
    decoded = std::move(result.value());
    body = decoded;
  }
  providers::ParseLimits parseLimits;
  parseLimits.maxDepth = limits.maxJsonDepth;
  auto parsed = adapter.parseRequest(route, body, parseLimits, contentType);
  if (!parsed) {
    out.failure = parsed.error().message;
    return out;
  }
  out.request = std::move(parsed.value());
  return out;
}

audit::LlmRequestRecord requestRecord(const InspectedRequest& inspected) {
  audit::LlmRequestRecord record;
  record.parseError = inspected.failure;
  if (!inspected.request) return record;
  return requestRecord(*inspected.request);
}

audit::LlmRequestRecord requestRecord(const providers::Request& request) {
  audit::LlmRequestRecord record;
  record.parsed = true;
  record.model = request.model;
  record.stream = request.stream;
  record.messages = request.messages.size();
  record.toolNames.reserve(request.tools.size());
  for (const auto& tool : request.tools) record.toolNames.push_back(tool.name.empty() ? tool.type : tool.name);
  // Uploaded files: the data part of each (a text-like file's content is a
  // second, text part of the same message).
  for (const auto& message : request.messages) {
    for (const auto& part : message.parts) {
      if (part.formField.empty() || part.kind == providers::Part::Kind::Text) continue;
      record.files.push_back({part.formField, part.reference, part.mediaType, part.bytes});
    }
  }
  return record;
}

}  // namespace warden::proxy
