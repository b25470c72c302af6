#include "providers/ollama_response.h"

#include <cstddef>
#include <string>

#include "providers/framed_response_reader.h"
#include "providers/json_fields.h"

namespace warden::providers {
namespace {

class OllamaReader final : public FramedResponseReader {
 public:
  using FramedResponseReader::FramedResponseReader;

 private:
  void onBody(std::string_view body) override { readObject(body, "response body", true); }
  void onLine(std::string_view line, size_t number) override {
    readObject(line, "line " + std::to_string(number), false);
  }
  const char* missingEnd() const override { return done_ ? nullptr : "\"done\": true"; }

  // One object: the whole body, or one line of a stream (no pointers then:
  // the stream is no one document).
  void readObject(std::string_view text, const std::string& what, bool withPointers);
  void readMessage(JsonValue message, bool withPointers);

  bool done_ = false;  // "done": true or an error was seen
};

void OllamaReader::readObject(std::string_view text, const std::string& what, bool withPointers) {
  // The document owns the values read below: it lives to the end of this call.
  const auto parsed = parseDocument(text, what);
  if (!parsed) return;
  const JsonValue object = parsed->root();
  if (!object.isObject()) return expected(what, "a JSON object");
  // {"error": "model 'x' not found"}, also as a line of a stream.
  if (const auto error = member(object, "error")) {
    response_.errorMessage = error->isString() ? error->str() : error->toJson();
    done_ = true;
    return;
  }
  if (errorStatus()) return statusError();

  if (const auto model = member(object, "model")) {
    if (!model->isString()) return expected("model", "a string");
    response_.model = model->str();
  }
  if (const auto message = member(object, "message")) readMessage(*message, withPointers);  // /api/chat
  if (const auto text = member(object, "response")) {                                       // /api/generate
    if (!text->isString()) return expected("response", "a string");
    budget_.append(response_.text, text->string());
  }
  if (const auto done = member(object, "done")) {
    if (!done->isBool()) return expected("done", "true or false");
    done_ = done_ || done->boolean();
  }
  if (const auto reason = member(object, "done_reason")) {
    if (!reason->isString()) return expected("done_reason", "a string");
    response_.finishReason = reason->str();
  }
  readCount(object, "prompt_eval_count", "prompt_eval_count", response_.usage.inputTokens);
  readCount(object, "eval_count", "eval_count", response_.usage.outputTokens);
}

// message: {role, content, thinking, tool_calls: [{function: {name, arguments}}]}
void OllamaReader::readMessage(JsonValue message, bool withPointers) {
  if (!message.isObject()) return expected("message", "an object");
  if (const auto content = member(message, "content")) {
    if (!content->isString()) return expected("message.content", "a string");
    budget_.append(response_.text, content->string());
  }
  // "thinking" is the model's reasoning, not its answer.
  const auto calls = member(message, "tool_calls");
  if (!calls) return;
  if (!calls->isArray()) return expected("message.tool_calls", "an array");
  size_t i = 0;
  for (const JsonValue call : calls->elements()) {
    const std::string field = "message.tool_calls[" + std::to_string(i) + "]";
    const auto function = member(call, "function");
    if (!function || !function->isObject()) return expected(field + ".function", "an object");
    const auto name = member(*function, "name");
    if (!name || !name->isString()) return expected(field + ".function.name", "a string");
    ToolCall toolCall;
    toolCall.name = name->str();
    if (const auto id = member(call, "id"); id && id->isString()) toolCall.id = id->str();
    const auto arguments = member(*function, "arguments");
    budget_.assign(toolCall.arguments.text, arguments ? arguments->toJson() : "{}");
    if (withPointers) toolCall.arguments.pointer = "/message/tool_calls/" + std::to_string(i) + "/function/arguments";
    response_.toolCalls.push_back(std::move(toolCall));
    ++i;
  }
}

}  // namespace

std::unique_ptr<ResponseReader> makeOllamaResponseReader(const Route&, Framing framing, unsigned status) {
  return std::make_unique<OllamaReader>(framing, status);
}

}  // namespace warden::providers
