#include "proxy/request_head.h"

#include <string_view>

#include "proxy/http_io.h"

namespace warden::proxy {
namespace {

std::string_view buffered(const beast::flat_buffer& buffer) {
  return {static_cast<const char*>(buffer.data().data()), buffer.size()};
}

}  // namespace

asio::awaitable<RequestHead> readRequestHead(Stream& in, beast::flat_buffer& buffer, RequestParser& parser,
                                             const warden::http::HeaderLimits& limits) {
  RequestHead out;
  for (;;) {
    const std::string_view bytes = buffered(buffer);
    const auto end = warden::http::headerEnd(bytes);
    if (end || bytes.size() > limits.maxHeaderBytes) {
      // Without its end, a header over the size limit is reported as such.
      const std::string_view header = end ? bytes.substr(0, *end) : bytes;
      if (auto checked = warden::http::checkRequestHeader(header, limits); !checked) {
        out.violation = checked.error().message;
        // Parsed only so the refusal can name the host and path the client
        // called (what Beast makes of it is never forwarded).
        if (end) {
          boost::system::error_code ignored;
          parser.put(asio::buffer(header.data(), header.size()), ignored);
        }
        co_return out;
      }
    }
    if (end) {
      boost::system::error_code ec;
      const size_t used = parser.put(asio::buffer(bytes.data(), *end), ec);
      buffer.consume(used);
      out.bytes += used;
      if (!ec && !parser.is_header_done()) ec = http::error::partial_message;
      out.error = ec;
      co_return out;
    }
    auto [readError, n] = co_await readInto(in, buffer);
    if (readError == asio::error::eof) {
      out.error = buffer.size() == 0 ? http::error::end_of_stream : http::error::partial_message;
      co_return out;
    }
    if (readError) {
      out.error = readError;
      co_return out;
    }
  }
}

}  // namespace warden::proxy
