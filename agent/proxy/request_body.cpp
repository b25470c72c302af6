#include "proxy/request_body.h"

#include "proxy/http_io.h"

namespace warden::proxy {

bool declaredTooLarge(const RequestParser& parser, uint64_t maxBytes) {
  const auto length = parser.content_length();
  return length && *length > maxBytes;
}

asio::awaitable<WholeBody> readWholeBody(Stream& in, beast::flat_buffer& buffer, RequestParser& parser,
                                         std::span<char> piece, uint64_t maxBytes, Watchdog& idle,
                                         std::string& body) {
  WholeBody out;
  const size_t start = body.size();
  if (const auto length = parser.content_length(); length && *length <= maxBytes) {
    body.reserve(start + static_cast<size_t>(*length));
  }
  while (!parser.is_done()) {
    const PieceRead read = co_await readPiece(in, buffer, parser, piece, true);
    out.consumed += read.consumed;
    if (read.error) {
      out.error = read.error;
      co_return out;
    }
    if (read.consumed > 0) idle.touch();
    if (body.size() - start + read.size > maxBytes) {
      out.tooLarge = true;
      co_return out;
    }
    body.append(piece.data(), read.size);
  }
  co_return out;
}

}  // namespace warden::proxy
