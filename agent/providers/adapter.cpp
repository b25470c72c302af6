#include "providers/adapter.h"

namespace warden::providers {

const Adapter* adapterFor(const Route& route) {
  switch (route.operation) {
    case Operation::ChatCompletions:
    case Operation::Completions:
    case Operation::Responses:
    case Operation::Embeddings:
    case Operation::Moderations:
      return &openAiAdapter();
    case Operation::Messages:
      return &anthropicAdapter();
    case Operation::GenerateContent:
    case Operation::StreamGenerateContent:
      return &geminiAdapter();
    case Operation::OllamaChat:
    case Operation::OllamaGenerate:
      return &ollamaAdapter();
    case Operation::Files:
    case Operation::AudioTranscriptions:
      return &multipartAdapter();
    case Operation::Realtime:  // WebSocket events, read by RealtimeSession
    case Operation::Uninspected:
      return nullptr;
  }
  return nullptr;
}

}  // namespace warden::providers
