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

  bool readError(JsonValue body);
  void readMessage(JsonValue message, bool withPointers);
  void readUsage(JsonValue usage, const std::string& field);
  std::optional<uint64_t> blockIndex(JsonValue event, const std::string& type);

  void startBlock(JsonValue event);
  void deltaBlock(JsonValue event);
  void stopBlock(JsonValue event);

  bool complete_ = false;                  // message_stop seen
  std::map<uint64_t, size_t> toolBlocks_;  // content block index -> response_.toolCalls position
};

void AnthropicReader::onBody(std::string_view text) {
  // The document owns the values read below: it lives to the end.
  const auto document = parseDocument(text, "response body");
  if (!document) return;
  const JsonValue body = document->root();
  if (readError(body)) return;
  if (errorStatus()) return statusError();
  if (!body.isObject()) return expected("response body", "a JSON object");
  readMessage(body, true);
}

// {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}
bool AnthropicReader::readError(JsonValue body) {
  const auto error = member(body, "error");
  if (!error || !error->isObject()) return false;
  const auto type = member(*error, "type");
  const auto message = member(*error, "message");
  std::string text = type && type->isString() ? type->str() + ": " : "";
  text += message && message->isString() ? message->string() : "error without a message";
  response_.errorMessage = std::move(text);
  return true;
}

// A whole message (the JSON body) or the shell message_start carries.
// Pointers only for the body: a stream has no one document they point into.
void AnthropicReader::readMessage(JsonValue message, bool withPointers) {
  if (const auto id = member(message, "id")) {
    if (!id->isString()) return expected("id", "a string");
    response_.id = id->str();
  }
  if (const auto model = member(message, "model")) {
    if (!model->isString()) return expected("model", "a string");
    response_.model = model->str();
  }
  if (const auto content = member(message, "content")) {
    if (!content->isArray()) return expected("content", "an array of blocks");
    size_t position = 0;
    for (JsonValue block : content->elements()) {
      const size_t i = position++;
      const std::string field = "content[" + std::to_string(i) + "]";
      const auto type = member(block, "type");
      if (!type || !type->isString()) return expected(field + ".type", "a string");
      const std::string_view kind = type->string();
      if (kind == "text") {
        const auto text = member(block, "text");
        if (!text || !text->isString()) return expected(field + ".text", "a string");
        budget_.append(response_.text, text->string());
      } else if (kind == "tool_use" || kind == "server_tool_use" || kind == "mcp_tool_use") {
        ToolCall call;
        const auto id = member(block, "id");
        const auto name = member(block, "name");
        const auto input = member(block, "input");
        if (id && id->isString()) call.id = id->str();
        if (!name || !name->isString()) return expected(field + ".name", "a string");
        call.name = name->str();
        budget_.assign(call.arguments.text, input ? input->toJson() : "{}");
        if (withPointers) call.arguments.pointer = pointerAppend(pointerAppend("/content", i), "input");
        response_.toolCalls.push_back(std::move(call));
      }
      // thinking, redacted_thinking and server tool results are not output text.
    }
  }
  if (const auto stop = member(message, "stop_reason")) {
    if (!stop->isString()) return expected("stop_reason", "a string");
    response_.finishReason = stop->str();
  }
  if (const auto usage = member(message, "usage")) readUsage(*usage, "usage");
}

void AnthropicReader::readUsage(JsonValue usage, const std::string& field) {
  if (!usage.isObject()) return expected(field, "an object");
  readCount(usage, "input_tokens", field + ".input_tokens", response_.usage.inputTokens);
  readCount(usage, "output_tokens", field + ".output_tokens", response_.usage.outputTokens);
}

void AnthropicReader::onEvent(const http::SseEvent& event, size_t /*number*/) {
  const std::string name = event.type.empty() ? "message" : event.type;
  // The document owns the values read below: it lives to the end.
  const auto document = parseDocument(event.data, "event " + name);
  if (!document) return;
  const JsonValue data = document->root();
  if (!data.isObject()) return expected("event " + name, "a JSON object");
  const auto typeField = member(data, "type");
  // The data names its own type; the event line repeats it.
  const std::string_view type = typeField && typeField->isString() ? typeField->string() : name;

  if (type == "message_start") {
    const auto message = member(data, "message");
    if (!message || !message->isObject()) return expected("message_start.message", "an object");
    readMessage(*message, false);
  } else if (type == "content_block_start") {
    startBlock(data);
  } else if (type == "content_block_delta") {
    deltaBlock(data);
  } else if (type == "content_block_stop") {
    stopBlock(data);
  } else if (type == "message_delta") {
    if (const auto delta = member(data, "delta"); delta && delta->isObject()) {
      if (const auto stop = member(*delta, "stop_reason")) {
        if (!stop->isString()) return expected("message_delta.delta.stop_reason", "a string");
        response_.finishReason = stop->str();
      }
    }
    if (const auto usage = member(data, "usage")) readUsage(*usage, "message_delta.usage");
  } else if (type == "message_stop") {
    complete_ = true;
  } else if (type == "error") {
    if (!readError(data)) expected("error event", "an error object");
  }
  // ping, and event types added later, carry nothing the layers read.
}

std::optional<uint64_t> AnthropicReader::blockIndex(JsonValue event, const std::string& type) {
  const auto index = member(event, "index");
  if (!index || !index->isCount()) {
    expected(type + ".index", "a non-negative integer");
    return std::nullopt;
  }
  return index->count();
}

void AnthropicReader::startBlock(JsonValue event) {
  const auto index = blockIndex(event, "content_block_start");
  if (!index) return;
  const auto block = member(event, "content_block");
  const auto type = block ? member(*block, "type") : std::nullopt;
  if (!type || !type->isString()) return expected("content_block_start.content_block.type", "a string");
  const std::string_view kind = type->string();
  if (kind == "text") {
    if (const auto text = member(*block, "text"); text && text->isString()) {
      budget_.append(response_.text, text->string());
    }
  } else if (kind == "tool_use" || kind == "server_tool_use" || kind == "mcp_tool_use") {
    ToolCall call;
    const auto id = member(*block, "id");
    const auto name = member(*block, "name");
    if (id && id->isString()) call.id = id->str();
    if (!name || !name->isString()) return expected("content_block_start.content_block.name", "a string");
    call.name = name->str();
    // The input arrives as input_json_delta pieces; a non-empty start value is the whole input.
    // Only an object or array can be empty: any other value given is the input too.
    const auto input = member(*block, "input");
    const bool container = input && (input->isObject() || input->isArray());
    if (input && (!container || !input->empty())) budget_.assign(call.arguments.text, input->toJson());
    toolBlocks_[*index] = response_.toolCalls.size();
    response_.toolCalls.push_back(std::move(call));
  }
}

void AnthropicReader::deltaBlock(JsonValue event) {
  const auto index = blockIndex(event, "content_block_delta");
  if (!index) return;
  const auto delta = member(event, "delta");
  const auto type = delta ? member(*delta, "type") : std::nullopt;
  if (!type || !type->isString()) return expected("content_block_delta.delta.type", "a string");
  const std::string_view kind = type->string();
  if (kind == "text_delta") {
    const auto text = member(*delta, "text");
    if (!text || !text->isString()) return expected("content_block_delta.delta.text", "a string");
    budget_.append(response_.text, text->string());
  } else if (kind == "input_json_delta") {
    const auto partial = member(*delta, "partial_json");
    if (!partial || !partial->isString()) {
      return expected("content_block_delta.delta.partial_json", "a string");
    }
    const auto block = toolBlocks_.find(*index);
    if (block == toolBlocks_.end()) {
      return fail("content_block_delta: input_json_delta for block " + std::to_string(*index) +
                  ", which is not a tool_use block");
    }
    budget_.append(response_.toolCalls[block->second].arguments.text, partial->string());
  }
  // thinking_delta, signature_delta, citations_delta: not output text.
}

void AnthropicReader::stopBlock(JsonValue event) {
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
