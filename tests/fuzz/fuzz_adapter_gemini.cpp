// libFuzzer target: the Gemini generateContent adapter.
#include "adapter_fuzz.h"

namespace {

using warden::fuzz::FuzzRoute;

constexpr FuzzRoute kRoutes[] = {
    {"generativelanguage.googleapis.com", "POST", "/v1beta/models/gemini-1.5-pro:generateContent"},
    {"generativelanguage.googleapis.com", "POST", "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse"},
    {"generativelanguage.googleapis.com", "POST", "/v1/models/gemini-1.5-flash:streamGenerateContent"},
};

// SSE with ?alt=sse; otherwise streams are one JSON array sent piecewise.
constexpr std::string_view kContentTypes[] = {"application/json; charset=UTF-8", "text/event-stream"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return warden::fuzz::fuzzAdapter(warden::providers::geminiAdapter(), kRoutes, kContentTypes, data, size);
}
