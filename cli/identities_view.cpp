#include "cli/identities_view.h"

#include <cstdio>

#include "cli/table.h"

namespace warden::cli {
namespace {

std::string field(const nlohmann::json& item, const char* name) {
  auto found = item.find(name);
  if (found == item.end()) return "";
  return found->is_string() ? found->get<std::string>() : found->dump();
}

// The user by name when it has one, else by number.
std::string who(const nlohmann::json& item) {
  std::string user = field(item, "user");
  return user.empty() ? "-" : user;
}

// The executable, with the start of its hash: enough to tell two builds apart.
std::string executable(const nlohmann::json& item) {
  std::string path = field(item, "executable");
  if (path.empty()) return "-";
  const std::string hash = field(item, "executable_sha256");
  return hash.empty() ? path : path + " (sha256 " + hash.substr(0, 12) + ")";
}

// Two decimals; "-" when the anomaly layer is off.
std::string risk(const nlohmann::json& item) {
  auto found = item.find("risk");
  if (found == item.end() || !found->is_number()) return "-";
  char text[16];
  std::snprintf(text, sizeof text, "%.2f", found->get<double>());
  return text;
}

}  // namespace

std::string renderIdentities(const nlohmann::json& answer) {
  const auto workloads = answer.value("workloads", nlohmann::json::array());
  if (workloads.empty()) return "no workloads seen yet\n";
  Table table({"WORKLOAD", "USER", "EXECUTABLE", "CONNS", "REQUESTS", "DENIED", "RISK", "LAST DECISION", "LAST SEEN"});
  for (const auto& item : workloads) {
    const std::string decision = field(item, "last_decision");
    table.add({field(item, "key"), who(item), executable(item), field(item, "connections"), field(item, "requests"),
               field(item, "denied"), risk(item), decision.empty() ? "-" : decision, field(item, "last_seen")});
  }
  return table.render("");
}

}  // namespace warden::cli
