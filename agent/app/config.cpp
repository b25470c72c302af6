#include "app/config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/un.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <limits>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include "app/audit_config.h"
#include "core/yaml_reader.h"
#include "core/unique_fd.h"

namespace warden::app {
namespace {

using yaml_reading::Entry;
using yaml_reading::MapView;
using yaml_reading::Reader;

constexpr const char* kDefaultHosts[] = {"api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com"};
constexpr size_t kMaxConfigBytes = 1 << 20;
using yaml_reading::kMaxTimeoutMs;

// Host names are compared lowercased; a trailing dot is the same name.
std::optional<std::string> normalizeHostName(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (name.empty() || name.size() > 253) return std::nullopt;
  size_t labelLen = 0;
  for (char& c : name) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c == '.') {
      if (labelLen == 0) return std::nullopt;
      labelLen = 0;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return std::nullopt;
    if (++labelLen > 63) return std::nullopt;
  }
  return name;
}


void readHeartbeat(Reader& r, const Entry* e, Config& c) {
  if (!e) return;
  MapView hb = r.map(e->value, e->keyNode.Mark(), "heartbeat", {"interval_ms", "timeout_ms"});
  const Entry* interval = r.duration(hb, "interval_ms", 1, 60000, c.heartbeatInterval);
  const Entry* timeout = r.duration(hb, "timeout_ms", 1, 600000, c.heartbeatTimeout);
  if (!r.failed() && c.heartbeatInterval >= c.heartbeatTimeout) {
    const Entry* where = interval ? interval : timeout;
    YAML::Mark mark = where ? Reader::markOf(*where) : hb.mark;
    r.fail(mark, "heartbeat.interval_ms",
           std::to_string(c.heartbeatInterval.count()) + " must be less than heartbeat.timeout_ms (" +
               std::to_string(c.heartbeatTimeout.count()) + "), or the agent looks dead between beats");
  }
}

void readPaths(Reader& r, const Entry* e, Config& c) {
  if (!e) return;
  MapView paths = r.map(e->value, e->keyNode.Mark(), "paths", {"state_dir", "runtime_dir", "bpf_pin_dir"});
  r.absolutePath(paths, "state_dir", c.stateDir);
  const Entry* runtime = r.absolutePath(paths, "runtime_dir", c.runtimeDir);
  r.absolutePath(paths, "bpf_pin_dir", c.bpfPinDir);
  if (runtime && !r.failed() && c.controlSocketPath().size() >= sizeof(sockaddr_un::sun_path)) {
    r.fail(*runtime, "paths.runtime_dir",
           "'" + c.runtimeDir + "' is too long for a unix socket path (at most " +
               std::to_string(sizeof(sockaddr_un::sun_path) - 1 - std::strlen("/control.sock")) + " characters)");
  }
}

void readUpstream(Reader& r, const Entry* e, Config& c) {
  if (!e) return;
  MapView up = r.map(e->value, e->keyNode.Mark(), "upstream", {"extra_ca_file", "connect_timeout_ms", "idle_per_host", "mark"});
  r.absolutePath(up, "extra_ca_file", c.upstreamExtraCaFile, /*allowEmpty=*/true);
  r.duration(up, "connect_timeout_ms", 1, kMaxTimeoutMs, c.upstreamConnectTimeout);
  r.integer(up, "idle_per_host", 0, 4096, c.upstreamIdlePerHost, "a pool size");
  // Mark 0 would leave the agent's own upstream sockets unmarked: they would
  // be redirected back to the agent.
  r.integer(up, "mark", 1, std::numeric_limits<uint32_t>::max(), c.agentMark, "a non-zero socket mark");
}

void readTimeouts(Reader& r, const Entry* e, Config& c) {
  if (!e) return;
  MapView t = r.map(e->value, e->keyNode.Mark(), "timeouts", {"client_hello_ms", "idle_ms"});
  r.duration(t, "client_hello_ms", 1, kMaxTimeoutMs, c.clientHelloTimeout);
  r.duration(t, "idle_ms", 1, kMaxTimeoutMs, c.idleTimeout);
}

void readLimits(Reader& r, const Entry* e, Config& c) {
  if (!e) return;
  MapView l = r.map(e->value, e->keyNode.Mark(), "limits",
                    {"max_request_body_bytes", "max_header_bytes", "max_header_count", "max_json_depth"});
  // Below these floors no real API request fits; above the ceilings one
  // client could make the agent hold gigabytes or recurse without bound.
  r.integer(l, "max_request_body_bytes", 1024, int64_t{1} << 30, c.maxRequestBodyBytes, "a body size in bytes");
  r.integer(l, "max_header_bytes", 1024, 1 << 20, c.maxHeaderBytes, "a header size in bytes");
  r.integer(l, "max_header_count", 8, 10000, c.maxHeaderCount, "a header field count");
  r.integer(l, "max_json_depth", 4, 1024, c.maxJsonDepth, "a JSON nesting depth");
}

void readValidation(Reader& r, const Entry* e, Config& c) {
  if (!e) return;
  auto& v = c.validation;
  MapView m = r.map(e->value, e->keyNode.Mark(), "validation",
                    {"enabled", "rules_dir", "injection_model", "harmful_model", "flag_score", "block_score",
                     "system_flag_score", "system_block_score", "indirect_flag_score", "indirect_block_score",
                     "harmful_flag_score", "harmful_block_score",
                     "sanitize_smuggling", "hidden_text_ratio", "block_unreadable", "cache_mib"});
  r.boolean(m, "enabled", v.enabled);
  r.absolutePath(m, "rules_dir", v.rulesDir);
  r.absolutePath(m, "injection_model", v.injectionModel, /*allowEmpty=*/true);
  r.absolutePath(m, "harmful_model", v.harmfulModel, /*allowEmpty=*/true);
  const std::pair<const char*, double*> scores[] = {
      {"flag_score", &v.flagScore},
      {"block_score", &v.blockScore},
      {"system_flag_score", &v.systemFlagScore},
      {"system_block_score", &v.systemBlockScore},
      {"indirect_flag_score", &v.indirectFlagScore},
      {"indirect_block_score", &v.indirectBlockScore},
      {"harmful_flag_score", &v.harmfulFlagScore},
      {"harmful_block_score", &v.harmfulBlockScore},
  };
  for (const auto& [key, out] : scores) r.fraction(m, key, *out);
  r.boolean(m, "sanitize_smuggling", v.sanitizeSmuggling);
  r.fraction(m, "hidden_text_ratio", v.hiddenTextRatio);
  r.boolean(m, "block_unreadable", v.blockUnreadable);
  r.integer(m, "cache_mib", 0, 256, v.cacheMiB, "a size in MiB");
  // A flag threshold above the block threshold would never flag anything.
  const std::tuple<const char*, double, double> pairs[] = {
      {"", v.flagScore, v.blockScore},
      {"system_", v.systemFlagScore, v.systemBlockScore},
      {"indirect_", v.indirectFlagScore, v.indirectBlockScore},
      {"harmful_", v.harmfulFlagScore, v.harmfulBlockScore},
  };
  for (const auto& [prefix, flag, block] : pairs) {
    if (r.failed() || flag <= block) continue;
    const std::string key = std::string(prefix) + "flag_score";
    const Entry* where = m.find(key);
    r.fail(where ? Reader::markOf(*where) : m.mark, "validation." + key,
           "must not be above validation." + std::string(prefix) + "block_score");
  }
}

void readAnomaly(Reader& r, const Entry* e, Config& c) {
  if (!e) return;
  auto& a = c.anomaly;
  MapView m = r.map(e->value, e->keyNode.Mark(), "anomaly", {"enabled", "half_life_s", "max_workloads"});
  r.boolean(m, "enabled", a.enabled);
  r.duration(m, "half_life_s", 1, 7 * 86400, a.halfLife);
  r.integer(m, "max_workloads", 1, 1000000, a.maxWorkloads, "a workload count");
}

void readAccess(Reader& r, const Entry* e, Config& c) {
  if (!e) return;
  auto& a = c.access;
  MapView m = r.map(e->value, e->keyNode.Mark(), "access", {"enabled", "policy_dirs", "secrets_file", "masking_rules_dir"});
  r.boolean(m, "enabled", a.enabled);
  if (const Entry* dirs = r.list(m, "policy_dirs")) {
    a.policyDirs.clear();
    for (const auto& item : dirs->value) {
      if (!item.IsScalar() || item.Scalar().empty() || item.Scalar().front() != '/') {
        r.fail(item.Mark(), "access.policy_dirs", yaml_reading::describe(item) + " is not an absolute path");
        return;
      }
      a.policyDirs.push_back(item.Scalar());
    }
  }
  r.absolutePath(m, "secrets_file", a.secretsFile, /*allowEmpty=*/true);
  r.absolutePath(m, "masking_rules_dir", a.maskingRulesDir, /*allowEmpty=*/true);
}

void readResolve(Reader& r, const Entry* e, Config& c) {
  if (!e) return;
  MapView res = r.map(e->value, e->keyNode.Mark(), "resolve", {"min_ttl_s", "max_ttl_s", "default_ttl_s"});
  const Entry* min = r.duration(res, "min_ttl_s", 1, 86400, c.minTtl);
  const Entry* max = r.duration(res, "max_ttl_s", 1, 86400, c.maxTtl);
  r.duration(res, "default_ttl_s", 1, 86400, c.defaultTtl);
  if (!r.failed() && c.maxTtl < c.minTtl) {
    const Entry* where = max ? max : min;
    r.fail(where ? Reader::markOf(*where) : res.mark, "resolve.max_ttl_s",
           std::to_string(c.maxTtl.count()) + " is less than resolve.min_ttl_s (" + std::to_string(c.minTtl.count()) +
               ")");
  }
}

void readHosts(Reader& r, const Entry* e, Config& c) {
  if (!e) return;
  c.hosts.clear();
  std::set<std::string> seen;
  size_t index = 0;
  for (const auto& item : e->value) {
    std::string path = "targets.hosts[" + std::to_string(index++) + "]";
    HostTarget host;
    YAML::Mark nameMark = item.Mark();
    if (item.IsScalar()) {  // shorthand: "- api.openai.com"
      host.name = item.Scalar();
    } else {
      MapView view = r.map(item, item.Mark(), path, {"name", "port", "tls", "resolve"});
      const Entry* name = r.string(view, "name", host.name);
      if (!name && !r.failed()) r.fail(view.mark, path + ".name", "missing (every host needs a name)");
      if (name) nameMark = Reader::markOf(*name);
      r.integer(view, "port", 1, 65535, host.port, "a port");
      r.boolean(view, "tls", host.tls);
      r.boolean(view, "resolve", host.resolve);
      path += ".name";
    }
    if (r.failed()) return;
    auto normalized = normalizeHostName(host.name);
    if (!normalized) {
      r.fail(nameMark, path, host.name.empty() ? "empty host name" : "'" + host.name + "' is not a host name");
      return;
    }
    host.name = *normalized;
    if (!seen.insert(host.name).second) {
      r.fail(nameMark, path, "duplicate host " + host.name);
      return;
    }
    c.hosts.push_back(host);
  }
}

void readAddresses(Reader& r, const Entry* e, Config& c) {
  if (!e) return;
  c.cidrs.clear();
  size_t index = 0;
  for (const auto& item : e->value) {
    std::string path = "targets.addresses[" + std::to_string(index++) + "]";
    MapView view = r.map(item, item.Mark(), path, {"cidr", "port", "tls"});
    std::string cidr;
    uint16_t port = 443;
    bool tls = true;
    const Entry* cidrEntry = r.string(view, "cidr", cidr);
    if (!cidrEntry && !r.failed()) r.fail(view.mark, path + ".cidr", "missing (for example 127.0.0.2/32)");
    r.integer(view, "port", 1, 65535, port, "a port");
    r.boolean(view, "tls", tls);
    if (r.failed()) return;
    auto entry = parseCidr(cidr, port, !tls);
    if (!entry) {
      r.fail(*cidrEntry, path + ".cidr", entry.error().message);
      return;
    }
    for (const auto& existing : c.cidrs) {
      if (existing.entry.addr == entry->addr && existing.entry.prefixLen == entry->prefixLen &&
          existing.entry.port == port) {
        r.fail(*cidrEntry, path + ".cidr", "duplicate address " + cidr + " port " + std::to_string(port));
        return;
      }
    }
    c.cidrs.push_back(CidrTarget{cidr, *entry});
  }
}

void readTargets(Reader& r, const Entry* e, Config& c) {
  if (!e) return;
  MapView targets = r.map(e->value, e->keyNode.Mark(), "targets", {"hosts", "addresses"});
  readHosts(r, r.list(targets, "hosts"), c);
  readAddresses(r, r.list(targets, "addresses"), c);
}

void readTopLevel(Reader& r, const YAML::Node& root, Config& c) {
  MapView top = r.map(root, YAML::Mark::null_mark(), "",
                      {"cgroup", "fail_mode", "heartbeat", "listen", "workers", "paths", "upstream", "timeouts",
                       "targets", "resolve", "limits", "validation", "anomaly", "access", "audit", "metrics"});
  if (const Entry* e = r.string(top, "cgroup", c.cgroup); e && c.cgroup != "auto" && (c.cgroup.empty() || c.cgroup.front() != '/')) {
    r.fail(*e, "cgroup", "'" + c.cgroup + "' is neither auto nor an absolute cgroup v2 directory");
  }
  std::string failMode;
  if (const Entry* e = r.string(top, "fail_mode", failMode)) {
    if (failMode == "open") {
      c.failMode = kernel::FailMode::Open;
    } else if (failMode == "closed") {
      c.failMode = kernel::FailMode::Closed;
    } else {
      r.fail(*e, "fail_mode", "'" + failMode + "' is not open or closed");
    }
  }
  readHeartbeat(r, top.find("heartbeat"), c);
  if (const Entry* e = top.find("listen")) {
    MapView listen = r.map(e->value, e->keyNode.Mark(), "listen", {"port"});
    r.integer(listen, "port", 1, 65535, c.listenPort, "a port");
  }
  r.integer(top, "workers", 0, 1024, c.workers, "a worker count");
  readPaths(r, top.find("paths"), c);
  readUpstream(r, top.find("upstream"), c);
  readTimeouts(r, top.find("timeouts"), c);
  readTargets(r, top.find("targets"), c);
  readResolve(r, top.find("resolve"), c);
  readLimits(r, top.find("limits"), c);
  readValidation(r, top.find("validation"), c);
  readAnomaly(r, top.find("anomaly"), c);
  readAccess(r, top.find("access"), c);
  readAuditSection(r, top.find("audit"), c.audit);
  readMetricsSection(r, top.find("metrics"), c.metrics);
}

std::string prefixError(const std::string& text, const std::string& why) {
  return "'" + text + "' is not a CIDR: " + why;
}

}  // namespace

Config defaultConfig() {
  Config c;
  for (const char* name : kDefaultHosts) c.hosts.push_back(HostTarget{name});
  return c;
}

Result<Config> parseConfig(const std::string& yamlText, const std::string& sourceName) {
  YAML::Node root;
  try {
    root = YAML::Load(yamlText);
  } catch (const YAML::Exception& e) {
    std::string where = sourceName;
    if (!e.mark.is_null()) where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return Error{where + ": not valid YAML: " + e.msg};
  }
  Config config = defaultConfig();
  config.sourcePath = sourceName;
  Reader reader(sourceName);
  try {
    readTopLevel(reader, root, config);
  } catch (const YAML::Exception& e) {  // yaml-cpp may throw on odd trees (e.g. aliases)
    return Error{sourceName + ": " + e.what()};
  }
  if (reader.failed()) return reader.error();
  return config;
}

Result<Config> loadConfig(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errnoError("read config " + path);
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoError("read config " + path);
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxConfigBytes) return Error{"read config " + path + ": larger than 1 MiB; is it the right file?"};
  }
  return parseConfig(text, path);
}

Result<kernel::TargetEntry> parseCidr(const std::string& text, uint16_t port, bool plainHttp) {
  std::string address = text;
  std::optional<int> prefix;
  if (auto slash = text.find('/'); slash != std::string::npos) {
    address = text.substr(0, slash);
    std::string_view digits(text.data() + slash + 1, text.size() - slash - 1);
    int value = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || digits.size() > 3 || !std::isdigit(static_cast<unsigned char>(digits[0])) || ec != std::errc() || end != digits.data() + digits.size()) {
      return Error{prefixError(text, "the prefix length after / must be a number")};
    }
    prefix = value;
  }
  kernel::TargetEntry entry;
  entry.port = port;
  entry.plainHttp = plainHttp;
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    if (prefix && *prefix > 32) return Error{prefixError(text, "an IPv4 prefix length is at most 32")};
    entry.addr[10] = 0xff;
    entry.addr[11] = 0xff;
    std::memcpy(entry.addr.data() + 12, &v4, 4);
    entry.prefixLen = static_cast<uint8_t>(prefix.value_or(32) + 96);
  } else if (inet_pton(AF_INET6, address.c_str(), entry.addr.data()) == 1) {
    if (prefix && *prefix > 128) return Error{prefixError(text, "an IPv6 prefix length is at most 128")};
    entry.prefixLen = static_cast<uint8_t>(prefix.value_or(128));
  } else {
    return Error{prefixError(text, "expected an address like 10.0.0.0/8 or fd00::/8")};
  }
  // Host bits set usually means a typo in the prefix; refuse rather than guess.
  auto network = entry.addr;
  for (size_t bit = entry.prefixLen; bit < 128; ++bit) network[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  if (network != entry.addr) {
    Endpoint e;
    e.addr = network;
    unsigned shown = e.isV4Mapped() ? entry.prefixLen - 96u : entry.prefixLen;
    return Error{prefixError(text, "host bits are set (did you mean " + e.addressString() + "/" +
                                       std::to_string(shown) + "?)")};
  }
  return entry;
}

}  // namespace warden::app
