// One decision of the agent, as it is written to the event log. The JSON shape
// is versioned ("schema": "warden.event/v1"); new fields are added, never
// renamed, so later layers can grow it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/endpoint.h"

namespace warden::audit {

enum class EventType { Request, Tunnel, AgentStart, AgentStop };

struct Event {
  EventType type = EventType::Request;
  std::string id;  // 128-bit random, hex; unique per event
  std::chrono::system_clock::time_point time = std::chrono::system_clock::now();
  std::optional<KernelIdentity> identity;
  std::optional<Endpoint> originalDst;
  std::string sni;   // server name the client asked for, if any
  std::string mode;  // "intercept" | "tunnel" | "plain"

  // Request events
  std::string method;
  std::string path;
  std::string httpHost;
  int status = 0;
  std::string decision;  // "allow" for now; later layers add "deny" etc.
  std::string error;     // why a request failed, if it did

  uint64_t bytesFromClient = 0;
  uint64_t bytesToClient = 0;
  std::chrono::microseconds duration{0};
};

std::string newEventId();
nlohmann::json toJson(const Event& event, const std::string& hostName);

}  // namespace warden::audit
