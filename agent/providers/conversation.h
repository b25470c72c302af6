// The one conversation model every provider's API is read into, so the
// layers inspect OpenAI, Anthropic, Gemini and Ollama traffic alike.
//
// Text is kept with the JSON pointer (RFC 6901) of the string it came from,
// so a layer can change it in place (json_edit.h) and the body is
// re-serialised without the adapter having to know why.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace warden::providers {

enum class Provider { OpenAI, AzureOpenAI, Anthropic, Gemini, Ollama, Unknown };

enum class Operation {
  ChatCompletions,        // OpenAI (and Azure, Ollama-compatible) /v1/chat/completions
  Completions,            // /v1/completions
  Responses,              // /v1/responses
  Embeddings,             // /v1/embeddings
  Moderations,            // /v1/moderations
  Messages,               // Anthropic /v1/messages
  GenerateContent,        // Gemini :generateContent
  StreamGenerateContent,  // Gemini :streamGenerateContent
  OllamaChat,             // /api/chat
  OllamaGenerate,         // /api/generate
  Realtime,               // OpenAI / Azure Realtime: a WebSocket session of JSON events
  Files,                  // /v1/files: a multipart/form-data upload
  AudioTranscriptions,    // /v1/audio/transcriptions and /v1/audio/translations: multipart, an audio file
  Uninspected,            // a path on a known host that no adapter reads
};

enum class Role { System, Developer, User, Assistant, Tool, Unknown };

// Where a piece of text lives in the JSON body it was read from.
struct TextRef {
  std::string text;
  std::string pointer;  // e.g. "/messages/2/content/0/text"
};

struct Part {
  enum class Kind { Text, Image, Audio, File, Other };
  Kind kind = Kind::Text;
  TextRef text;           // Kind::Text (also the text of a tool result)
  std::string mediaType;  // e.g. "image/png", when the API says
  uint64_t bytes = 0;     // size of inline data (base64 decoded), 0 when by reference
  std::string reference;  // URL or file id, when by reference; an uploaded file's name
  // A multipart upload's parts (Operation::Files, AudioTranscriptions) name
  // the form field they came in ("file"); empty for parts of a JSON body.
  std::string formField;
};

struct ToolCall {
  std::string id;
  std::string name;
  TextRef arguments;  // the arguments as JSON text
};

struct Message {
  Role role = Role::Unknown;
  std::string name;  // participant or tool name, when given
  std::vector<Part> parts;
  std::vector<ToolCall> toolCalls;  // an assistant turn asking for tools
  std::string toolCallId;           // a tool result: the call it answers
};

struct ToolDefinition {
  std::string name;
  TextRef description;
  std::string type;  // "function", or a built-in tool's type ("web_search", "code_interpreter", ...)
};

struct Request {
  Provider provider = Provider::Unknown;
  Operation operation = Operation::Uninspected;
  std::string model;  // from the body, or the path (Azure deployment, Gemini model)
  bool stream = false;
  std::optional<uint64_t> maxOutputTokens;
  std::optional<double> temperature;
  std::vector<Message> messages;  // system prompts and instructions first, as Role::System / Developer
  std::vector<ToolDefinition> tools;
  std::vector<TextRef> inputs;  // embeddings / moderations input strings, completions prompts
};

struct Usage {
  std::optional<uint64_t> inputTokens;
  std::optional<uint64_t> outputTokens;
};

struct Response {
  std::string id;
  std::string model;
  std::string text;  // output text, all choices and blocks concatenated in order
  std::vector<ToolCall> toolCalls;
  std::string finishReason;  // as the provider names it ("stop", "end_turn", "STOP", ...)
  Usage usage;
  // The provider answered with its own error object.
  std::optional<std::string> errorMessage;
};

const char* toString(Provider provider);
const char* toString(Operation operation);
const char* toString(Role role);

}  // namespace warden::providers
