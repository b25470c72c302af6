// What layer 3 decides on: who is calling (the kernel-verified identity the
// proxy resolved) and what the request asks for. Plain data, so the access
// layer needs nothing from identity/ or proxy/.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace warden::access {

struct Subject {
  std::string workloadKey;
  std::string unit;
  std::string slice;
  std::string containerId;
  std::string containerRuntime;
  std::string podUid;
  std::string cgroupPath;
  std::string executable;
  std::string executableSha256;
  std::optional<uint32_t> uid;
  std::string user;
  std::optional<uint32_t> gid;
  std::string group;
  std::string comm;
  bool known = false;  // false when the kernel gave no identity for the connection
};

struct AccessRequest {
  Subject subject;
  std::string provider;  // openai, anthropic, gemini, azure-openai, ...
  std::string host;
  std::string endpoint;  // URL path
  std::string model;
  std::vector<std::string> toolsDeclared;
  std::vector<std::string> toolsCalled;
  std::vector<std::string> detections;  // layer 1/2 findings: secret, pii, prompt_injection, jailbreak, ...
  double riskScore = 0;
  std::string keySha256;  // hex SHA-256 of the API key the request carried; "" if none
  std::chrono::system_clock::time_point time;
};

}  // namespace warden::access
