#include "proxy/error_responses.h"

namespace warden::proxy {

ErrorResponse refusalResponse(providers::Provider provider, providers::Refusal refusal, const std::string& reason,
                              const std::string& eventId) {
  const providers::ErrorReply reply = providers::errorReply(provider, refusal, reason, eventId);
  ErrorResponse response{static_cast<http::status>(reply.status), 11};
  response.set(http::field::server, "warden");
  response.set(http::field::content_type, reply.contentType);
  response.keep_alive(false);
  response.body() = reply.body + "\n";
  response.prepare_payload();
  return response;
}

}  // namespace warden::proxy
