#include "providers/adapter.h"
#include "providers/anthropic_request.h"
#include "providers/anthropic_response.h"
#include "providers/provider_adapter.h"

namespace warden::providers {

const Adapter& anthropicAdapter() {
  // Messages stream as server-sent events when asked to.
  static const ProviderAdapter adapter(
      parseAnthropicRequest, [](const Route&) { return FramingRule{.events = true}; }, makeAnthropicResponseReader);
  return adapter;
}

}  // namespace warden::providers
