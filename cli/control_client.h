// One request/response exchange with wardend over its control socket.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace warden::cli {

// Sends `request` as one line and returns the "result" of an {"ok": true}
// answer. Errors are ready to print: the agent is not running, permission
// denied (run as root), no answer within `timeout`, or the agent's own error.
Result<nlohmann::json> callAgent(const std::string& socketPath, const nlohmann::json& request,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace warden::cli
