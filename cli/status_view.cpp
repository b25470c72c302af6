#include "cli/status_view.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "cli/table.h"

namespace warden::cli {
namespace {

using nlohmann::json;

// Counters in the order an operator reads them; unknown ones follow.
const std::vector<std::string> kKernelOrder = {"redirected", "passed",      "agent_own",          "quic_refused",
                                               "not_covered", "fail_open",  "fail_closed",        "no_listener",
                                               "peername_rewritten", "origin_missing"};
const std::vector<std::string> kProxyOrder = {"connections", "intercepted", "tunnelled", "plain_http", "requests",
                                              "errors",      "no_origin",   "no_origin_served", "handshake_failures",
                                              "prompts_allowed", "prompts_flagged", "prompts_sanitized",
                                              "prompts_blocked"};

std::string text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  if (value.is_number_float()) {
    std::string s = std::to_string(value.get<double>());
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }
  if (value.is_number()) return value.dump();
  if (value.is_array()) {
    std::string out;
    for (const auto& item : value) out += (out.empty() ? "" : ", ") + text(item);
    return out;
  }
  return value.is_null() ? "" : value.dump();
}

const json* field(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string label(std::string key) {
  std::replace(key.begin(), key.end(), '_', ' ');
  return key;
}

std::string header(const json& s) {
  std::string line = "wardend";
  if (const json* v = field(s, "version")) line += " " + text(*v);
  std::vector<std::string> extra;
  if (const json* v = field(s, "pid")) extra.push_back("pid " + text(*v));
  if (const json* v = field(s, "uptime_s"); v && v->is_number()) extra.push_back("up " + formatUptime(v->get<double>()));
  for (size_t i = 0; i < extra.size(); ++i) line += (i == 0 ? " (" : ", ") + extra[i];
  if (!extra.empty()) line += ")";
  return line + "\n";
}

std::string agentSection(const json& s) {
  Table table;
  auto row = [&](const char* name, const char* key, const std::string& suffix = "") {
    if (const json* v = field(s, key)) table.add({name, text(*v) + suffix});
  };
  row("cgroup", "cgroup");
  row("programs", "programs");
  row("fail mode", "fail_mode");
  row("heartbeat age", "heartbeat_age_ms", " ms");
  row("listen port", "listen_port");
  if (const json* events = field(s, "events")) {
    std::string value = field(*events, "spool") ? text((*events)["spool"]) : "";
    std::string counts;
    if (const json* v = field(*events, "written")) counts += text(*v) + " written";
    if (const json* v = field(*events, "dropped")) counts += (counts.empty() ? "" : ", ") + text(*v) + " dropped";
    if (const json* v = field(*events, "full"); v && v->is_boolean() && v->get<bool>()) counts += ", FULL";
    if (!counts.empty()) value = value.empty() ? counts : value + " (" + counts + ")";
    table.add({"events", value});
    if (const json* sinks = field(*events, "sinks"); sinks && sinks->is_array()) {
      for (const auto& sink : *sinks) {
        std::string line = text(sink.value("destination", json(""))) + ": ";
        line += sink.value("healthy", true) ? "up" : "DOWN (" + sink.value("last_error", std::string()) + ")";
        line += ", " + std::to_string(sink.value("delivered", uint64_t{0})) + " delivered, " +
                std::to_string(sink.value("lag_bytes", uint64_t{0})) + " bytes behind";
        table.add({"sink " + sink.value("name", std::string()), line});
      }
    }
  }
  if (const json* ca = field(s, "ca")) {
    if (const json* v = field(*ca, "fingerprint_sha256")) table.add({"CA SHA-256", text(*v)});
    if (const json* v = field(*ca, "subject")) table.add({"CA subject", text(*v)});
  }
  return table.empty() ? "" : "\n" + table.render();
}

std::string targetsSection(const json& s) {
  const json* targets = field(s, "targets");
  if (!targets) return "";
  std::string out;
  if (const json* hosts = field(*targets, "hosts"); hosts && hosts->is_array() && !hosts->empty()) {
    Table table({"HOST", "PORT", "TLS", "ADDRESSES", "EXPIRES IN", "ERROR"});
    for (const auto& h : *hosts) {
      std::vector<std::string> addresses;
      if (const json* a = field(h, "addresses"); a && a->is_array()) {
        for (const auto& addr : *a) addresses.push_back(text(addr));
      }
      std::string expires;
      if (const json* v = field(h, "expires_in_s"); v && v->is_number()) expires = text(*v) + "s";
      if (const json* v = field(h, "resolve"); v && v->is_boolean() && !v->get<bool>()) expires = "(SNI only)";
      table.add({field(h, "name") ? text(h["name"]) : "?", field(h, "port") ? text(h["port"]) : "",
                 field(h, "tls") ? text(h["tls"]) : "", addresses.empty() ? "-" : addresses[0], expires,
                 field(h, "error") ? text(h["error"]) : ""});
      // One address per line keeps CDN answers with many addresses readable.
      for (size_t i = 1; i < addresses.size(); ++i) table.add({"", "", "", addresses[i]});
    }
    out += "\nTarget hosts\n" + table.render();
  }
  if (const json* cidrs = field(*targets, "addresses"); cidrs && cidrs->is_array() && !cidrs->empty()) {
    Table table({"CIDR", "PORT", "TLS"});
    for (const auto& c : *cidrs) {
      table.add({field(c, "cidr") ? text(c["cidr"]) : "?", field(c, "port") ? text(c["port"]) : "",
                 field(c, "tls") ? text(c["tls"]) : ""});
    }
    out += "\nTarget addresses\n" + table.render();
  }
  return out;
}

std::string countersSection(const json& s, const char* key, const char* title, const std::vector<std::string>& order) {
  const json* counters = field(s, key);
  if (!counters || !counters->is_object()) return "";
  Table table;
  std::set<std::string> shown;
  for (const auto& name : order) {
    if (const json* v = field(*counters, name.c_str()); v && v->is_number()) {
      table.add({label(name), text(*v)});
      shown.insert(name);
    }
  }
  for (const auto& [name, value] : counters->items()) {
    if (!shown.count(name) && value.is_number()) table.add({label(name), text(value)});
  }
  return table.empty() ? "" : "\n" + std::string(title) + "\n" + table.render();
}

std::string untrustedSection(const json& s) {
  const json* proxy = field(s, "proxy");
  const json* clients = proxy ? field(*proxy, "untrusted_ca_by_executable") : nullptr;
  if (!clients || !clients->is_object() || clients->empty()) return "";
  Table table({"EXECUTABLE", "REJECTED HANDSHAKES"});
  for (const auto& [exe, count] : clients->items()) table.add({exe, text(count)});
  return "\nClients that do not trust the warden CA (add it to their trust store: wardenctl ca export)\n" +
         table.render();
}

}  // namespace

std::string formatUptime(double seconds) {
  auto total = static_cast<long long>(std::max(0.0, std::floor(seconds)));
  long long days = total / 86400, hours = total % 86400 / 3600, minutes = total % 3600 / 60, secs = total % 60;
  if (days > 0) return std::to_string(days) + "d " + std::to_string(hours) + "h";
  if (hours > 0) return std::to_string(hours) + "h " + std::to_string(minutes) + "m";
  if (minutes > 0) return std::to_string(minutes) + "m " + std::to_string(secs) + "s";
  return std::to_string(secs) + "s";
}

std::string renderStatus(const nlohmann::json& status) {
  return header(status) + agentSection(status) + targetsSection(status) +
         countersSection(status, "kernel", "Kernel counters", kKernelOrder) +
         countersSection(status, "proxy", "Proxy counters", kProxyOrder) + untrustedSection(status);
}

}  // namespace warden::cli
