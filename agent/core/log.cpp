#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <mutex>

namespace warden {
namespace {
std::mutex gMutex;
spdlog::level::level_enum gLevel = spdlog::level::info;
}  // namespace

std::shared_ptr<spdlog::logger> logger(const std::string& component) {
  std::lock_guard lock(gMutex);
  if (auto existing = spdlog::get(component)) return existing;
  auto created = spdlog::stderr_color_mt(component);
  created->set_level(gLevel);
  created->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
  return created;
}

void setLogLevel(spdlog::level::level_enum level) {
  std::lock_guard lock(gMutex);
  gLevel = level;
  spdlog::apply_all([level](const std::shared_ptr<spdlog::logger>& l) { l->set_level(level); });
}

}  // namespace warden
