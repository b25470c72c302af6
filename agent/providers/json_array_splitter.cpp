#include "providers/json_array_splitter.h"

namespace warden::providers {
namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

bool JsonArraySplitter::fail(std::string what) {
  failure_ = std::move(what);
  std::string().swap(element_);
  return false;
}

bool JsonArraySplitter::feed(std::string_view bytes, const Sink& sink) {
  if (failed()) return false;
  size_t pos = 0;
  while (pos < bytes.size()) {
    const char c = bytes[pos];
    if (state_ == State::Element) {
      const size_t end = scanElement(bytes, pos);
      const size_t stop = end == std::string_view::npos ? bytes.size() : end;
      if (element_.size() + (stop - pos) > maxElementBytes_) {
        return fail("JSON array element larger than " + std::to_string(maxElementBytes_) + " bytes");
      }
      element_.append(bytes.substr(pos, stop - pos));
      pos = stop;
      if (end != std::string_view::npos) {
        sink(element_);
        element_.clear();
        state_ = single_ ? State::Done : State::AfterElement;
      }
      continue;
    }
    ++pos;
    if (isSpace(c)) continue;
    switch (state_) {
      case State::Start:
        if (c == '[') {
          state_ = State::FirstElement;
        } else if (c == '{') {
          single_ = true;
          --pos;
          state_ = State::Element;
        } else {
          return fail("expected a JSON array of responses");
        }
        break;
      case State::FirstElement:
      case State::NextElement:
        if (c == '{' || c == '[') {
          --pos;
          state_ = State::Element;
        } else if (c == ']' && state_ == State::FirstElement) {
          state_ = State::Done;
        } else {
          return fail("expected an object in the JSON array");
        }
        break;
      case State::AfterElement:
        if (c == ',') {
          state_ = State::NextElement;
        } else if (c == ']') {
          state_ = State::Done;
        } else {
          return fail("expected ',' or ']' after an element of the JSON array");
        }
        break;
      case State::Done:
        return fail("data after the end of the JSON array");
      case State::Element:
        break;  // handled above
    }
  }
  return true;
}

// Brackets inside strings do not count; an escaped quote does not end one.
size_t JsonArraySplitter::scanElement(std::string_view bytes, size_t pos) {
  for (; pos < bytes.size(); ++pos) {
    const char c = bytes[pos];
    if (inString_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        inString_ = false;
      }
    } else if (c == '"') {
      inString_ = true;
    } else if (c == '{' || c == '[') {
      ++depth_;
    } else if ((c == '}' || c == ']') && --depth_ == 0) {
      return pos + 1;
    }
  }
  return std::string_view::npos;
}

}  // namespace warden::providers
