#include "providers/anthropic_response.h"

#include <cstddef>
#include <map>
#include <string>

#include "providers/framed_response_reader.h"
#include "providers/json_fields.h"

namespace warden::providers {
namespace {

class AnthropicReader final : public FramedResponseReader {
 public:
  using FramedResponseReader::FramedResponseReader;

 private:
  void onBody(std::string_view body) override;
  void onEvent(const http::SseEvent& event, size_t number) override;
  const char* missingEnd() const override { return complete_ || response_.errorMessage ? nullptr : "message_stop"; }

  bool readError(const Json& body);
  void readMessage(const Json& message, bool withPointers);
  void readUsage(const Json& usage, const std::string& field);
  std::optional<uint64_t> blockIndex(const Json& event, const std::string& type);

  void startBlock(const Json& event);
  void deltaBlock(const Json& event);
  void stopBlock(const Json& event);

  bool complete_ = false;                  // message_stop seen
  std::map<uint64_t, size_t> toolBlocks_;  // content block index -> response_.toolCalls position
};

void AnthropicReader::onBody(std::string_view text) {
  const auto body = parseDocument(text, "response body");
  if (!body || readError(*body)) return;
  if (errorStatus()) return statusError();
  if (!body->is_object()) return expected("response body", "a JSON object");
  readMessage(*body, true);
}

// {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}
bool AnthropicReader::readError(const Json& body) {
  const Json* error = member(body, "error");
  if (error == nullptr || !error->is_object()) return false;
  const Json* type = member(*error, "type");
  const Json* message = member(*error, "message");
  std::string text = type != nullptr && type->is_string() ? type->get<std::string>() + ": " : "";
  text += message != nullptr && message->is_string() ? message->get<std::string>() : "error without a message";
  response_.errorMessage = std::move(text);
  return true;
}

// A whole message (the JSON body) or the shell message_start carries.
// Pointers only for the body: a stream has no one document they point into.
void AnthropicReader::readMessage(const Json& message, bool withPointers) {
  if (const Json* id = member(message, "id")) {
    if (!id->is_string()) return expected("id", "a string");
    response_.id = id->get<std::string>();
  }
  if (const Json* model = member(message, "model")) {
    if (!model->is_string()) return expected("model", "a string");
    response_.model = model->get<std::string>();
  }
  if (const Json* content = member(message, "content")) {
    if (!content->is_array()) return expected("content", "an array of blocks");
    for (size_t i = 0; i < content->size(); ++i) {
      const Json& block = (*content)[i];
      const std::string field = "content[" + std::to_string(i) + "]";
      const Json* type = member(block, "type");
      if (type == nullptr || !type->is_string()) return expected(field + ".type", "a string");
      if (*type == "text") {
        const Json* text = member(block, "text");
        if (text == nullptr || !text->is_string()) return expected(field + ".text", "a string");
        budget_.append(response_.text, text->get_ref<const std::string&>());
      } else if (*type == "tool_use" || *type == "server_tool_use" || *type == "mcp_tool_use") {
        ToolCall call;
        const Json* id = member(block, "id");
        const Json* name = member(block, "name");
        const Json* input = member(block, "input");
        if (id != nullptr && id->is_string()) call.id = id->get<std::string>();
        if (name == nullptr || !name->is_string()) return expected(field + ".name", "a string");
        call.name = name->get<std::string>();
        budget_.assign(call.arguments.text, input != nullptr ? input->dump() : "{}");
        if (withPointers) call.arguments.pointer = pointerAppend(pointerAppend("/content", i), "input");
        response_.toolCalls.push_back(std::move(call));
      }
      // thinking, redacted_thinking and server tool results are not output text.
    }
  }
  if (const Json* stop = member(message, "stop_reason")) {
    if (!stop->is_string()) return expected("stop_reason", "a string");
    response_.finishReason = stop->get<std::string>();
  }
  if (const Json* usage = member(message, "usage")) readUsage(*usage, "usage");
}

void AnthropicReader::readUsage(const Json& usage, const std::string& field) {
  if (!usage.is_object()) return expected(field, "an object");
  readCount(usage, "input_tokens", field + ".input_tokens", response_.usage.inputTokens);
  readCount(usage, "output_tokens", field + ".output_tokens", response_.usage.outputTokens);
}

void AnthropicReader::onEvent(const http::SseEvent& event, size_t /*number*/) {
  const std::string name = event.type.empty() ? "message" : event.type;
  const auto data = parseDocument(event.data, "event " + name);
  if (!data) return;
  if (!data->is_object()) return expected("event " + name, "a JSON object");
  const Json* typeField = member(*data, "type");
  // The data names its own type; the event line repeats it.
  const std::string type = typeField != nullptr && typeField->is_string() ? typeField->get<std::string>() : name;

  if (type == "message_start") {
    const Json* message = member(*data, "message");
    if (message == nullptr || !message->is_object()) return expected("message_start.message", "an object");
    readMessage(*message, false);
  } else if (type == "content_block_start") {
    startBlock(*data);
  } else if (type == "content_block_delta") {
    deltaBlock(*data);
  } else if (type == "content_block_stop") {
    stopBlock(*data);
  } else if (type == "message_delta") {
    if (const Json* delta = member(*data, "delta"); delta != nullptr && delta->is_object()) {
      if (const Json* stop = member(*delta, "stop_reason")) {
        if (!stop->is_string()) return expected("message_delta.delta.stop_reason", "a string");
        response_.finishReason = stop->get<std::string>();
      }
    }
    if (const Json* usage = member(*data, "usage")) readUsage(*usage, "message_delta.usage");
  } else if (type == "message_stop") {
    complete_ = true;
  } else if (type == "error") {
    if (!readError(*data)) expected("error event", "an error object");
  }
  // ping, and event types added later, carry nothing the layers read.
}

std::optional<uint64_t> AnthropicReader::blockIndex(const Json& event, const std::string& type) {
  const Json* index = member(event, "index");
  if (index == nullptr || !index->is_number_unsigned()) {
    expected(type + ".index", "a non-negative integer");
    return std::nullopt;
  }
  return index->get<uint64_t>();
}

void AnthropicReader::startBlock(const Json& event) {
  const auto index = blockIndex(event, "content_block_start");
  if (!index) return;
  const Json* block = member(event, "content_block");
  const Json* type = block != nullptr ? member(*block, "type") : nullptr;
  if (type == nullptr || !type->is_string()) return expected("content_block_start.content_block.type", "a string");
  if (*type == "text") {
    if (const Json* text = member(*block, "text"); text != nullptr && text->is_string()) {
      budget_.append(response_.text, text->get_ref<const std::string&>());
    }
  } else if (*type == "tool_use" || *type == "server_tool_use" || *type == "mcp_tool_use") {
    ToolCall call;
    const Json* id = member(*block, "id");
    const Json* name = member(*block, "name");
    if (id != nullptr && id->is_string()) call.id = id->get<std::string>();
    if (name == nullptr || !name->is_string()) return expected("content_block_start.content_block.name", "a string");
    call.name = name->get<std::string>();
    // The input arrives as input_json_delta pieces; a non-empty start value is the whole input.
    const Json* input = member(*block, "input");
    if (input != nullptr && !input->empty()) budget_.assign(call.arguments.text, input->dump());
    toolBlocks_[*index] = response_.toolCalls.size();
    response_.toolCalls.push_back(std::move(call));
  }
}

void AnthropicReader::deltaBlock(const Json& event) {
  const auto index = blockIndex(event, "content_block_delta");
  if (!index) return;
  const Json* delta = member(event, "delta");
  const Json* type = delta != nullptr ? member(*delta, "type") : nullptr;
  if (type == nullptr || !type->is_string()) return expected("content_block_delta.delta.type", "a string");
  if (*type == "text_delta") {
    const Json* text = member(*delta, "text");
    if (text == nullptr || !text->is_string()) return expected("content_block_delta.delta.text", "a string");
    budget_.append(response_.text, text->get_ref<const std::string&>());
  } else if (*type == "input_json_delta") {
    const Json* partial = member(*delta, "partial_json");
    if (partial == nullptr || !partial->is_string()) {
      return expected("content_block_delta.delta.partial_json", "a string");
    }
    const auto block = toolBlocks_.find(*index);
    if (block == toolBlocks_.end()) {
      return fail("content_block_delta: input_json_delta for block " + std::to_string(*index) +
                  ", which is not a tool_use block");
    }
    budget_.append(response_.toolCalls[block->second].arguments.text, partial->get_ref<const std::string&>());
  }
  // thinking_delta, signature_delta, citations_delta: not output text.
}

void AnthropicReader::stopBlock(const Json& event) {
  const auto index = blockIndex(event, "content_block_stop");
  if (!index) return;
  const auto block = toolBlocks_.find(*index);
  // A tool called without arguments streams no input pieces at all.
  if (block != toolBlocks_.end() && response_.toolCalls[block->second].arguments.text.empty()) {
    budget_.assign(response_.toolCalls[block->second].arguments.text, "{}");
  }
}

}  // namespace

std::unique_ptr<ResponseReader> makeAnthropicResponseReader(const Route&, Framing framing, unsigned status) {
  return std::make_unique<AnthropicReader>(framing, status);
}

}  // namespace warden::providers
