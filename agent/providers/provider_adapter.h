// An adapter assembled from its provider's three parts: the request parser,
// the rule that picks a response's framing, and the response reader.
#pragma once

#include <memory>
#include <string_view>

#include "providers/adapter.h"
#include "providers/response_framing.h"

namespace warden::providers {

class ProviderAdapter final : public Adapter {
 public:
  using ParseRequest = Result<Request> (*)(const Route& route, std::string_view body, const ParseLimits& limits);
  using FramingRuleOf = FramingRule (*)(const Route& route);
  using MakeReader = std::unique_ptr<ResponseReader> (*)(const Route& route, Framing framing, unsigned status);

  ProviderAdapter(ParseRequest parse, FramingRuleOf framing, MakeReader reader)
      : parse_(parse), framing_(framing), reader_(reader) {}

  // The provider APIs it assembles are JSON: the Content-Type is not needed.
  Result<Request> parseRequest(const Route& route, std::string_view body, const ParseLimits& limits,
                               std::string_view /*contentType*/) const override {
    return parse_(route, body, limits);
  }

  std::unique_ptr<ResponseReader> readResponse(const Route& route, unsigned status,
                                               std::string_view contentType) const override {
    return reader_(route, responseFraming(status, contentType, framing_(route)), status);
  }

 private:
  ParseRequest parse_;
  FramingRuleOf framing_;
  MakeReader reader_;
};

}  // namespace warden::providers
