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
  void readResponse(JsonValue chunk, const std::string* pointer);
  bool readError(JsonValue chunk);
  void readCandidate(JsonValue candidate, size_t position, const std::string* pointer);
  void appendText(size_t candidate, std::string_view text);
  void readUsage(JsonValue usage);

  bool ended_ = false;                       // a finishReason, blocked prompt or error was seen
  std::vector<std::string> candidateTexts_;  // by candidate index, when there are several
};

void GeminiReader::readChunk(std::string_view text, const std::string& what, const std::string* pointer) {
  // The document owns the values read below: it lives to the end.
  const auto document = parseDocument(text, what);
  if (!document) return;
  const JsonValue chunk = document->root();
  if (readError(chunk)) return;
  if (errorStatus()) return statusError();
  if (!chunk.isObject()) return expected(what, "a JSON object");
  readResponse(chunk, pointer);
}

// {"error":{"code":400,"message":"...","status":"INVALID_ARGUMENT"}}, also
// as the single element of an array.
bool GeminiReader::readError(JsonValue chunk) {
  const JsonValue body = chunk.isArray() && chunk.size() == 1 ? *chunk.elements().begin() : chunk;
  const auto error = member(body, "error");
  if (!error || !error->isObject()) return false;
  const auto status = member(*error, "status");
  const auto message = member(*error, "message");
  const auto code = member(*error, "code");
  std::string text;
  if (status && status->isString()) {
    text = status->str() + ": ";
  } else if (code && code->isInteger()) {
    // A code above the int64 range reads as the unsigned number it is.
    const auto number = code->integer();
    text = (number ? std::to_string(*number) : std::to_string(code->count().value_or(0))) + ": ";
  }
  text += message && message->isString() ? message->string() : "error without a message";
  response_.errorMessage = std::move(text);
  ended_ = true;
  return true;
}

void GeminiReader::readResponse(JsonValue chunk, const std::string* pointer) {
  if (const auto id = member(chunk, "responseId")) {
    if (!id->isString()) return expected("responseId", "a string");
    response_.id = id->str();
  }
  if (const auto model = member(chunk, "modelVersion")) {
    if (!model->isString()) return expected("modelVersion", "a string");
    response_.model = model->str();
  }
  if (const auto candidates = member(chunk, "candidates")) {
    if (!candidates->isArray()) return expected("candidates", "an array");
    size_t i = 0;
    for (JsonValue candidate : candidates->elements()) {
      if (faulted()) break;
      if (pointer == nullptr) {
        readCandidate(candidate, i, nullptr);
      } else {
        const std::string at = pointerAppend(pointerAppend(*pointer, "candidates"), i);
        readCandidate(candidate, i, &at);
      }
      ++i;
    }
  }
  // A blocked prompt has no candidates; the reason is the answer's end.
  if (const auto feedback = member(chunk, "promptFeedback")) {
    if (const auto reason = member(*feedback, "blockReason"); reason && reason->isString()) {
      response_.finishReason = reason->str();
      ended_ = true;
    }
  }
  if (const auto usage = member(chunk, "usageMetadata")) readUsage(*usage);
}

void GeminiReader::readCandidate(JsonValue candidate, size_t position, const std::string* pointer) {
  const std::string field = "candidates[" + std::to_string(position) + "]";
  if (!candidate.isObject()) return expected(field, "an object");
  size_t index = position;
  if (const auto value = member(candidate, "index"); value && value->isCount()) {
    index = *value->count();
  }
  if (const auto content = member(candidate, "content")) {
    if (!content->isObject()) return expected(field + ".content", "an object");
    const auto parts = member(*content, "parts");
    if (parts && !parts->isArray()) return expected(field + ".content.parts", "an array");
    size_t next = 0;
    // Absent parts: an empty range, and on to the finishReason.
    for (JsonValue part : parts ? parts->elements() : JsonValue::Range<JsonValue::ElementIterator>{}) {
      const size_t i = next++;
      const std::string partField = field + ".content.parts[" + std::to_string(i) + "]";
      if (!part.isObject()) return expected(partField, "an object");
      const auto thought = member(part, "thought");
      if (thought && thought->isBool() && thought->boolean()) continue;  // reasoning, not output
      if (const auto text = member(part, "text")) {
        if (!text->isString()) return expected(partField + ".text", "a string");
        appendText(index, text->string());
      } else if (const auto call = member(part, "functionCall")) {
        const auto name = member(*call, "name");
        if (!name || !name->isString()) return expected(partField + ".functionCall.name", "a string");
        ToolCall toolCall;
        toolCall.name = name->str();
        if (const auto id = member(*call, "id"); id && id->isString()) toolCall.id = id->str();
        const auto args = member(*call, "args");
        budget_.assign(toolCall.arguments.text, args ? args->toJson() : "{}");
        if (pointer != nullptr && args) {
          const std::string partAt = pointerAppend(pointerAppend(pointerAppend(*pointer, "content"), "parts"), i);
          toolCall.arguments.pointer = pointerAppend(pointerAppend(partAt, "functionCall"), "args");
        }
        response_.toolCalls.push_back(std::move(toolCall));
      }
    }
  }
  if (const auto reason = member(candidate, "finishReason")) {
    if (!reason->isString()) return expected(field + ".finishReason", "a string");
    response_.finishReason = reason->str();
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

void GeminiReader::readUsage(JsonValue usage) {
  if (!usage.isObject()) return expected("usageMetadata", "an object");
  readCount(usage, "promptTokenCount", "usageMetadata.promptTokenCount", response_.usage.inputTokens);
  readCount(usage, "candidatesTokenCount", "usageMetadata.candidatesTokenCount", response_.usage.outputTokens);
}

}  // namespace

std::unique_ptr<ResponseReader> makeGeminiResponseReader(const Route&, Framing framing, unsigned status) {
  return std::make_unique<GeminiReader>(framing, status);
}

}  // namespace warden::providers
