#include "control/request_dispatcher.h"

#include <algorithm>
#include <vector>

namespace warden::control {
namespace {

constexpr const char* kShapeHint = "send one JSON object per line, e.g. {\"command\":\"status\"}";

std::string knownCommands(const HandlerMap& handlers) {
  std::vector<std::string> names;
  for (const auto& [name, handler] : handlers) names.push_back(name);
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// nlohmann prefixes messages with "[json.exception.parse_error.101] ".
std::string withoutExceptionTag(const std::string& what) {
  if (what.rfind("[json.exception.", 0) == 0) {
    if (auto end = what.find("] "); end != std::string::npos) return what.substr(end + 2);
  }
  return what;
}

}  // namespace

nlohmann::json errorResponse(const std::string& message) { return {{"ok", false}, {"error", message}}; }

nlohmann::json dispatchRequest(std::string_view line, const HandlerMap& handlers) {
  nlohmann::json request;
  try {
    request = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    return errorResponse("malformed request: " + withoutExceptionTag(e.what()) + " (" + kShapeHint + ")");
  }
  if (!request.is_object() || !request.contains("command") || !request["command"].is_string()) {
    return errorResponse(std::string("malformed request: no \"command\" string (") + kShapeHint + ")");
  }
  const std::string command = request["command"].get<std::string>();
  auto it = handlers.find(command);
  if (it == handlers.end()) {
    return errorResponse("unknown command " + command + "; known: " + knownCommands(handlers));
  }
  try {
    Result<nlohmann::json> result = it->second(request);
    if (!result) return errorResponse(result.error().message);
    return {{"ok", true}, {"result", std::move(result).value()}};
  } catch (const std::exception& e) {  // a handler bug must not take the agent down
    return errorResponse("command " + command + " failed: " + e.what());
  }
}

}  // namespace warden::control
