#include "providers/openai_parts.h"

#include <algorithm>
#include <vector>

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

Status readPromptVariables(JsonValue body, const Cursor& root, const PartReader& readObjectPart, Request& out) {
  auto prompt = optionalObject(body, root, "prompt");
  if (!prompt) return prompt.error();
  if (!*prompt) return {};
  const Cursor promptAt = root.child("prompt");
  auto variables = optionalObject(**prompt, promptAt, "variables");
  if (!variables) return variables.error();
  if (!*variables || (*variables)->empty()) return {};
  std::vector<JsonMember> members;
  members.reserve((*variables)->size());
  for (JsonMember variable : (*variables)->members()) members.push_back(variable);
  std::sort(members.begin(), members.end(), [](const JsonMember& a, const JsonMember& b) { return a.key < b.key; });
  Message message;
  message.role = Role::User;
  const Cursor variablesAt = promptAt.child("variables");
  for (const auto& [key, value] : members) {
    const Cursor at = variablesAt.child(key);
    if (value.isString()) {
      message.parts.push_back(textPart(at, value.string()));
    } else if (value.isObject()) {
      auto part = readObjectPart(value, at);
      if (!part) return part.error();
      message.parts.push_back(std::move(*part));
    } else {
      return at.expected("a string or an input part object");
    }
  }
  out.messages.push_back(std::move(message));
  return {};
}

}  // namespace warden::providers::openai
