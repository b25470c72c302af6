// Responses API streams: typed events. Text arrives as
// response.output_text.delta per (output item, content part), function
// call arguments as response.function_call_arguments.delta per output item;
// the .done events and response.output_item.done carry the full value, and
// response.completed / .incomplete / .failed the final response object.
#include "providers/openai_response.h"
#include "providers/openai_sse_reader.h"

namespace warden::providers::openai {
namespace {

class ResponsesStreamReader final : public SseResponseReader {
 protected:
  void onChunk(const http::SseEvent& event, JsonValue data) override {
    // The type is in the data; the SSE event name repeats it.
    std::string type = stringOr(data, "type");
    if (type.empty()) type = event.type;
    const uint64_t item = countOf(member(data, "output_index")).value_or(0);
    const uint64_t part = countOf(member(data, "content_index")).value_or(0);

    if (type == "response.output_text.delta" || type == "response.refusal.delta") {
      if (const auto piece = text(data, "delta")) text_.append({item, part}, *piece);
    } else if (type == "response.output_text.done") {
      if (const auto full = text(data, "text")) text_.replace({item, part}, *full);
    } else if (type == "response.refusal.done") {
      if (const auto full = text(data, "refusal")) text_.replace({item, part}, *full);
    } else if (type == "response.function_call_arguments.delta" || type == "response.custom_tool_call_input.delta") {
      if (const auto piece = text(data, "delta")) budget_.append(argumentsOf(item), *piece);
    } else if (type == "response.function_call_arguments.done") {
      if (const auto full = text(data, "arguments")) budget_.assign(argumentsOf(item), *full);
    } else if (type == "response.custom_tool_call_input.done") {
      if (const auto full = text(data, "input")) budget_.assign(argumentsOf(item), *full);
    } else if (type == "response.output_item.added" || type == "response.output_item.done") {
      if (const auto value = member(data, "item"); value && value->isObject()) {
        readItem(*value, item, type == "response.output_item.done");
      }
    } else if (type == "response.created" || type == "response.in_progress" || type == "response.queued") {
      if (const auto response = member(data, "response")) readResponseHeader(*response, response_);
    } else if (type == "response.completed" || type == "response.incomplete" || type == "response.failed") {
      if (const auto response = member(data, "response"); response && response->isObject()) {
        readFinal(*response);
      }
      stop();
    } else if (type == "error") {
      // {"type":"error","code","message","param"}; some servers nest it.
      std::string message = stringOr(data, "message");
      if (message.empty()) message = errorMessageOf(data, true).value_or("error event without a message");
      response_.errorMessage = std::move(message);
    } else if (auto error = errorMessageOf(data, false)) {
      response_.errorMessage = std::move(error);  // a bare {"error":{...}} event
    }
  }

 private:
  // The arguments of the tool call that output item `item` is.
  std::string& argumentsOf(uint64_t item) { return toolCalls_.at({item, 0}).arguments.text; }

  std::optional<std::string_view> text(JsonValue data, std::string_view key) {
    const auto value = member(data, key);
    if (!value) return std::nullopt;
    if (!value->isString()) {
      failHere(std::string(key) + ": expected a string");
      return std::nullopt;
    }
    return value->string();
  }

  void readItem(JsonValue value, uint64_t item, bool done) {
    const std::string type = stringOr(value, "type");
    if (type == "function_call" || type == "custom_tool_call") {
      ToolCall& call = toolCalls_.at({item, 0});
      if (std::string id = stringOr(value, "call_id"); !id.empty()) call.id = std::move(id);
      if (std::string name = stringOr(value, "name"); !name.empty()) call.name = std::move(name);
      const auto arguments = member(value, type == "function_call" ? "arguments" : "input");
      // Added items have empty arguments to come; done items the full text.
      if (arguments && arguments->isString() && (done || !arguments->string().empty())) {
        budget_.assign(call.arguments.text, arguments->string());
      }
    } else if (type == "message" && done) {
      const auto content = member(value, "content");
      if (!content || !content->isArray()) return;
      uint64_t position = 0;
      for (JsonValue part : content->elements()) {
        const uint64_t j = position++;
        const std::string partType = stringOr(part, "type");
        if (partType == "output_text") text_.replace({item, j}, stringOr(part, "text"));
        if (partType == "refusal") text_.replace({item, j}, stringOr(part, "refusal"));
      }
    }
  }

  void readFinal(JsonValue response) {
    text_.sync();
    // A stream that carried no deltas (or a server that only sends the end)
    // is read from the final object.
    if (response_.text.empty() && response_.toolCalls.empty()) {
      readResponseObject(response, nullptr, response_);
      chargeWhole();
      return;
    }
    Response final;
    readResponseObject(response, nullptr, final);
    if (!final.id.empty()) response_.id = final.id;
    if (!final.model.empty()) response_.model = final.model;
    response_.finishReason = final.finishReason;
    if (final.usage.inputTokens) response_.usage.inputTokens = final.usage.inputTokens;
    if (final.usage.outputTokens) response_.usage.outputTokens = final.usage.outputTokens;
    if (final.errorMessage) response_.errorMessage = final.errorMessage;
  }
};

}  // namespace

std::unique_ptr<ResponseReader> makeResponsesStreamReader() { return std::make_unique<ResponsesStreamReader>(); }

}  // namespace warden::providers::openai
