// libFuzzer target: the Anthropic Messages adapter.
#include "adapter_fuzz.h"

namespace {

using warden::fuzz::FuzzRoute;

constexpr FuzzRoute kRoutes[] = {
    {"api.anthropic.com", "POST", "/v1/messages"},
    {"api.anthropic.com", "POST", "/v1/messages?beta=true"},
};

constexpr std::string_view kContentTypes[] = {"application/json", "text/event-stream; charset=utf-8"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return warden::fuzz::fuzzAdapter(warden::providers::anthropicAdapter(), kRoutes, kContentTypes, data, size);
}
