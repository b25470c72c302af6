// POST /v1/responses: `instructions`, `input` as a string or a list of items
// (messages, function calls and their outputs), prompt template variables,
// and tools, built-in ones included.
#include "providers/openai_cursor.h"
#include "providers/openai_media.h"
#include "providers/openai_parts.h"
#include "providers/openai_request.h"

namespace warden::providers::openai {
namespace {

// input_image and computer_screenshot: a URL (or data: URL) or a file id.
Result<Part> readImagePart(const Json& part, const Cursor& at) {
  Part out;
  out.kind = Part::Kind::Image;
  auto url = optionalString(part, at, "image_url");
  if (!url) return url.error();
  auto id = optionalString(part, at, "file_id");
  if (!id) return id.error();
  if (*url != nullptr) setMediaFromUrl(out, **url);
  if (*id != nullptr) out.reference = **id;
  return out;
}

Result<Part> readFilePart(const Json& part, const Cursor& at) {
  auto out = readFileFields(part, at);
  if (!out) return out;
  auto url = optionalString(part, at, "file_url");
  if (!url) return url.error();
  // A file id names the file more surely than a URL.
  if (*url != nullptr && member(part, "file_id") == nullptr) out->reference = **url;
  return out;
}

Result<Part> readPart(const Json& part, const Cursor& at) {
  auto type = readPartType(part, at);
  if (!type) return type.error();
  const std::string& kind = **type;
  if (kind == "input_text" || kind == "output_text") return readTextPart(part, at, "text");
  if (kind == "refusal") return readTextPart(part, at, "refusal");
  if (kind == "input_image" || kind == "computer_screenshot") return readImagePart(part, at);
  if (kind == "input_file") return readFilePart(part, at);
  if (kind == "input_audio") return readAudioPart(part, at);
  return Part{.kind = Part::Kind::Other};
}

// Message content and tool output: a string, a list of parts, or (computer
// use) one part.
Status readContent(const Json& value, const Cursor& at, Message& out, bool singlePartAllowed) {
  if (value.is_string()) {
    out.parts.push_back(textPart(at, value.get_ref<const std::string&>()));
    return {};
  }
  if (value.is_object() && singlePartAllowed) {
    auto part = readPart(value, at);
    if (!part) return part.error();
    out.parts.push_back(std::move(*part));
    return {};
  }
  if (!value.is_array()) return at.expected("a string or an array of parts");
  for (size_t i = 0; i < value.size(); ++i) {
    auto part = readPart(value[i], at.child(i));
    if (!part) return part.error();
    out.parts.push_back(std::move(*part));
  }
  return {};
}

Result<Message> readMessageItem(const Json& item, const Cursor& at) {
  Message out;
  auto role = requiredString(item, at, "role");
  if (!role) return role.error();
  out.role = messageRole(**role);
  if (const Json* content = member(item, "content")) {
    if (auto status = readContent(*content, at.child("content"), out, false); !status) return status.error();
  }
  return out;
}

// function_call (JSON arguments) and custom_tool_call (free-form input):
// an earlier assistant turn asking for a tool.
Result<Message> readCallItem(const Json& item, const Cursor& at, std::string_view argumentsKey) {
  Message out;
  out.role = Role::Assistant;
  ToolCall call;
  auto id = optionalString(item, at, "call_id");
  if (!id) return id.error();
  auto name = requiredString(item, at, "name");
  if (!name) return name.error();
  auto arguments = optionalString(item, at, argumentsKey);
  if (!arguments) return arguments.error();
  if (*id != nullptr) call.id = **id;
  call.name = **name;
  if (*arguments != nullptr) call.arguments = at.child(argumentsKey).text(**arguments);
  out.toolCalls.push_back(std::move(call));
  return out;
}

// function_call_output, custom_tool_call_output, computer_call_output,
// local_shell_call_output, ...: what a tool gave back, sent to the model.
Result<Message> readOutputItem(const Json& item, const Cursor& at) {
  Message out;
  out.role = Role::Tool;
  auto id = optionalString(item, at, "call_id");
  if (!id) return id.error();
  if (*id != nullptr) out.toolCallId = **id;
  if (const Json* output = member(item, "output")) {
    if (auto status = readContent(*output, at.child("output"), out, true); !status) return status.error();
  }
  return out;
}

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Items that only name server-side state (item_reference, reasoning,
// built-in tool calls made by the model) carry no client text: nullopt.
Result<std::optional<Message>> readItem(const Json& item, const Cursor& at) {
  if (!item.is_object()) return at.expected("an input item object");
  auto type = optionalString(item, at, "type");
  if (!type) return type.error();
  const std::string kind = *type != nullptr ? **type : "message";
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

Status readInput(const Json& body, const Cursor& root, Request& out) {
  const Json* input = member(body, "input");
  if (input == nullptr) return {};  // continuing from previous_response_id or a stored prompt
  const Cursor at = root.child("input");
  if (input->is_string()) {
    Message message;
    message.role = Role::User;
    message.parts.push_back(textPart(at, input->get_ref<const std::string&>()));
    out.messages.push_back(std::move(message));
    return {};
  }
  if (!input->is_array()) return at.expected("a string or an array of input items");
  for (size_t i = 0; i < input->size(); ++i) {
    auto message = readItem((*input)[i], at.child(i));
    if (!message) return message.error();
    if (*message) out.messages.push_back(std::move(**message));
  }
  return {};
}

// A stored prompt's variables are text (or media) the model sees, sent as
// a user turn would be.
Status readPromptVariables(const Json& body, const Cursor& root, Request& out) {
  auto prompt = optionalObject(body, root, "prompt");
  if (!prompt) return prompt.error();
  if (*prompt == nullptr) return {};
  const Cursor promptAt = root.child("prompt");
  auto variables = optionalObject(**prompt, promptAt, "variables");
  if (!variables) return variables.error();
  if (*variables == nullptr || (*variables)->empty()) return {};
  Message message;
  message.role = Role::User;
  const Cursor variablesAt = promptAt.child("variables");
  for (const auto& [key, value] : (*variables)->items()) {
    const Cursor at = variablesAt.child(key);
    if (value.is_string()) {
      message.parts.push_back(textPart(at, value.get_ref<const std::string&>()));
    } else if (value.is_object()) {
      auto part = readPart(value, at);
      if (!part) return part.error();
      message.parts.push_back(std::move(*part));
    } else {
      return at.expected("a string or an input part object");
    }
  }
  out.messages.push_back(std::move(message));
  return {};
}

Result<ToolDefinition> readTool(const Json& tool, const Cursor& at) {
  if (!tool.is_object()) return at.expected("a tool object");
  auto type = requiredString(tool, at, "type");
  if (!type) return type.error();
  ToolDefinition out;
  out.type = **type;
  // Function and custom tools are described to the model by the client; an
  // MCP server by its label and description.
  const bool defined = out.type == "function" || out.type == "custom";
  const char* nameKey = defined ? "name" : out.type == "mcp" ? "server_label" : nullptr;
  const char* descriptionKey = defined ? "description" : out.type == "mcp" ? "server_description" : nullptr;
  if (nameKey == nullptr) return out;
  auto name = defined ? requiredString(tool, at, nameKey) : optionalString(tool, at, nameKey);
  if (!name) return name.error();
  auto description = optionalString(tool, at, descriptionKey);
  if (!description) return description.error();
  if (*name != nullptr) out.name = **name;
  if (*description != nullptr) out.description = at.child(descriptionKey).text(**description);
  return out;
}

}  // namespace

Status readResponsesRequest(const Json& body, Request& out) {
  const Cursor root;
  auto instructions = optionalString(body, root, "instructions");
  if (!instructions) return instructions.error();
  if (*instructions != nullptr) {
    Message system;
    system.role = Role::System;
    system.parts.push_back(textPart(root.child("instructions"), **instructions));
    out.messages.push_back(std::move(system));
  }
  if (auto status = readPromptVariables(body, root, out); !status) return status;
  if (auto status = readInput(body, root, out); !status) return status;

  return readList(body, root, "tools", readTool, out.tools);
}

}  // namespace warden::providers::openai
