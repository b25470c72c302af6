#include "http/sse_parser.h"

#include <algorithm>

namespace warden::http {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

SseParser::SseParser(size_t maxLineBytes) : maxLineBytes_(maxLineBytes) {}

bool SseParser::feed(std::string_view bytes, const Sink& sink) {
  if (failed_) return false;

  // The standard strips one BOM at the very start of the stream; it may
  // arrive a byte at a time, so hold the first bytes until we can tell.
  std::string head;
  if (!bomChecked_) {
    const size_t take = std::min(kBom.size() - partial_.size(), bytes.size());
    partial_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (partial_.size() < kBom.size() && kBom.starts_with(partial_)) return true;
    bomChecked_ = true;
    head.swap(partial_);
    if (head == kBom) head.clear();
  }

  auto parse = [&](std::string_view text) {
    while (!text.empty() && !failed_) {
      if (skipLf_) {
        skipLf_ = false;
        if (text.front() == '\n') {
          text.remove_prefix(1);
          continue;
        }
      }
      const size_t end = text.find_first_of("\r\n");
      const std::string_view piece = text.substr(0, end);
      if (partial_.size() + piece.size() > maxLineBytes_) {
        failed_ = true;
        partial_.clear();
        partial_.shrink_to_fit();
        return;
      }
      if (end == std::string_view::npos) {
        partial_.append(piece);
        return;
      }
      skipLf_ = text[end] == '\r';
      if (partial_.empty()) {
        line(piece, sink);
      } else {
        partial_.append(piece);
        line(partial_, sink);
        partial_.clear();
      }
      text.remove_prefix(end + 1);
    }
  };
  parse(head);
  parse(bytes);
  return !failed_;
}

void SseParser::line(std::string_view text, const Sink& sink) {
  if (text.empty()) {
    // Dispatch. An event with no data line is discarded, but its id stays:
    // the last event id persists until the server sets another.
    if (hasData_) sink(pending_);
    pending_.type.clear();
    pending_.data.clear();
    hasData_ = false;
    return;
  }
  if (text.front() == ':') return;  // a comment (often a keep-alive)

  std::string_view field = text;
  std::string_view value;
  if (const size_t colon = text.find(':'); colon != std::string_view::npos) {
    field = text.substr(0, colon);
    value = text.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }

  if (field == "data") {
    if (hasData_) pending_.data.push_back('\n');
    pending_.data.append(value);
    hasData_ = true;
  } else if (field == "event") {
    pending_.type.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) pending_.id.assign(value);
  }
  // "retry" only matters to a reconnecting client; unknown fields are ignored.
}

bool SseParser::finish() {
  const bool pending = hasData_ || !pending_.type.empty() || !partial_.empty();
  pending_.type.clear();
  pending_.data.clear();
  hasData_ = false;
  partial_.clear();
  skipLf_ = false;
  return pending;
}

}  // namespace warden::http
