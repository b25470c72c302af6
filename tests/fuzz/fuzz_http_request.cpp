// libFuzzer target: a request header from any local process, read by our
// smuggling checks and by Beast's parser with the proxy's limits. Besides
// never crashing, when both accept the same bytes they must agree on how the
// body is framed; a disagreement is exactly what smuggling exploits.
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/request_checks.h"

namespace {

namespace http = boost::beast::http;

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const warden::http::HeaderLimits limits;

  const auto accepted = warden::http::checkRequestHeader(bytes, limits);
  const auto end = warden::http::headerEnd(bytes);
  if (accepted) {
    check(end.has_value() && *end <= limits.maxHeaderBytes);
    // The verdict is about the header alone.
    check(warden::http::checkRequestHeader(bytes.substr(0, *end), limits).ok());
  } else {
    check(!accepted.error().message.empty());
  }

  http::request_parser<http::empty_body> parser;
  parser.header_limit(static_cast<uint32_t>(limits.maxHeaderBytes));
  parser.eager(false);
  boost::beast::error_code ec;
  const size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
  if (!accepted || ec || !parser.is_header_done()) return 0;

  // Both read a whole header: the same length, and the same framing.
  check(used == *end);
  const auto& message = parser.get();
  size_t contentLengths = 0;
  size_t transferEncodings = 0;
  for (const auto& field : message) {
    if (field.name() == http::field::content_length) ++contentLengths;
    if (field.name() == http::field::transfer_encoding) ++transferEncodings;
  }
  check(contentLengths <= 1);
  check(contentLengths == 0 || transferEncodings == 0);
  check(parser.chunked() == (transferEncodings > 0));
  if (contentLengths == 1) check(parser.content_length().has_value());
  return 0;
}
