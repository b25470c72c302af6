#include "providers/response_framing.h"

#include <string>

namespace warden::providers {
namespace {

// "Text/Event-Stream; charset=utf-8" -> "text/event-stream"
std::string mediaType(std::string_view contentType) {
  std::string type;
  for (const char c : contentType.substr(0, contentType.find(';'))) {
    if (c == ' ' || c == '\t') continue;
    type += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return type;
}

}  // namespace

Framing responseFraming(unsigned status, std::string_view contentType, const FramingRule& rule) {
  if (status >= 400) return Framing::Json;
  const std::string type = mediaType(contentType);
  if (rule.events && type == "text/event-stream") return Framing::ServerSentEvents;
  if (rule.lines && (type == "application/x-ndjson" || type == "application/jsonl" || type == "application/ndjson")) {
    return Framing::JsonLines;
  }
  return rule.otherwise;
}

}  // namespace warden::providers
