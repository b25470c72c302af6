// libFuzzer target: an event stream from an upstream (or anything posing as
// one) split into two reads at a point the input chooses. How the relay's
// reads happen to fall must never change what the layers see.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "http/sse_parser.h"

namespace {

using warden::http::LineSplitter;
using warden::http::SseEvent;
using warden::http::SseParser;

void check(bool ok) {
  if (!ok) std::abort();
}

struct SseRun {
  std::vector<SseEvent> events;
  bool failed = false;
  bool pending = false;
};

SseRun parseSse(const std::vector<std::string_view>& pieces, size_t maxLine) {
  SseRun run;
  SseParser parser(maxLine);
  for (auto piece : pieces) {
    parser.feed(piece, [&](const SseEvent& e) { run.events.push_back(e); });
  }
  run.failed = parser.failed();
  run.pending = parser.finish();
  return run;
}

std::vector<std::string> splitLines(const std::vector<std::string_view>& pieces, size_t maxLine, bool& failed) {
  std::vector<std::string> lines;
  LineSplitter splitter(maxLine);
  auto sink = [&](std::string_view line) {
    check(line.size() <= maxLine && !line.empty() && line.find('\n') == std::string_view::npos);
    lines.emplace_back(line);
  };
  for (auto piece : pieces) splitter.feed(piece, sink);
  splitter.finish(sink);
  failed = splitter.failed();
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // Byte 0 picks the split, byte 1 a line limit small enough to be reached.
  const size_t maxLine = 16 + data[1] * 4;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);
  const size_t split = stream.size() * data[0] / 255;

  const SseRun whole = parseSse({stream}, maxLine);
  const SseRun two = parseSse({stream.substr(0, split), stream.substr(split)}, maxLine);
  check(whole.failed == two.failed);
  check(whole.events == two.events);
  check(whole.pending == two.pending);
  for (const auto& e : whole.events) {
    check(e.type.size() <= maxLine && e.id.size() <= maxLine);
    check(e.type.find_first_of("\r\n") == std::string::npos && e.id.find_first_of("\r\n") == std::string::npos);
    check(e.id.find('\0') == std::string::npos);
  }

  bool wholeFailed = false;
  bool twoFailed = false;
  const auto lines = splitLines({stream}, maxLine, wholeFailed);
  const auto linesTwo = splitLines({stream.substr(0, split), stream.substr(split)}, maxLine, twoFailed);
  check(wholeFailed == twoFailed && lines == linesTwo);
  return 0;
}
