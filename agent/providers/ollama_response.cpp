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
  void readMessage(const Json& message, bool withPointers);

  bool done_ = false;  // "done": true or an error was seen
};

void OllamaReader::readObject(std::string_view text, const std::string& what, bool withPointers) {
  const auto parsed = parseDocument(text, what);
  if (!parsed) return;
  const Json& object = *parsed;
  if (!object.is_object()) return expected(what, "a JSON object");
  // {"error": "model 'x' not found"}, also as a line of a stream.
  if (const Json* error = member(object, "error")) {
    response_.errorMessage = error->is_string() ? error->get<std::string>() : error->dump();
    done_ = true;
    return;
  }
  if (errorStatus()) return statusError();

  if (const Json* model = member(object, "model")) {
    if (!model->is_string()) return expected("model", "a string");
    response_.model = model->get<std::string>();
  }
  if (const Json* message = member(object, "message")) readMessage(*message, withPointers);  // /api/chat
  if (const Json* text = member(object, "response")) {                                       // /api/generate
    if (!text->is_string()) return expected("response", "a string");
    budget_.append(response_.text, text->get_ref<const std::string&>());
  }
  if (const Json* done = member(object, "done")) {
    if (!done->is_boolean()) return expected("done", "true or false");
    done_ = done_ || done->get<bool>();
  }
  if (const Json* reason = member(object, "done_reason")) {
    if (!reason->is_string()) return expected("done_reason", "a string");
    response_.finishReason = reason->get<std::string>();
  }
  readCount(object, "prompt_eval_count", "prompt_eval_count", response_.usage.inputTokens);
  readCount(object, "eval_count", "eval_count", response_.usage.outputTokens);
}

// message: {role, content, thinking, tool_calls: [{function: {name, arguments}}]}
void OllamaReader::readMessage(const Json& message, bool withPointers) {
  if (!message.is_object()) return expected("message", "an object");
  if (const Json* content = member(message, "content")) {
    if (!content->is_string()) return expected("message.content", "a string");
    budget_.append(response_.text, content->get_ref<const std::string&>());
  }
  // "thinking" is the model's reasoning, not its answer.
  const Json* calls = member(message, "tool_calls");
  if (calls == nullptr) return;
  if (!calls->is_array()) return expected("message.tool_calls", "an array");
  for (size_t i = 0; i < calls->size(); ++i) {
    const std::string field = "message.tool_calls[" + std::to_string(i) + "]";
    const Json& call = (*calls)[i];
    const Json* function = member(call, "function");
    if (function == nullptr || !function->is_object()) return expected(field + ".function", "an object");
    const Json* name = member(*function, "name");
    if (name == nullptr || !name->is_string()) return expected(field + ".function.name", "a string");
    ToolCall toolCall;
    toolCall.name = name->get<std::string>();
    if (const Json* id = member(call, "id"); id != nullptr && id->is_string()) toolCall.id = id->get<std::string>();
    const Json* arguments = member(*function, "arguments");
    budget_.assign(toolCall.arguments.text, arguments != nullptr ? arguments->dump() : "{}");
    if (withPointers) toolCall.arguments.pointer = "/message/tool_calls/" + std::to_string(i) + "/function/arguments";
    response_.toolCalls.push_back(std::move(toolCall));
  }
}

}  // namespace

std::unique_ptr<ResponseReader> makeOllamaResponseReader(const Route&, Framing framing, unsigned status) {
  return std::make_unique<OllamaReader>(framing, status);
}

}  // namespace warden::providers
