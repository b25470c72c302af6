#include "layers/audit/ocsf.h"

#include <chrono>
#include <ctime>

#include <nlohmann/json.hpp>

namespace warden::audit {
namespace {

using Json = nlohmann::json;

constexpr int kClassApiActivity = 6003;
constexpr int kHashSha256 = 3;  // OCSF fingerprint algorithm_id
constexpr int kCategoryApplication = 6;

int activityOf(const std::string& method) {
  if (method == "POST") return 1;    // Create
  if (method == "GET") return 2;     // Read
  if (method == "PUT" || method == "PATCH") return 3;  // Update
  if (method == "DELETE") return 4;  // Delete
  return 99;                         // Other
}

// "2026-11-23T04:09:35.300123456Z" -> epoch milliseconds; 0 if unreadable.
long long epochMillis(const std::string& time) {
  std::tm tm{};
  const char* rest = ::strptime(time.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return 0;
  long long millis = static_cast<long long>(::timegm(&tm)) * 1000;
  if (*rest == '.') {
    long long scale = 100;
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest) {
      millis += (*rest - '0') * scale;
      scale /= 10;
    }
  }
  return millis;
}

int severityOf(const Json& event) {
  int severity = 1;  // Informational
  // A credential sent to a model is as serious as a high-severity
  // detection; personal data less so.
  const auto sensitive = event.find("sensitive_data");
  if (sensitive != event.end() && sensitive->is_object()) {
    if (sensitive->value("secrets", 0) > 0) severity = std::max(severity, 4);
    if (sensitive->value("pii", 0) > 0) severity = std::max(severity, 2);
  }
  const auto validation = event.find("validation");
  if (validation == event.end() || !validation->is_object()) return severity;
  const auto findings = validation->find("findings");
  if (findings == validation->end() || !findings->is_array()) return severity;
  for (const auto& finding : *findings) {
    const std::string level = finding.value("severity", "");
    if (level == "low") severity = std::max(severity, 2);
    if (level == "medium") severity = std::max(severity, 3);
    if (level == "high") severity = std::max(severity, 4);
    if (level == "critical") severity = std::max(severity, 5);
  }
  return severity;
}

// "10.0.0.1:443" or "[::1]:443"
Json endpointOf(const std::string& address, const std::string& hostname) {
  Json out = Json::object();
  const size_t colon = address.rfind(':');
  if (colon != std::string::npos) {
    std::string ip = address.substr(0, colon);
    if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
    out["ip"] = ip;
    try {
      out["port"] = std::stoi(address.substr(colon + 1));
    } catch (const std::exception&) {
    }
  }
  if (!hostname.empty()) out["hostname"] = hostname;
  return out;
}

}  // namespace

// Throws nlohmann::json::exception on a member of an unexpected type.
static std::string convert(std::string_view line) {
  Json event = Json::parse(line, nullptr, false);
  if (event.is_discarded() || !event.is_object()) return std::string(line);

  const std::string type = event.value("type", "");
  const Json request = event.value("request", Json::object());
  const Json response = event.value("response", Json::object());
  const Json identity = event.value("identity", Json::object());
  const Json workload = event.value("workload", Json::object());
  const Json connection = event.value("connection", Json::object());
  const Json llm = event.value("llm", Json::object());
  const bool activity = type == "request" || type == "websocket_open" || type == "websocket" || type == "tunnel";
  const int activityId = activity ? activityOf(request.value("method", "")) : 99;

  Json out;
  out["class_uid"] = kClassApiActivity;
  out["class_name"] = "API Activity";
  out["category_uid"] = kCategoryApplication;
  out["category_name"] = "Application Activity";
  out["activity_id"] = activityId;
  out["type_uid"] = kClassApiActivity * 100 + activityId;
  out["time"] = epochMillis(event.value("time", ""));
  out["metadata"] = {{"uid", event.value("id", "")},
                     {"version", "1.1.0"},
                     {"product", {{"name", "warden"}, {"vendor_name", "warden"}}},
                     {"log_name", "warden.event/v1"}};
  out["severity_id"] = severityOf(event);
  if (!identity.empty()) {
    Json process = {{"pid", identity.value("pid", 0)}, {"name", identity.value("comm", "")}};
    Json user = {{"uid", std::to_string(identity.value("uid", 0))}};
    if (workload.contains("user")) user["name"] = workload.value("user", "");
    process["user"] = user;
    if (workload.contains("executable")) {
      Json file = {{"path", workload.value("executable", "")}};
      if (workload.contains("executable_sha256")) {
        file["hashes"] = Json::array({{{"algorithm_id", kHashSha256}, {"value", workload.value("executable_sha256", "")}}});
      }
      process["file"] = file;
    }
    if (workload.contains("container")) {
      process["container"] = {{"uid", workload.value("container", "")}, {"runtime", workload.value("runtime", "")}};
    }
    out["actor"] = {{"process", process}, {"user", user}};
    if (workload.contains("key")) out["actor"]["app_name"] = workload.value("key", "");
  }
  out["src_endpoint"] = {{"hostname", event.value("host", "")}};
  if (connection.contains("original_dst")) {
    out["dst_endpoint"] = endpointOf(connection.value("original_dst", ""), connection.value("sni", ""));
  }
  if (!request.empty()) {
    out["http_request"] = {{"http_method", request.value("method", "")},
                           {"url", {{"hostname", request.value("host", "")}, {"path", request.value("path", "")}}},
                           {"length", request.value("bytes", 0)}};
  }
  if (!response.empty()) {
    out["http_response"] = {{"code", response.value("status", 0)}, {"length", response.value("bytes", 0)}};
  }
  if (!llm.empty()) {
    out["api"] = {{"operation", llm.value("operation", "")},
                  {"service", {{"name", llm.value("provider", "")}}},
                  {"request", {{"uid", event.value("id", "")}}}};
  }
  const int status = response.value("status", 0);
  const bool success = event.value("decision", "allow") == "allow" && status >= 200 && status < 300 &&
                       !event.contains("error");
  if (activity) {
    out["status_id"] = success ? 1 : 2;
    out["status"] = success ? "Success" : "Failure";
  }
  if (event.contains("error")) out["status_detail"] = event["error"];
  if (event.contains("duration_us")) out["duration"] = event["duration_us"].get<long long>() / 1000;

  // Everything OCSF has no attribute for, as warden wrote it.
  Json unmapped = Json::object();
  for (const char* key :
       {"access", "anomaly", "capture", "decision", "llm", "policy", "sensitive_data", "validation", "websocket", "chain", "checkpoint", "sink", "lost", "workload"}) {
    if (event.contains(key)) unmapped[key] = event[key];
  }
  unmapped["type"] = type;
  out["unmapped"] = std::move(unmapped);
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string toOcsf(std::string_view line) {
  // A line that does not fit the mapping goes out as it is: a sink retrying
  // one odd line forever would hold back everything after it.
  try {
    return convert(line);
  } catch (const nlohmann::json::exception&) {
    return std::string(line);
  }
}

}  // namespace warden::audit
