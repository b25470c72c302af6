#include "layers/access/access_decision.h"

namespace warden::access {

std::string_view actionName(Action action) {
  switch (action) {
    case Action::Allow: return "allow";
    case Action::Deny: return "deny";
    case Action::Monitor: return "monitor";
    case Action::Redact: return "redact";
  }
  return "?";
}

std::string_view modeName(Mode mode) { return mode == Mode::Enforce ? "enforce" : "monitor"; }

}  // namespace warden::access
