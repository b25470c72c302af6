// One spdlog logger per component, so operators can tell where a line came
// from ("[proxy]", "[kernel]") and raise one component's level alone.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace warden {

std::shared_ptr<spdlog::logger> logger(const std::string& component);

// Sets the level of every component logger (existing and future).
void setLogLevel(spdlog::level::level_enum level);

}  // namespace warden
