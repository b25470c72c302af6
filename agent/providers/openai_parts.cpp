#include "providers/openai_parts.h"

namespace warden::providers::openai {

Role messageRole(std::string_view role) {
  if (role == "system") return Role::System;
  if (role == "developer") return Role::Developer;
  if (role == "user") return Role::User;
  if (role == "assistant") return Role::Assistant;
  return Role::Unknown;
}

Result<std::string_view> readPartType(JsonValue part, const Cursor& at) {
  if (!part.isObject()) return at.expected("a content part object");
  return requiredString(part, at, "type");
}

Part textPart(const Cursor& at, std::string_view text) {
  Part out;
  out.kind = Part::Kind::Text;
  out.text = at.text(text);
  return out;
}

Result<Part> readTextPart(JsonValue part, const Cursor& at, std::string_view key) {
  auto text = requiredString(part, at, key);
  if (!text) return text.error();
  return textPart(at.child(key), *text);
}

}  // namespace warden::providers::openai
