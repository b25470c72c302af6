// The body of every fuzz_adapter_<name> target: the input is read as a
// request to one of the adapter's routes, and the same bytes as a response
// in each framing that adapter reads, whole and in two pieces.
//
// Besides never crashing: every text the request model holds must be found
// where its JSON pointer says (layers edit bodies through those pointers),
// and how the relay's reads fall must not change the response model.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "providers/adapter.h"
#include "providers/json_body.h"
#include "providers/route.h"

namespace warden::fuzz {

struct FuzzRoute {
  std::string_view host;
  std::string_view method;
  std::string_view target;
};

inline void check(bool ok) {
  if (!ok) std::abort();
}

inline void checkPointer(providers::JsonValue body, const providers::TextRef& ref) {
  if (ref.pointer.empty()) return;  // text not taken from the body (none to edit)
  const auto value = body.atPointer(ref.pointer);
  check(value.has_value());
  if (value->isString()) check(value->string() == ref.text);
}

inline void checkRequestModel(std::string_view bodyText, const providers::Request& request) {
  auto body = providers::parseJsonBody(bodyText, providers::ParseLimits{}.maxDepth);
  check(body.ok());  // the adapter accepted it, so it is JSON within the limits
  const providers::JsonValue root = body->root();
  for (const auto& message : request.messages) {
    for (const auto& part : message.parts) {
      if (part.kind == providers::Part::Kind::Text) checkPointer(root, part.text);
    }
    for (const auto& call : message.toolCalls) checkPointer(root, call.arguments);
  }
  for (const auto& tool : request.tools) checkPointer(root, tool.description);
  for (const auto& input : request.inputs) checkPointer(root, input);
}

inline bool sameResponse(const providers::Response& a, const providers::Response& b) {
  if (a.toolCalls.size() != b.toolCalls.size()) return false;
  for (size_t i = 0; i < a.toolCalls.size(); ++i) {
    const auto& x = a.toolCalls[i];
    const auto& y = b.toolCalls[i];
    if (x.id != y.id || x.name != y.name || x.arguments.text != y.arguments.text) return false;
  }
  return a.id == b.id && a.model == b.model && a.text == b.text && a.finishReason == b.finishReason &&
         a.usage.inputTokens == b.usage.inputTokens && a.usage.outputTokens == b.usage.outputTokens &&
         a.errorMessage == b.errorMessage;
}

inline void readBothWays(const providers::Adapter& adapter, const providers::Route& route, unsigned status,
                         std::string_view contentType, std::string_view body, size_t split) {
  auto whole = adapter.readResponse(route, status, contentType);
  auto pieces = adapter.readResponse(route, status, contentType);
  check(whole != nullptr && pieces != nullptr);
  whole->feed(body);
  whole->finish();
  pieces->feed(body.substr(0, split));
  (void)pieces->response();  // meaningful at any time
  pieces->feed(body.substr(split));
  pieces->finish();
  check(whole->failed() == pieces->failed());
  if (whole->failed()) check(!whole->failure().empty());
  check(sameResponse(whole->response(), pieces->response()));
}

inline int fuzzAdapter(const providers::Adapter& expected, std::span<const FuzzRoute> routes,
                       std::span<const std::string_view> contentTypes, const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // Byte 0 picks the route and status, byte 1 the split; the rest is the body.
  const FuzzRoute& choice = routes[data[0] % routes.size()];
  constexpr unsigned kStatuses[] = {200, 400, 429, 500};
  const unsigned status = kStatuses[(data[0] / routes.size()) % std::size(kStatuses)];
  const std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);
  const size_t split = body.size() * data[1] / 255;

  const providers::Route route = providers::route(choice.host, choice.method, choice.target);
  const providers::Adapter* adapter = providers::adapterFor(route);
  check(adapter == &expected);

  auto request = adapter->parseRequest(route, body);
  if (request) {
    check(request->operation == route.operation);
    checkRequestModel(body, *request);
  } else {
    check(!request.error().message.empty());
  }

  for (const auto contentType : contentTypes) readBothWays(*adapter, route, status, contentType, body, split);
  return 0;
}

}  // namespace warden::fuzz
