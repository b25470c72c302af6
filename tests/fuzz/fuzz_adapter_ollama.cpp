// libFuzzer target: the Ollama native API adapter.
#include "adapter_fuzz.h"

namespace {

using warden::fuzz::FuzzRoute;

constexpr FuzzRoute kRoutes[] = {
    {"localhost:11434", "POST", "/api/chat"},
    {"127.0.0.1:11434", "POST", "/api/generate"},
};

constexpr std::string_view kContentTypes[] = {"application/json; charset=utf-8", "application/x-ndjson"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return warden::fuzz::fuzzAdapter(warden::providers::ollamaAdapter(), kRoutes, kContentTypes, data, size);
}
