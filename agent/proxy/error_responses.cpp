#include "proxy/error_responses.h"

#include <nlohmann/json.hpp>

namespace warden::proxy {
namespace {

// All of these end the connection: the rest of the request body (if any) has
// not been read, so the stream is no longer at a message boundary.
ErrorResponse jsonError(http::status status, const std::string& message, const char* type, const char* code) {
  ErrorResponse response{status, 11};
  response.set(http::field::server, "warden");
  response.set(http::field::content_type, "application/json");
  response.keep_alive(false);
  nlohmann::json body = {{"error", {{"message", "warden: " + message}, {"type", type}, {"code", code}}}};
  response.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  response.prepare_payload();
  return response;
}

}  // namespace

ErrorResponse upstreamUnavailable(const std::string& detail) {
  return jsonError(http::status::bad_gateway, "upstream unavailable: " + detail, "upstream_error",
                   "warden_upstream_unavailable");
}

ErrorResponse badRequest(const std::string& detail) {
  return jsonError(http::status::bad_request, "malformed request: " + detail, "invalid_request_error",
                   "warden_bad_request");
}

ErrorResponse forbidden(const std::string& detail) {
  return jsonError(http::status::forbidden, detail, "permission_error", "warden_request_denied");
}

}  // namespace warden::proxy
