// Which framing a response body has, from its status and Content-Type, by
// each provider's rule.
#pragma once

#include <string_view>

#include "providers/adapter.h"

namespace warden::providers {

struct FramingRule {
  bool events = false;                // text/event-stream is read as server-sent events
  bool lines = false;                 // application/x-ndjson (and its aliases) as JSON lines
  Framing otherwise = Framing::Json;  // any other type of a successful answer
};

// Error replies are one JSON document (or an HTML page) even when a stream
// was asked for, so they are read as Framing::Json whatever their type.
Framing responseFraming(unsigned status, std::string_view contentType, const FramingRule& rule);

}  // namespace warden::providers
