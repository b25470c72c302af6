// Splits a JSON array that arrives in pieces into its elements as each one
// completes. streamGenerateContent without ?alt=sse sends its chunks as one
// array ("[{...}\n,\r\n{...}\n]"); reading element by element keeps the
// response current while it streams and bounds memory to one element.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace warden::providers {

class JsonArraySplitter {
 public:
  using Sink = std::function<void(std::string_view element)>;

  explicit JsonArraySplitter(size_t maxElementBytes = size_t{8} << 20) : maxElementBytes_(maxElementBytes) {}

  // Hands each complete element (an object or array) to `sink`. A body that
  // is one object instead of an array (an error reply) is handed over whole.
  // Returns false once the input is not such an array; later feeds are ignored.
  bool feed(std::string_view bytes, const Sink& sink);

  // The closing ']' (or the end of the single object) has been seen.
  bool complete() const { return state_ == State::Done; }
  // False when the body turned out to be a single object.
  bool isArray() const { return !single_; }
  bool failed() const { return !failure_.empty(); }
  const std::string& failure() const { return failure_; }

 private:
  enum class State { Start, FirstElement, NextElement, AfterElement, Element, Done };

  bool fail(std::string what);
  // Scans element bytes from `pos`; returns where the element ended, or npos.
  size_t scanElement(std::string_view bytes, size_t pos);

  size_t maxElementBytes_;
  State state_ = State::Start;
  bool single_ = false;  // the body is one object, not an array
  size_t depth_ = 0;
  bool inString_ = false;
  bool escaped_ = false;
  std::string element_;
  std::string failure_;
};

}  // namespace warden::providers
