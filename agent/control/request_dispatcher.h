// Turns one request line into one response object: parsing, command lookup
// and handler errors, with no I/O, so the protocol is testable on its own.
#pragma once

#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "control/control_server.h"

namespace warden::control {

using HandlerMap = std::unordered_map<std::string, Handler>;

// Never throws: every failure becomes {"ok": false, "error": "..."}.
nlohmann::json dispatchRequest(std::string_view line, const HandlerMap& handlers);

nlohmann::json errorResponse(const std::string& message);

}  // namespace warden::control
