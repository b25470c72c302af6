#include "providers/anthropic_response.h"

#include <cstddef>
#include <exception>
#include <map>
#include <string>

#include "http/sse_parser.h"
#include "providers/json_body.h"

namespace warden::providers {
namespace {

constexpr size_t kMaxBodyBytes = size_t{32} << 20;  // a JSON message body buffered for parsing
constexpr size_t kMaxDepth = ParseLimits{}.maxDepth;

const Json* member(const Json& object, std::string_view key) {
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

class AnthropicReader final : public ResponseReader {
 public:
  AnthropicReader(Framing framing, unsigned status) : framing_(framing), status_(status) {}
  AnthropicReader(const AnthropicReader&) = delete;
  AnthropicReader& operator=(const AnthropicReader&) = delete;

  void feed(std::string_view bytes) override;
  void finish() override;
  const Response& response() const override { return response_; }
  bool failed() const override { return !failure_.empty(); }
  const std::string& failure() const override { return failure_; }

 private:
  void fail(std::string what) {
    if (failure_.empty()) failure_ = std::move(what);
  }
  void expected(const std::string& field, std::string_view what) { fail(field + ": expected " + std::string(what)); }

  void readBody(const Json& body);
  bool readError(const Json& body);
  void readMessage(const Json& message, bool withPointers);
  void readUsage(const Json& usage, const std::string& field);
  std::optional<uint64_t> blockIndex(const Json& event, const std::string& type);

  void onEvent(const http::SseEvent& event);
  void startBlock(const Json& event);
  void deltaBlock(const Json& event);
  void stopBlock(const Json& event);

  Framing framing_;
  unsigned status_;
  http::SseParser events_;
  const http::SseParser::Sink sink_ = [this](const http::SseEvent& event) { onEvent(event); };
  std::string body_;
  bool finished_ = false;
  bool stopped_ = false;                   // message_stop seen: the stream is complete
  std::map<uint64_t, size_t> toolBlocks_;  // content block index -> response_.toolCalls position
  Response response_;
  std::string failure_;
};

void AnthropicReader::feed(std::string_view bytes) {
  if (finished_ || failed()) return;
  try {
    if (framing_ == Framing::ServerSentEvents) {
      if (!events_.feed(bytes, sink_)) fail("event stream: line too long; the rest is not inspected");
      return;
    }
    if (body_.size() + bytes.size() > kMaxBodyBytes) {
      std::string().swap(body_);
      return fail("response body larger than " + std::to_string(kMaxBodyBytes >> 20) + " MiB; not inspected");
    }
    body_.append(bytes);
  } catch (const std::exception& e) {
    fail(std::string("reading the response: ") + e.what());
  }
}

void AnthropicReader::finish() {
  if (finished_) return;
  finished_ = true;
  if (failed()) return;
  try {
    if (framing_ == Framing::ServerSentEvents) {
      if (events_.finish()) return fail("event stream ended inside an event (truncated)");
      if (!stopped_ && !response_.errorMessage) fail("event stream ended before message_stop (truncated)");
      return;
    }
    auto body = parseJsonBody(body_, kMaxDepth);
    std::string().swap(body_);
    if (!body) {
      // Gateways answer errors with HTML pages: that is the error, not a fault.
      if (status_ >= 400) {
        response_.errorMessage = "HTTP " + std::to_string(status_) + " with a body that is not JSON";
        return;
      }
      return fail("response body: " + body.error().message);
    }
    readBody(*body);
  } catch (const std::exception& e) {
    fail(std::string("reading the response: ") + e.what());
  }
}

void AnthropicReader::readBody(const Json& body) {
  if (readError(body)) return;
  if (status_ >= 400) {
    response_.errorMessage = "HTTP " + std::to_string(status_);
    return;
  }
  if (!body.is_object()) return expected("response body", "a JSON object");
  readMessage(body, true);
}

// {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}
bool AnthropicReader::readError(const Json& body) {
  if (!body.is_object()) return false;
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
      const Json* type = block.is_object() ? member(block, "type") : nullptr;
      if (type == nullptr || !type->is_string()) return expected(field + ".type", "a string");
      if (*type == "text") {
        const Json* text = member(block, "text");
        if (text == nullptr || !text->is_string()) return expected(field + ".text", "a string");
        response_.text += text->get_ref<const std::string&>();
      } else if (*type == "tool_use" || *type == "server_tool_use" || *type == "mcp_tool_use") {
        ToolCall call;
        const Json* id = member(block, "id");
        const Json* name = member(block, "name");
        const Json* input = member(block, "input");
        if (id != nullptr && id->is_string()) call.id = id->get<std::string>();
        if (name == nullptr || !name->is_string()) return expected(field + ".name", "a string");
        call.name = name->get<std::string>();
        call.arguments.text = input != nullptr ? input->dump() : "{}";
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
  const auto count = [&](const char* key, std::optional<uint64_t>& into) {
    const Json* value = member(usage, key);
    if (value == nullptr) return;
    if (!value->is_number_unsigned()) return expected(field + "." + key, "a non-negative integer");
    into = value->get<uint64_t>();
  };
  count("input_tokens", response_.usage.inputTokens);
  count("output_tokens", response_.usage.outputTokens);
}

void AnthropicReader::onEvent(const http::SseEvent& event) {
  if (failed() || event.data.empty()) return;
  const std::string name = event.type.empty() ? "message" : event.type;
  auto data = parseJsonBody(event.data, kMaxDepth);
  if (!data) return fail("event " + name + ": " + data.error().message);
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
    stopped_ = true;
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
  const Json* type = block != nullptr && block->is_object() ? member(*block, "type") : nullptr;
  if (type == nullptr || !type->is_string()) return expected("content_block_start.content_block.type", "a string");
  if (*type == "text") {
    if (const Json* text = member(*block, "text"); text != nullptr && text->is_string()) {
      response_.text += text->get_ref<const std::string&>();
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
    if (input != nullptr && !input->empty()) call.arguments.text = input->dump();
    toolBlocks_[*index] = response_.toolCalls.size();
    response_.toolCalls.push_back(std::move(call));
  }
}

void AnthropicReader::deltaBlock(const Json& event) {
  const auto index = blockIndex(event, "content_block_delta");
  if (!index) return;
  const Json* delta = member(event, "delta");
  const Json* type = delta != nullptr && delta->is_object() ? member(*delta, "type") : nullptr;
  if (type == nullptr || !type->is_string()) return expected("content_block_delta.delta.type", "a string");
  if (*type == "text_delta") {
    const Json* text = member(*delta, "text");
    if (text == nullptr || !text->is_string()) return expected("content_block_delta.delta.text", "a string");
    response_.text += text->get_ref<const std::string&>();
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
    response_.toolCalls[block->second].arguments.text += partial->get_ref<const std::string&>();
  }
  // thinking_delta, signature_delta, citations_delta: not output text.
}

void AnthropicReader::stopBlock(const Json& event) {
  const auto index = blockIndex(event, "content_block_stop");
  if (!index) return;
  const auto block = toolBlocks_.find(*index);
  // A tool called without arguments streams no input pieces at all.
  if (block != toolBlocks_.end() && response_.toolCalls[block->second].arguments.text.empty()) {
    response_.toolCalls[block->second].arguments.text = "{}";
  }
}

}  // namespace

std::unique_ptr<ResponseReader> makeAnthropicResponseReader(Framing framing, unsigned status) {
  return std::make_unique<AnthropicReader>(framing, status);
}

}  // namespace warden::providers
