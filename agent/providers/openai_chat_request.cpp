// POST /v1/chat/completions: messages with string or part-array content,
// assistant tool calls, tool results, and the tools offered to the model.
#include "providers/openai_cursor.h"
#include "providers/openai_media.h"
#include "providers/openai_parts.h"
#include "providers/openai_request.h"

namespace warden::providers::openai {
namespace {

Role chatRole(std::string_view role) {
  if (role == "tool" || role == "function") return Role::Tool;  // "function": the legacy tool result
  return messageRole(role);
}

Result<Part> readImagePart(JsonValue part, const Cursor& at) {
  Part out;
  out.kind = Part::Kind::Image;
  const auto image = member(part, "image_url");
  // Some compatible servers take the URL directly instead of {"url": ...}.
  if (image && image->isString()) {
    setMediaFromUrl(out, image->string());
    return out;
  }
  auto object = requiredObject(part, at, "image_url");
  if (!object) return object.error();
  auto url = requiredString(*object, at.child("image_url"), "url");
  if (!url) return url.error();
  setMediaFromUrl(out, *url);
  return out;
}

Result<Part> readFilePart(JsonValue part, const Cursor& at) {
  auto file = requiredObject(part, at, "file");
  if (!file) return file.error();
  return readFileFields(*file, at.child("file"));
}

Result<Part> readPart(JsonValue part, const Cursor& at) {
  auto type = readPartType(part, at);
  if (!type) return type.error();
  const std::string_view kind = *type;
  if (kind == "text") return readTextPart(part, at, "text");
  if (kind == "refusal") return readTextPart(part, at, "refusal");  // an earlier assistant turn's refusal
  if (kind == "image_url") return readImagePart(part, at);
  if (kind == "input_audio") return readAudioPart(part, at);
  if (kind == "file") return readFilePart(part, at);
  // A part type this version does not know: layers see that something
  // uninspected was sent and decide by policy.
  return Part{.kind = Part::Kind::Other};
}

Status readContent(JsonValue message, const Cursor& at, Message& out) {
  const auto content = member(message, "content");
  if (!content) return {};  // an assistant turn with only tool calls
  const Cursor contentAt = at.child("content");
  if (content->isString()) {
    out.parts.push_back(textPart(contentAt, content->string()));
    return {};
  }
  if (!content->isArray()) return contentAt.expected("a string or an array of parts");
  size_t i = 0;
  for (JsonValue element : content->elements()) {
    auto part = readPart(element, contentAt.child(i++));
    if (!part) return part.error();
    out.parts.push_back(std::move(*part));
  }
  return {};
}

Result<ToolCall> readToolCall(JsonValue call, const Cursor& at) {
  if (!call.isObject()) return at.expected("a tool call object");
  ToolCall out;
  auto id = optionalString(call, at, "id");
  if (!id) return id.error();
  if (*id) out.id = **id;
  auto type = optionalString(call, at, "type");
  if (!type) return type.error();
  // Custom tools take free-form input rather than JSON arguments.
  const bool custom = *type && **type == "custom";
  const char* bodyKey = custom ? "custom" : "function";
  const char* argumentsKey = custom ? "input" : "arguments";
  auto body = requiredObject(call, at, bodyKey);
  if (!body) return body.error();
  const Cursor bodyAt = at.child(bodyKey);
  auto name = requiredString(*body, bodyAt, "name");
  if (!name) return name.error();
  auto arguments = optionalString(*body, bodyAt, argumentsKey);
  if (!arguments) return arguments.error();
  out.name = *name;
  if (*arguments) out.arguments = bodyAt.child(argumentsKey).text(**arguments);
  return out;
}

Status readToolCalls(JsonValue message, const Cursor& at, Message& out) {
  if (auto status = readList(message, at, "tool_calls", readToolCall, out.toolCalls); !status) return status;
  // The deprecated single function call of older clients.
  auto legacy = optionalObject(message, at, "function_call");
  if (!legacy) return legacy.error();
  if (*legacy) {
    const Cursor legacyAt = at.child("function_call");
    auto name = requiredString(**legacy, legacyAt, "name");
    if (!name) return name.error();
    auto arguments = optionalString(**legacy, legacyAt, "arguments");
    if (!arguments) return arguments.error();
    ToolCall call;
    call.name = *name;
    if (*arguments) call.arguments = legacyAt.child("arguments").text(**arguments);
    out.toolCalls.push_back(std::move(call));
  }
  return {};
}

Result<Message> readMessage(JsonValue message, const Cursor& at) {
  if (!message.isObject()) return at.expected("a message object");
  Message out;
  auto role = requiredString(message, at, "role");
  if (!role) return role.error();
  out.role = chatRole(*role);
  auto name = optionalString(message, at, "name");
  if (!name) return name.error();
  if (*name) out.name = **name;
  auto toolCallId = optionalString(message, at, "tool_call_id");
  if (!toolCallId) return toolCallId.error();
  if (*toolCallId) out.toolCallId = **toolCallId;

  if (auto status = readContent(message, at, out); !status) return status.error();
  auto refusal = optionalString(message, at, "refusal");
  if (!refusal) return refusal.error();
  if (*refusal) out.parts.push_back(textPart(at.child("refusal"), **refusal));
  if (auto status = readToolCalls(message, at, out); !status) return status.error();
  return out;
}

// {"name", "description"} of a function (chat tools and legacy functions)
// or a custom tool.
Result<ToolDefinition> readFunction(JsonValue function, const Cursor& at, std::string type) {
  ToolDefinition out;
  out.type = std::move(type);
  auto name = requiredString(function, at, "name");
  if (!name) return name.error();
  auto description = optionalString(function, at, "description");
  if (!description) return description.error();
  out.name = *name;
  if (*description) out.description = at.child("description").text(**description);
  return out;
}

Result<ToolDefinition> readTool(JsonValue tool, const Cursor& at) {
  if (!tool.isObject()) return at.expected("a tool object");
  auto type = optionalString(tool, at, "type");
  if (!type) return type.error();
  const std::string kind(type->value_or("function"));
  if (kind == "function" || kind == "custom") {
    auto body = requiredObject(tool, at, kind);
    if (!body) return body.error();
    return readFunction(*body, at.child(kind), kind);
  }
  ToolDefinition out;
  out.type = kind;
  return out;
}

}  // namespace

Status readChatRequest(JsonValue body, Request& out) {
  const Cursor root;
  const auto messages = member(body, "messages");
  if (!messages || !messages->isArray()) return root.child("messages").expected("an array of messages");
  size_t i = 0;
  for (JsonValue element : messages->elements()) {
    auto message = readMessage(element, root.child("messages").child(i++));
    if (!message) return message.error();
    out.messages.push_back(std::move(*message));
  }

  if (auto status = readList(body, root, "tools", readTool, out.tools); !status) return status;
  // The deprecated functions list of older clients.
  const auto readLegacyFunction = [](JsonValue function, const Cursor& at) -> Result<ToolDefinition> {
    if (!function.isObject()) return at.expected("a function object");
    return readFunction(function, at, "function");
  };
  return readList(body, root, "functions", readLegacyFunction, out.tools);
}

}  // namespace warden::providers::openai
