#include "providers/gemini_response.h"

#include <cstddef>
#include <string>
#include <vector>

#include "providers/framed_response_reader.h"
#include "providers/json_fields.h"

namespace warden::providers {
namespace {

// The API writes lowerCamelCase.
class GeminiReader final : public FramedResponseReader {
 public:
  using FramedResponseReader::FramedResponseReader;

 private:
  void onBody(std::string_view body) override {
    const std::string root;
    readChunk(body, "response body", &root);
  }
  void onEvent(const http::SseEvent& event, size_t /*number*/) override { readChunk(event.data, "event", nullptr); }
  void onElement(std::string_view element, size_t index, bool inArray) override {
    const std::string pointer = inArray ? pointerAppend("", index) : "";
    readChunk(element, "array element " + std::to_string(index), &pointer);
  }
  const char* missingEnd() const override { return ended_ ? nullptr : "a finishReason"; }

  // One GenerateContentResponse; `pointer` is where it sits in the body, or
  // null in an event stream (no one document to point into).
  void readChunk(std::string_view text, const std::string& what, const std::string* pointer);
  void readResponse(const Json& chunk, const std::string* pointer);
  bool readError(const Json& chunk);
  void readCandidate(const Json& candidate, size_t position, const std::string* pointer);
  void appendText(size_t candidate, std::string_view text);
  void readUsage(const Json& usage);

  bool ended_ = false;                       // a finishReason, blocked prompt or error was seen
  std::vector<std::string> candidateTexts_;  // by candidate index, when there are several
};

void GeminiReader::readChunk(std::string_view text, const std::string& what, const std::string* pointer) {
  const auto chunk = parseDocument(text, what);
  if (!chunk || readError(*chunk)) return;
  if (errorStatus()) return statusError();
  if (!chunk->is_object()) return expected(what, "a JSON object");
  readResponse(*chunk, pointer);
}

// {"error":{"code":400,"message":"...","status":"INVALID_ARGUMENT"}}, also
// as the single element of an array.
bool GeminiReader::readError(const Json& chunk) {
  const Json& body = chunk.is_array() && chunk.size() == 1 ? chunk[0] : chunk;
  const Json* error = member(body, "error");
  if (error == nullptr || !error->is_object()) return false;
  const Json* status = member(*error, "status");
  const Json* message = member(*error, "message");
  const Json* code = member(*error, "code");
  std::string text = status != nullptr && status->is_string()       ? status->get<std::string>() + ": "
                     : code != nullptr && code->is_number_integer() ? std::to_string(code->get<int64_t>()) + ": "
                                                                    : "";
  text += message != nullptr && message->is_string() ? message->get<std::string>() : "error without a message";
  response_.errorMessage = std::move(text);
  ended_ = true;
  return true;
}

void GeminiReader::readResponse(const Json& chunk, const std::string* pointer) {
  if (const Json* id = member(chunk, "responseId")) {
    if (!id->is_string()) return expected("responseId", "a string");
    response_.id = id->get<std::string>();
  }
  if (const Json* model = member(chunk, "modelVersion")) {
    if (!model->is_string()) return expected("modelVersion", "a string");
    response_.model = model->get<std::string>();
  }
  if (const Json* candidates = member(chunk, "candidates")) {
    if (!candidates->is_array()) return expected("candidates", "an array");
    for (size_t i = 0; i < candidates->size() && !faulted(); ++i) {
      if (pointer == nullptr) {
        readCandidate((*candidates)[i], i, nullptr);
      } else {
        const std::string at = pointerAppend(pointerAppend(*pointer, "candidates"), i);
        readCandidate((*candidates)[i], i, &at);
      }
    }
  }
  // A blocked prompt has no candidates; the reason is the answer's end.
  if (const Json* feedback = member(chunk, "promptFeedback")) {
    if (const Json* reason = member(*feedback, "blockReason"); reason != nullptr && reason->is_string()) {
      response_.finishReason = reason->get<std::string>();
      ended_ = true;
    }
  }
  if (const Json* usage = member(chunk, "usageMetadata")) readUsage(*usage);
}

void GeminiReader::readCandidate(const Json& candidate, size_t position, const std::string* pointer) {
  const std::string field = "candidates[" + std::to_string(position) + "]";
  if (!candidate.is_object()) return expected(field, "an object");
  size_t index = position;
  if (const Json* value = member(candidate, "index"); value != nullptr && value->is_number_unsigned()) {
    index = value->get<size_t>();
  }
  if (const Json* content = member(candidate, "content")) {
    if (!content->is_object()) return expected(field + ".content", "an object");
    const Json* parts = member(*content, "parts");
    if (parts != nullptr && !parts->is_array()) return expected(field + ".content.parts", "an array");
    for (size_t i = 0; parts != nullptr && i < parts->size(); ++i) {
      const Json& part = (*parts)[i];
      const std::string partField = field + ".content.parts[" + std::to_string(i) + "]";
      if (!part.is_object()) return expected(partField, "an object");
      const Json* thought = member(part, "thought");
      if (thought != nullptr && thought->is_boolean() && thought->get<bool>()) continue;  // reasoning, not output
      if (const Json* text = member(part, "text")) {
        if (!text->is_string()) return expected(partField + ".text", "a string");
        appendText(index, text->get_ref<const std::string&>());
      } else if (const Json* call = member(part, "functionCall")) {
        const Json* name = member(*call, "name");
        if (name == nullptr || !name->is_string()) return expected(partField + ".functionCall.name", "a string");
        ToolCall toolCall;
        toolCall.name = name->get<std::string>();
        if (const Json* id = member(*call, "id"); id != nullptr && id->is_string())
          toolCall.id = id->get<std::string>();
        const Json* args = member(*call, "args");
        budget_.assign(toolCall.arguments.text, args != nullptr ? args->dump() : "{}");
        if (pointer != nullptr && args != nullptr) {
          const std::string partAt = pointerAppend(pointerAppend(pointerAppend(*pointer, "content"), "parts"), i);
          toolCall.arguments.pointer = pointerAppend(pointerAppend(partAt, "functionCall"), "args");
        }
        response_.toolCalls.push_back(std::move(toolCall));
      }
    }
  }
  if (const Json* reason = member(candidate, "finishReason")) {
    if (!reason->is_string()) return expected(field + ".finishReason", "a string");
    response_.finishReason = reason->get<std::string>();
    ended_ = true;
  }
}

// Several candidates stream interleaved; the text keeps each one's whole
// output together, in candidate order.
void GeminiReader::appendText(size_t candidate, std::string_view text) {
  if (candidate >= candidateTexts_.size()) {
    if (candidate > 64) return fail("candidate index " + std::to_string(candidate) + " out of range");
    candidateTexts_.resize(candidate + 1);
  }
  text = budget_.admit(text);
  candidateTexts_[candidate] += text;
  if (candidate + 1 == candidateTexts_.size()) {
    response_.text += text;
    return;
  }
  response_.text.clear();
  for (const std::string& each : candidateTexts_) response_.text += each;
}

void GeminiReader::readUsage(const Json& usage) {
  if (!usage.is_object()) return expected("usageMetadata", "an object");
  readCount(usage, "promptTokenCount", "usageMetadata.promptTokenCount", response_.usage.inputTokens);
  readCount(usage, "candidatesTokenCount", "usageMetadata.candidatesTokenCount", response_.usage.outputTokens);
}

}  // namespace

std::unique_ptr<ResponseReader> makeGeminiResponseReader(const Route&, Framing framing, unsigned status) {
  return std::make_unique<GeminiReader>(framing, status);
}

}  // namespace warden::providers
