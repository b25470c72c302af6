// libFuzzer target: the OpenAI adapter (and Azure and compatible servers).
#include "adapter_fuzz.h"

namespace {

using warden::fuzz::FuzzRoute;

constexpr FuzzRoute kRoutes[] = {
    {"api.openai.com", "POST", "/v1/chat/completions"},
    {"api.openai.com", "POST", "/v1/responses"},
    {"api.openai.com", "POST", "/v1/completions"},
    {"api.openai.com", "POST", "/v1/embeddings"},
    {"api.openai.com", "POST", "/v1/moderations"},
    {"contoso.openai.azure.com", "POST", "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"},
    {"localhost:8000", "POST", "/v1/chat/completions"},
};

constexpr std::string_view kContentTypes[] = {"application/json", "text/event-stream; charset=utf-8"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return warden::fuzz::fuzzAdapter(warden::providers::openAiAdapter(), kRoutes, kContentTypes, data, size);
}
