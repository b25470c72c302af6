// Layer 3's answer for one request, and the trace `explain` adds to it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace warden::access {

enum class Action : uint8_t { Allow, Deny, Monitor, Redact };
// enforce: the action applies; monitor: the proxy records what would have
// happened and lets the request through.
enum class Mode : uint8_t { Enforce, Monitor };

std::string_view actionName(Action action);
std::string_view modeName(Mode mode);

inline constexpr const char* kKeyTheftFlag = "key_theft_suspected";
inline constexpr const char* kUnknownWorkloadFlag = "unknown_workload";

struct AccessDecision {
  Action action = Action::Monitor;
  bool enforced = true;    // false in monitor mode
  std::string ruleId;      // "" when the default applied; the key's id for a key-binding denial
  std::string policyName;  // metadata.name of the document that decided
  std::string source;      // FILE:LINE:COLUMN of the rule, key or default
  std::string reason;      // one sentence for the operator and the 403 body
  std::vector<std::string> flags;
};

// One rule as `explain` considered it, in evaluation order.
struct TraceStep {
  std::string ruleId;
  std::string source;
  bool matched = false;
  std::string failure;  // the first criterion that did not hold, when !matched
};

struct Explanation {
  AccessDecision decision;
  std::string keyCheck;  // what the key binding found ("" when the request carried no known key)
  std::vector<TraceStep> steps;
};

}  // namespace warden::access
