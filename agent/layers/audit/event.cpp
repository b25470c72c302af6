#include "layers/audit/event.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <random>

#include "core/unique_fd.h"

namespace warden::audit {
namespace {

const char* typeName(EventType type) {
  switch (type) {
    case EventType::Request: return "request";
    case EventType::Tunnel: return "tunnel";
    case EventType::AgentStart: return "agent_start";
    case EventType::AgentStop: return "agent_stop";
  }
  return "unknown";
}

// RFC 3339 in UTC with nanoseconds: 2025-01-31T12:00:00.123456789Z.
std::string rfc3339(std::chrono::system_clock::time_point time) {
  auto sinceEpoch = std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch());
  auto secs = std::chrono::floor<std::chrono::seconds>(sinceEpoch);
  auto nanos = (sinceEpoch - secs).count();
  std::time_t t = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(nanos));
  return buf;
}

bool fillRandom(uint8_t* out, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = getrandom(out + done, len - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    done += static_cast<size_t>(n);
  }
  if (done == len) return true;
  // Kernels without getrandom(2), or seccomp filters that refuse it.
  UniqueFd fd(::open("/dev/urandom", O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  done = 0;
  while (done < len) {
    ssize_t n = ::read(fd.get(), out + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::string newEventId() {
  std::array<uint8_t, 16> bytes{};
  if (!fillRandom(bytes.data(), bytes.size())) {
    // Ids only need to be unique, not secret: a seeded engine beats no id.
    thread_local std::mt19937_64 engine{std::random_device{}()};
    for (auto& b : bytes) b = static_cast<uint8_t>(engine());
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(32);
  for (uint8_t b : bytes) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 0xf]);
  }
  return id;
}

nlohmann::json toJson(const Event& event, const std::string& hostName) {
  nlohmann::json j;
  j["schema"] = "warden.event/v1";
  j["id"] = event.id;
  j["time"] = rfc3339(event.time);
  j["host"] = hostName;
  j["type"] = typeName(event.type);

  if (event.identity) {
    const auto& id = *event.identity;
    j["identity"] = {{"pid", id.tgid},          {"tid", id.pid},           {"uid", id.uid},
                     {"gid", id.gid},           {"cgroup_id", id.cgroupId}, {"comm", id.comm},
                     {"netns_cookie", id.netnsCookie}};
  }

  nlohmann::json connection = nlohmann::json::object();
  if (event.originalDst) connection["original_dst"] = event.originalDst->toString();
  if (!event.sni.empty()) connection["sni"] = event.sni;
  if (!event.mode.empty()) connection["mode"] = event.mode;
  if (!connection.empty()) j["connection"] = std::move(connection);

  nlohmann::json request = nlohmann::json::object();
  if (!event.method.empty()) request["method"] = event.method;
  if (!event.path.empty()) request["path"] = event.path;
  if (!event.httpHost.empty()) request["host"] = event.httpHost;
  if (!request.empty() || event.bytesFromClient > 0) request["bytes"] = event.bytesFromClient;
  if (!request.empty()) j["request"] = std::move(request);

  nlohmann::json response = nlohmann::json::object();
  if (event.status != 0) response["status"] = event.status;
  if (!response.empty() || event.bytesToClient > 0) response["bytes"] = event.bytesToClient;
  if (!response.empty()) j["response"] = std::move(response);

  if (event.duration.count() > 0) j["duration_us"] = event.duration.count();
  if (!event.decision.empty()) j["decision"] = event.decision;
  if (!event.error.empty()) j["error"] = event.error;
  return j;
}

}  // namespace warden::audit
