// The human view of the agent's "status" answer. Renders the fields that are
// present and skips absent ones, so older or newer agents still display.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace warden::cli {

std::string renderStatus(const nlohmann::json& status);

// 42 -> "42s", 3725 -> "1h 2m", 90061 -> "1d 1h".
std::string formatUptime(double seconds);

}  // namespace warden::cli
