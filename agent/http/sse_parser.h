// Incremental parser for server-sent events (text/event-stream), as the
// WHATWG HTML standard defines them: lines end in LF, CR or CRLF (a CRLF may
// be split across two feeds), "data" lines of one event are joined with LF,
// comments (":") are skipped, an event is dispatched at a blank line.
//
// The relay hands it each body piece as it passes; the parser never waits
// for more than the current incomplete line and keeps no copy of events it
// has dispatched.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace warden::http {

struct SseEvent {
  std::string type;  // the "event" field; empty means "message"
  std::string data;  // "data" lines joined with '\n'
  std::string id;    // the last "id" field so far: it persists across events

  friend bool operator==(const SseEvent&, const SseEvent&) = default;
};

class SseParser {
 public:
  using Sink = std::function<void(const SseEvent&)>;

  // A line longer than `maxLineBytes` is an error: the stream is then no
  // longer parsed (it is still relayed by the caller).
  explicit SseParser(size_t maxLineBytes = 8 * 1024 * 1024);

  // Parses `bytes`, calling `sink` for each complete event. Returns false once
  // the stream is malformed (line too long); later feeds are ignored.
  bool feed(std::string_view bytes, const Sink& sink);

  // The stream ended: an event without its closing blank line is dropped,
  // as the standard says. Returns whether an incomplete event was pending.
  bool finish();

  bool failed() const { return failed_; }

 private:
  void line(std::string_view text, const Sink& sink);

  size_t maxLineBytes_;
  std::string partial_;  // the current incomplete line
  bool skipLf_ = false;  // the last byte was CR: a following LF ends nothing
  bool failed_ = false;
  SseEvent pending_;
  bool hasData_ = false;
  bool bomChecked_ = false;
};

// Splits newline-delimited JSON (Ollama's streams): each complete line is
// handed to the sink; blank lines are skipped. Same bound and failure rule.
class LineSplitter {
 public:
  using Sink = std::function<void(std::string_view line)>;
  explicit LineSplitter(size_t maxLineBytes = 8 * 1024 * 1024);
  bool feed(std::string_view bytes, const Sink& sink);
  // A last line without its newline is handed over.
  void finish(const Sink& sink);
  bool failed() const { return failed_; }

 private:
  size_t maxLineBytes_;
  std::string partial_;
  bool failed_ = false;
};

}  // namespace warden::http
