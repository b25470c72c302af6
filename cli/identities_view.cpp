#include "cli/identities_view.h"

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

}  // namespace

std::string renderIdentities(const nlohmann::json& answer) {
  const auto workloads = answer.value("workloads", nlohmann::json::array());
  if (workloads.empty()) return "no workloads seen yet\n";
  Table table({"WORKLOAD", "USER", "EXECUTABLE", "CONNS", "REQUESTS", "DENIED", "LAST DECISION", "LAST SEEN"});
  for (const auto& item : workloads) {
    const std::string decision = field(item, "last_decision");
    table.add({field(item, "key"), who(item), executable(item), field(item, "connections"), field(item, "requests"),
               field(item, "denied"), decision.empty() ? "-" : decision, field(item, "last_seen")});
  }
  return table.render("");
}

}  // namespace warden::cli
