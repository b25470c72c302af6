// POST /v1/responses: `instructions`, `input` as a string or a list of items
// (messages, function calls and their outputs), prompt template variables,
// and tools, built-in ones included.
#include <algorithm>
#include <vector>

#include "providers/openai_cursor.h"
#include "providers/openai_media.h"
#include "providers/openai_parts.h"
#include "providers/openai_request.h"

namespace warden::providers::openai {
namespace {

// input_image and computer_screenshot: a URL (or data: URL) or a file id.
Result<Part> readImagePart(JsonValue part, const Cursor& at) {
  Part out;
  out.kind = Part::Kind::Image;
  auto url = optionalString(part, at, "image_url");
  if (!url) return url.error();
  auto id = optionalString(part, at, "file_id");
  if (!id) return id.error();
  if (*url) setMediaFromUrl(out, **url);
  if (*id) out.reference = **id;
  return out;
}

Result<Part> readFilePart(JsonValue part, const Cursor& at) {
  auto out = readFileFields(part, at);
  if (!out) return out;
  auto url = optionalString(part, at, "file_url");
  if (!url) return url.error();
  // A file id names the file more surely than a URL.
  if (*url && !member(part, "file_id")) out->reference = **url;
  return out;
}

Result<Part> readPart(JsonValue part, const Cursor& at) {
  auto type = readPartType(part, at);
  if (!type) return type.error();
  const std::string_view kind = *type;
  if (kind == "input_text" || kind == "output_text") return readTextPart(part, at, "text");
  if (kind == "refusal") return readTextPart(part, at, "refusal");
  if (kind == "input_image" || kind == "computer_screenshot") return readImagePart(part, at);
  if (kind == "input_file") return readFilePart(part, at);
  if (kind == "input_audio") return readAudioPart(part, at);
  return Part{.kind = Part::Kind::Other};
}

// Message content and tool output: a string, a list of parts, or (computer
// use) one part.
Status readContent(JsonValue value, const Cursor& at, Message& out, bool singlePartAllowed) {
  if (value.isString()) {
    out.parts.push_back(textPart(at, value.string()));
    return {};
  }
  if (value.isObject() && singlePartAllowed) {
    auto part = readPart(value, at);
    if (!part) return part.error();
    out.parts.push_back(std::move(*part));
    return {};
  }
  if (!value.isArray()) return at.expected("a string or an array of parts");
  size_t i = 0;
  for (JsonValue element : value.elements()) {
    auto part = readPart(element, at.child(i++));
    if (!part) return part.error();
    out.parts.push_back(std::move(*part));
  }
  return {};
}

Result<Message> readMessageItem(JsonValue item, const Cursor& at) {
  Message out;
  auto role = requiredString(item, at, "role");
  if (!role) return role.error();
  out.role = messageRole(*role);
  if (const auto content = member(item, "content")) {
    if (auto status = readContent(*content, at.child("content"), out, false); !status) return status.error();
  }
  return out;
}

// function_call (JSON arguments) and custom_tool_call (free-form input):
// an earlier assistant turn asking for a tool.
Result<Message> readCallItem(JsonValue item, const Cursor& at, std::string_view argumentsKey) {
  Message out;
  out.role = Role::Assistant;
  ToolCall call;
  auto id = optionalString(item, at, "call_id");
  if (!id) return id.error();
  auto name = requiredString(item, at, "name");
  if (!name) return name.error();
  auto arguments = optionalString(item, at, argumentsKey);
  if (!arguments) return arguments.error();
  if (*id) call.id = **id;
  call.name = *name;
  if (*arguments) call.arguments = at.child(argumentsKey).text(**arguments);
  out.toolCalls.push_back(std::move(call));
  return out;
}

// function_call_output, custom_tool_call_output, computer_call_output,
// local_shell_call_output, ...: what a tool gave back, sent to the model.
Result<Message> readOutputItem(JsonValue item, const Cursor& at) {
  Message out;
  out.role = Role::Tool;
  auto id = optionalString(item, at, "call_id");
  if (!id) return id.error();
  if (*id) out.toolCallId = **id;
  if (const auto output = member(item, "output")) {
    if (auto status = readContent(*output, at.child("output"), out, true); !status) return status.error();
  }
  return out;
}

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Items that only name server-side state (item_reference, reasoning,
// built-in tool calls made by the model) carry no client text: nullopt.
Result<std::optional<Message>> readItem(JsonValue item, const Cursor& at) {
  if (!item.isObject()) return at.expected("an input item object");
  auto type = optionalString(item, at, "type");
  if (!type) return type.error();
  const std::string_view kind = type->value_or("message");
  Result<Message> message = Error{};
  if (kind == "message") {
    message = readMessageItem(item, at);
  } else if (kind == "function_call") {
    message = readCallItem(item, at, "arguments");
  } else if (kind == "custom_tool_call") {
    message = readCallItem(item, at, "input");
  } else if (endsWith(kind, "_output")) {
    message = readOutputItem(item, at);
  } else {
    return std::optional<Message>{};
  }
  if (!message) return message.error();
  return std::optional<Message>{std::move(*message)};
}

Status readInput(JsonValue body, const Cursor& root, Request& out) {
  const auto input = member(body, "input");
  if (!input) return {};  // continuing from previous_response_id or a stored prompt
  const Cursor at = root.child("input");
  if (input->isString()) {
    Message message;
    message.role = Role::User;
    message.parts.push_back(textPart(at, input->string()));
    out.messages.push_back(std::move(message));
    return {};
  }
  if (!input->isArray()) return at.expected("a string or an array of input items");
  size_t i = 0;
  for (JsonValue element : input->elements()) {
    auto message = readItem(element, at.child(i++));
    if (!message) return message.error();
    if (*message) out.messages.push_back(std::move(**message));
  }
  return {};
}

Result<ToolDefinition> readTool(JsonValue tool, const Cursor& at) {
  if (!tool.isObject()) return at.expected("a tool object");
  auto type = requiredString(tool, at, "type");
  if (!type) return type.error();
  ToolDefinition out;
  out.type = *type;
  // Function and custom tools are described to the model by the client; an
  // MCP server by its label and description.
  const bool defined = out.type == "function" || out.type == "custom";
  const char* nameKey = defined ? "name" : out.type == "mcp" ? "server_label" : nullptr;
  const char* descriptionKey = defined ? "description" : out.type == "mcp" ? "server_description" : nullptr;
  if (nameKey == nullptr) return out;
  std::optional<std::string_view> name;
  if (defined) {
    auto required = requiredString(tool, at, nameKey);
    if (!required) return required.error();
    name = *required;
  } else {
    auto optional = optionalString(tool, at, nameKey);
    if (!optional) return optional.error();
    name = *optional;
  }
  auto description = optionalString(tool, at, descriptionKey);
  if (!description) return description.error();
  if (name) out.name = *name;
  if (*description) out.description = at.child(descriptionKey).text(**description);
  return out;
}

}  // namespace

Status readResponsesRequest(JsonValue body, Request& out) {
  const Cursor root;
  auto instructions = optionalString(body, root, "instructions");
  if (!instructions) return instructions.error();
  if (*instructions) {
    Message system;
    system.role = Role::System;
    system.parts.push_back(textPart(root.child("instructions"), **instructions));
    out.messages.push_back(std::move(system));
  }
  if (auto status = readPromptVariables(body, root, readPart, out); !status) return status;
  if (auto status = readInput(body, root, out); !status) return status;

  return readList(body, root, "tools", readTool, out.tools);
}

}  // namespace warden::providers::openai
