#include "proxy/stream_boundary.h"

#include "providers/response_framing.h"

namespace warden::proxy {
namespace {

constexpr std::string_view kLineEnds = "\r\n";

bool isJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

StreamBoundary::StreamBoundary(unsigned status, std::string_view contentType, bool encoded) {
  if (encoded) return;
  // Error replies are one document, whatever their type (as the adapters read them).
  const providers::FramingRule anyStream{.events = true, .lines = true};
  switch (providers::responseFraming(status, contentType, anyStream)) {
    case providers::Framing::ServerSentEvents:
      kind_ = Kind::Events;
      break;
    case providers::Framing::JsonLines:
      kind_ = Kind::Lines;
      break;
    default:
      kind_ = status >= 400 ? Kind::None : Kind::Json;
      break;
  }
}

void StreamBoundary::feed(std::string_view bytes) {
  if (kind_ == Kind::Events || kind_ == Kind::Lines) feedLines(bytes);
  if (kind_ == Kind::Json) feedJson(bytes);
}

// Only the line ends at the end of the bytes matter: whatever came before
// the last other character, a line with content was under way there.
void StreamBoundary::feedLines(std::string_view bytes) {
  const size_t lastText = bytes.find_last_not_of(kLineEnds);
  if (lastText != std::string_view::npos) {
    lineLength_ = 1;
    afterBlankLine_ = false;
    afterCr_ = false;
    bytes.remove_prefix(lastText + 1);
  }
  for (const char c : bytes) {
    if (c == '\n' && afterCr_) {
      afterCr_ = false;  // the LF of a CRLF
      continue;
    }
    afterCr_ = c == '\r';
    afterBlankLine_ = lineLength_ == 0;
    lineLength_ = 0;
  }
}

void StreamBoundary::feedJson(std::string_view bytes) {
  for (const char c : bytes) {
    if (inString_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        inString_ = false;
      }
      continue;
    }
    if (isJsonSpace(c)) continue;
    if (lastSignificant_ == '\0') {
      isArray_ = c == '[';
      if (!isArray_) {
        kind_ = Kind::None;  // one document, not an array of them
        return;
      }
    }
    if (c == '"') {
      inString_ = true;
    } else if (c == '{' || c == '[') {
      ++depth_;
    } else if ((c == '}' || c == ']') && depth_ > 0) {
      --depth_;
    }
    lastSignificant_ = c;
  }
}

providers::Framing StreamBoundary::framing() const {
  switch (kind_) {
    case Kind::Events:
      return providers::Framing::ServerSentEvents;
    case Kind::Lines:
      return providers::Framing::JsonLines;
    case Kind::Json:
      return isArray_ ? providers::Framing::JsonArray : providers::Framing::Json;
    case Kind::None:
      break;
  }
  return providers::Framing::Json;
}

std::string StreamBoundary::ending(std::string_view error) const {
  if (error.empty()) return {};
  switch (kind_) {
    case Kind::Events:
      return afterBlankLine_ ? std::string(error) : std::string();
    case Kind::Lines:
      return lineLength_ == 0 ? std::string(error) : std::string();
    case Kind::Json:
      // Between two elements of the outer array (depth 1), never after its end.
      if (inString_ || depth_ != 1) return {};
      if (lastSignificant_ == '[' || lastSignificant_ == ',') return std::string(error) + "]";
      return "," + std::string(error) + "]";
    case Kind::None:
      break;
  }
  return {};
}

}  // namespace warden::proxy
