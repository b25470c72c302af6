// Where a response body being relayed could still be ended with warden's own
// last event: the body's framing, and whether the bytes written so far stop
// between two of its events. An error event appended inside an event would
// merge with it, and the client would fail to parse the result instead of
// raising the provider's error.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "providers/adapter.h"

namespace warden::proxy {

class StreamBoundary {
 public:
  // `contentType` and `status` of the response; `encoded`: it has a
  // Content-Encoding, so nothing of ours can be appended to its bytes.
  StreamBoundary(unsigned status, std::string_view contentType, bool encoded);

  // The body bytes as written to the client, in order.
  void feed(std::string_view bytes);

  // The bytes that end the body with `error` (one unit of the framing, as
  // providers::streamErrorIn() writes it), or empty when it cannot be ended
  // cleanly here: a single JSON document, an encoded body, a body stopped
  // inside an event, or one already complete.
  std::string ending(std::string_view error) const;

  // As far as the bytes so far show it: a JSON body is an array (streamed
  // element by element) when its first significant byte is '['.
  providers::Framing framing() const;

 private:
  void feedLines(std::string_view bytes);
  void feedJson(std::string_view bytes);

  enum class Kind { Events, Lines, Json, None };
  Kind kind_ = Kind::None;
  // Events and lines: characters in the current line; whether the last
  // terminator ended an empty line (an event is complete); a CR was last,
  // so an LF right after it belongs to the same terminator.
  size_t lineLength_ = 0;
  bool afterBlankLine_ = true;
  bool afterCr_ = false;
  // JSON: nesting depth (the outer array counts), string state, and the last
  // byte outside strings and whitespace.
  size_t depth_ = 0;
  bool inString_ = false;
  bool escaped_ = false;
  char lastSignificant_ = '\0';
  bool isArray_ = false;  // the first significant byte was '['
};

}  // namespace warden::proxy
