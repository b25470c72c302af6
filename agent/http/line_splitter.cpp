#include "http/sse_parser.h"

namespace warden::http {

namespace {

// NDJSON writers may end lines with CRLF; a line of only whitespace carries
// no JSON value and is skipped like an empty one.
void handOver(std::string_view line, const LineSplitter::Sink& sink) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
  sink(line);
}

}  // namespace

LineSplitter::LineSplitter(size_t maxLineBytes) : maxLineBytes_(maxLineBytes) {}

bool LineSplitter::feed(std::string_view bytes, const Sink& sink) {
  while (!bytes.empty() && !failed_) {
    const size_t end = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, end);
    if (partial_.size() + piece.size() > maxLineBytes_) {
      failed_ = true;
      partial_.clear();
      partial_.shrink_to_fit();
      break;
    }
    if (end == std::string_view::npos) {
      partial_.append(piece);
      break;
    }
    if (partial_.empty()) {
      handOver(piece, sink);
    } else {
      partial_.append(piece);
      handOver(partial_, sink);
      partial_.clear();
    }
    bytes.remove_prefix(end + 1);
  }
  return !failed_;
}

void LineSplitter::finish(const Sink& sink) {
  if (!failed_ && !partial_.empty()) handOver(partial_, sink);
  partial_.clear();
}

}  // namespace warden::http
