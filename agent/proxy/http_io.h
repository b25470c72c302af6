// Beast reads and writes over a Stream (plain or TLS), with errors as values,
// and the body pump shared by requests and responses.
#pragma once

#include <array>
#include <cstdint>

#include "proxy/http_types.h"
#include "proxy/stream.h"
#include "proxy/watchdog.h"

namespace warden::proxy {

template <class Parser>
asio::awaitable<std::tuple<boost::system::error_code, size_t>> readHeader(Stream& in, beast::flat_buffer& buffer,
                                                                          Parser& parser) {
  return in.visit([&](auto& s) { return http::async_read_header(s, buffer, parser, kUseTuple); });
}

template <class Parser>
asio::awaitable<std::tuple<boost::system::error_code, size_t>> readSome(Stream& in, beast::flat_buffer& buffer,
                                                                        Parser& parser) {
  return in.visit([&](auto& s) { return http::async_read_some(s, buffer, parser, kUseTuple); });
}

template <class Serializer>
asio::awaitable<std::tuple<boost::system::error_code, size_t>> writeHeader(Stream& out, Serializer& serializer) {
  return out.visit([&](auto& s) { return http::async_write_header(s, serializer, kUseTuple); });
}

template <class Serializer>
asio::awaitable<std::tuple<boost::system::error_code, size_t>> writeSerializer(Stream& out, Serializer& serializer) {
  return out.visit([&](auto& s) { return http::async_write(s, serializer, kUseTuple); });
}

template <bool isRequest, class Body>
asio::awaitable<std::tuple<boost::system::error_code, size_t>> writeMessage(Stream& out,
                                                                            http::message<isRequest, Body>& message) {
  return out.visit([&](auto& s) { return http::async_write(s, message, kUseTuple); });
}

struct BodyPumpResult {
  uint64_t bytesRead = 0;     // as consumed from the input, framing included
  uint64_t bytesWritten = 0;  // as written to the output, framing included
  boost::system::error_code readError;
  boost::system::error_code writeError;
  bool ok() const { return !readError && !writeError; }
};

inline constexpr size_t kBodyPieceBytes = 16 * 1024;

// Moves a body from `in` to `out` piece by piece, writing each piece as soon
// as it is read: server-sent events and chunked streams reach the client
// event by event, and nothing is buffered beyond one piece. The header must
// already have been written through `serializer`, which serializes the
// message `parser` fills.
template <class Parser, class Serializer>
asio::awaitable<BodyPumpResult> pumpBody(Stream& in, beast::flat_buffer& inBuffer, Parser& parser, Stream& out,
                                         Serializer& serializer, Watchdog& idle) {
  BodyPumpResult result;
  std::array<char, kBodyPieceBytes> piece;
  auto& body = parser.get().body();
  for (;;) {
    size_t got = 0;
    if (!parser.is_done()) {
      body.data = piece.data();
      body.size = piece.size();
      auto [ec, n] = co_await readSome(in, inBuffer, parser);
      if (ec == http::error::need_buffer) ec = {};
      // Servers often close TLS without close_notify; for a body that ends at
      // connection close that is simply its end.
      if (ec == asio::ssl::error::stream_truncated && parser.need_eof()) {
        ec = {};
        parser.put_eof(ec);
      }
      result.bytesRead += n;
      if (ec) {
        result.readError = ec;
        co_return result;
      }
      got = piece.size() - body.size;
      idle.touch();
    }
    body.data = got > 0 ? piece.data() : nullptr;
    body.size = got;
    body.more = !parser.is_done();
    if (got == 0 && body.more) continue;

    auto [ec, n] = co_await writeSerializer(out, serializer);
    if (ec == http::error::need_buffer) ec = {};
    result.bytesWritten += n;
    if (ec) {
      result.writeError = ec;
      co_return result;
    }
    idle.touch();
    if (!body.more) co_return result;
  }
}

}  // namespace warden::proxy
