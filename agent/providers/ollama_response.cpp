#include "providers/ollama_response.h"

#include <cstddef>
#include <exception>
#include <string>

#include "http/sse_parser.h"
#include "providers/json_body.h"

namespace warden::providers {
namespace {

constexpr size_t kMaxBodyBytes = size_t{32} << 20;  // a JSON body buffered for parsing
constexpr size_t kMaxDepth = ParseLimits{}.maxDepth;

const Json* member(const Json& object, std::string_view key) {
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

class OllamaReader final : public ResponseReader {
 public:
  OllamaReader(Framing framing, unsigned status) : framing_(framing), status_(status) {}
  OllamaReader(const OllamaReader&) = delete;
  OllamaReader& operator=(const OllamaReader&) = delete;

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

  // One object: the whole body, or one line of a stream (no pointers then:
  // the stream is no one document).
  void readObject(std::string_view text, const std::string& what, bool withPointers);
  void readMessage(const Json& message, bool withPointers);
  void count(const Json& object, const char* key, std::optional<uint64_t>& into);

  Framing framing_;
  unsigned status_;
  http::LineSplitter lines_;
  size_t lineCount_ = 0;
  const http::LineSplitter::Sink lineSink_ = [this](std::string_view line) {
    readObject(line, "line " + std::to_string(++lineCount_), false);
  };
  std::string body_;
  bool finished_ = false;
  bool done_ = false;  // "done": true or an error was seen
  Response response_;
  std::string failure_;
};

void OllamaReader::feed(std::string_view bytes) {
  if (finished_ || failed()) return;
  try {
    if (framing_ == Framing::JsonLines) {
      if (!lines_.feed(bytes, lineSink_)) fail("response stream: line too long; the rest is not inspected");
    } else if (body_.size() + bytes.size() > kMaxBodyBytes) {
      std::string().swap(body_);
      fail("response body larger than " + std::to_string(kMaxBodyBytes >> 20) + " MiB; not inspected");
    } else {
      body_.append(bytes);
    }
  } catch (const std::exception& e) {
    fail(std::string("reading the response: ") + e.what());
  }
}

void OllamaReader::finish() {
  if (finished_) return;
  finished_ = true;
  if (failed()) return;
  try {
    if (framing_ == Framing::JsonLines) {
      lines_.finish(lineSink_);  // a last line without its newline
      if (!failed() && !done_) fail("response stream ended before \"done\": true (truncated)");
    } else {
      const std::string body = std::move(body_);
      readObject(body, "response body", true);
    }
  } catch (const std::exception& e) {
    fail(std::string("reading the response: ") + e.what());
  }
}

void OllamaReader::readObject(std::string_view text, const std::string& what, bool withPointers) {
  if (failed()) return;
  auto parsed = parseJsonBody(text, kMaxDepth);
  if (!parsed) {
    // Gateways answer errors with HTML pages: that is the error, not a fault.
    if (status_ >= 400) {
      response_.errorMessage = "HTTP " + std::to_string(status_) + " with a body that is not JSON";
      return;
    }
    return fail(what + ": " + parsed.error().message);
  }
  const Json& object = *parsed;
  if (!object.is_object()) return expected(what, "a JSON object");
  // {"error": "model 'x' not found"}, also as a line of a stream.
  if (const Json* error = member(object, "error")) {
    response_.errorMessage = error->is_string() ? error->get<std::string>() : error->dump();
    done_ = true;
    return;
  }
  if (status_ >= 400) {
    response_.errorMessage = "HTTP " + std::to_string(status_);
    return;
  }

  if (const Json* model = member(object, "model")) {
    if (!model->is_string()) return expected("model", "a string");
    response_.model = model->get<std::string>();
  }
  if (const Json* message = member(object, "message")) readMessage(*message, withPointers);  // /api/chat
  if (const Json* text = member(object, "response")) {                                       // /api/generate
    if (!text->is_string()) return expected("response", "a string");
    response_.text += text->get_ref<const std::string&>();
  }
  if (const Json* done = member(object, "done")) {
    if (!done->is_boolean()) return expected("done", "true or false");
    done_ = done_ || done->get<bool>();
  }
  if (const Json* reason = member(object, "done_reason")) {
    if (!reason->is_string()) return expected("done_reason", "a string");
    response_.finishReason = reason->get<std::string>();
  }
  count(object, "prompt_eval_count", response_.usage.inputTokens);
  count(object, "eval_count", response_.usage.outputTokens);
}

// message: {role, content, thinking, tool_calls: [{function: {name, arguments}}]}
void OllamaReader::readMessage(const Json& message, bool withPointers) {
  if (!message.is_object()) return expected("message", "an object");
  if (const Json* content = member(message, "content")) {
    if (!content->is_string()) return expected("message.content", "a string");
    response_.text += content->get_ref<const std::string&>();
  }
  // "thinking" is the model's reasoning, not its answer.
  const Json* calls = member(message, "tool_calls");
  if (calls == nullptr) return;
  if (!calls->is_array()) return expected("message.tool_calls", "an array");
  for (size_t i = 0; i < calls->size(); ++i) {
    const std::string field = "message.tool_calls[" + std::to_string(i) + "]";
    const Json& call = (*calls)[i];
    const Json* function = call.is_object() ? member(call, "function") : nullptr;
    if (function == nullptr || !function->is_object()) return expected(field + ".function", "an object");
    const Json* name = member(*function, "name");
    if (name == nullptr || !name->is_string()) return expected(field + ".function.name", "a string");
    ToolCall toolCall;
    toolCall.name = name->get<std::string>();
    if (const Json* id = member(call, "id"); id != nullptr && id->is_string()) toolCall.id = id->get<std::string>();
    const Json* arguments = member(*function, "arguments");
    toolCall.arguments.text = arguments != nullptr ? arguments->dump() : "{}";
    if (withPointers) toolCall.arguments.pointer = "/message/tool_calls/" + std::to_string(i) + "/function/arguments";
    response_.toolCalls.push_back(std::move(toolCall));
  }
}

void OllamaReader::count(const Json& object, const char* key, std::optional<uint64_t>& into) {
  const Json* value = member(object, key);
  if (value == nullptr) return;
  if (!value->is_number_unsigned()) return expected(key, "a non-negative integer");
  into = value->get<uint64_t>();
}

}  // namespace

std::unique_ptr<ResponseReader> makeOllamaResponseReader(Framing framing, unsigned status) {
  return std::make_unique<OllamaReader>(framing, status);
}

}  // namespace warden::providers
