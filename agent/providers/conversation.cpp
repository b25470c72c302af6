#include "providers/conversation.h"

namespace warden::providers {

// These names appear in audit events and policies: changing one is a breaking
// change for every consumer of the event stream.

const char* toString(Provider provider) {
  switch (provider) {
    case Provider::OpenAI:
      return "openai";
    case Provider::AzureOpenAI:
      return "azure_openai";
    case Provider::Anthropic:
      return "anthropic";
    case Provider::Gemini:
      return "gemini";
    case Provider::Ollama:
      return "ollama";
    case Provider::Unknown:
      return "unknown";
  }
  return "unknown";
}

const char* toString(Operation operation) {
  switch (operation) {
    case Operation::ChatCompletions:
      return "chat_completions";
    case Operation::Completions:
      return "completions";
    case Operation::Responses:
      return "responses";
    case Operation::Embeddings:
      return "embeddings";
    case Operation::Moderations:
      return "moderations";
    case Operation::Messages:
      return "messages";
    case Operation::GenerateContent:
      return "generate_content";
    case Operation::StreamGenerateContent:
      return "stream_generate_content";
    case Operation::OllamaChat:
      return "ollama_chat";
    case Operation::Realtime:
      return "realtime";
    case Operation::OllamaGenerate:
      return "ollama_generate";
    case Operation::Files:
      return "files";
    case Operation::AudioTranscriptions:
      return "audio_transcriptions";
    case Operation::Uninspected:
      return "uninspected";
  }
  return "uninspected";
}

const char* toString(Role role) {
  switch (role) {
    case Role::System:
      return "system";
    case Role::Developer:
      return "developer";
    case Role::User:
      return "user";
    case Role::Assistant:
      return "assistant";
    case Role::Tool:
      return "tool";
    case Role::Unknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace warden::providers
