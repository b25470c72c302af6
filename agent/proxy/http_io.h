// Reads and writes of HTTP messages over a Stream (plain or TLS), with errors
// as values, and the body relay shared by requests and responses.
//
// Parsing and serializing are Beast's; the I/O around them is a plain loop
// of one read or one write at a time on the stream, where Beast's composed
// operations (http::async_read, http::async_write) stack several layers of
// handlers per operation. Each write is assembled into one buffer first
// (Beast serializes a header as one buffer per field), so a header and the
// body piece with it leave as one TLS record and one send().
#pragma once

#include <boost/asio/write.hpp>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string_view>
#include <tuple>

#include "proxy/http_types.h"
#include "proxy/stream.h"
#include "proxy/watchdog.h"

namespace warden::proxy {

using IoResult = std::tuple<boost::system::error_code, size_t>;

// Told just before the write that completes a message, with its size in
// bytes: what must be recorded before the peer can see the message whole
// (the exchange's audit event) is recorded here. A plain call: recording is
// a write to the page cache, done on this thread. Not told when the message
// could not be assembled (nothing is written then either).
class LastWriteHook {
 public:
  virtual void beforeLastWrite(size_t bytes) = 0;
  // Awaited after beforeLastWrite() and before the bytes go: what it
  // recorded is in the spool when this returns.
  virtual asio::awaitable<void> untilRecorded() { co_return; }

 protected:
  ~LastWriteHook() = default;
};

// Beast's minimum read size: a buffer that has less free space still grows.
inline constexpr size_t kMinReadBytes = 512;
inline constexpr size_t kMaxReadBytes = 64 * 1024;

// One read of whatever has arrived, into the free space of `buffer`.
inline asio::awaitable<IoResult> readInto(Stream& in, beast::flat_buffer& buffer) {
  const size_t room = std::clamp(buffer.capacity() - buffer.size(), kMinReadBytes, kMaxReadBytes);
  const auto space = buffer.prepare(room);
  auto [ec, n] = co_await in.visit([&](auto& s) { return s.async_read_some(space, kUseTuple); });
  buffer.commit(n);
  co_return IoResult{ec, n};
}

// Reads until `parser` has the whole header. Returns the bytes the parser
// consumed; end_of_stream when the peer closed before sending anything (an
// idle keep-alive connection ending), partial_message when it closed mid-way.
template <class Parser>
asio::awaitable<IoResult> readHeader(Stream& in, beast::flat_buffer& buffer, Parser& parser) {
  size_t used = 0;
  for (;;) {
    boost::system::error_code ec;
    if (buffer.size() > 0) {
      const size_t n = parser.put(buffer.data(), ec);
      buffer.consume(n);
      used += n;
      if (parser.is_header_done()) co_return IoResult{boost::system::error_code{}, used};
      if (ec && ec != http::error::need_more) co_return IoResult{ec, used};
    }
    auto [readError, n] = co_await readInto(in, buffer);
    if (readError == asio::error::eof) {
      if (!parser.got_some()) co_return IoResult{http::error::end_of_stream, used};
      parser.put_eof(ec);  // an incomplete header: partial_message
      co_return IoResult{ec ? ec : http::error::partial_message, used};
    }
    if (readError) co_return IoResult{readError, used};
  }
}

// Serializes what `serializer` has ready (the header if it has not gone out,
// then the current body piece with its chunk framing) into `out`.
template <class Serializer>
boost::system::error_code serializeReady(Serializer& serializer, beast::flat_buffer& out, bool headerOnly) {
  boost::system::error_code ec;
  while (!serializer.is_done() && !(headerOnly && serializer.is_header_done())) {
    size_t size = 0;
    serializer.next(ec, [&](boost::system::error_code&, const auto& buffers) {
      size = asio::buffer_copy(out.prepare(asio::buffer_size(buffers)), buffers);
      out.commit(size);
    });
    if (ec) break;
    serializer.consume(size);
  }
  // The body has nothing more for now: what is assembled goes out.
  if (ec == http::error::need_buffer) ec = {};
  return ec;
}

// Writes what `serializer` has ready, or only its header, in one write.
// `last`: this write completes the message (told first, when not null).
template <class Serializer>
asio::awaitable<IoResult> writeReady(Stream& out, Serializer& serializer, beast::flat_buffer& scratch,
                                     bool headerOnly, LastWriteHook* last = nullptr) {
  scratch.clear();
  if (headerOnly) serializer.split(true);
  const auto ec = serializeReady(serializer, scratch, headerOnly);
  if (ec) co_return IoResult{ec, 0};
  if (last != nullptr) {
    last->beforeLastWrite(scratch.size());
    co_await last->untilRecorded();
  }
  if (scratch.size() == 0) co_return IoResult{};
  auto result = co_await out.visit([&](auto& s) { return asio::async_write(s, scratch.data(), kUseTuple); });
  scratch.clear();
  co_return result;
}

template <class Serializer>
asio::awaitable<IoResult> writeHeader(Stream& out, Serializer& serializer, beast::flat_buffer& scratch,
                                      LastWriteHook* last = nullptr) {
  return writeReady(out, serializer, scratch, true, last);
}

// Whole messages warden writes itself (errors, interim responses): rare, so
// Beast's own write is good enough.
template <bool isRequest, class Body, class FieldsType>
asio::awaitable<IoResult> writeMessage(Stream& out, http::message<isRequest, Body, FieldsType>& message) {
  return out.visit([&](auto& s) { return http::async_write(s, message, kUseTuple); });
}

// A whole message of warden's own that ends an exchange: assembled first,
// so `last` is told its size before it goes.
template <bool isRequest, class Body, class FieldsType>
asio::awaitable<IoResult> writeMessage(Stream& out, http::message<isRequest, Body, FieldsType>& message,
                                       beast::flat_buffer& scratch, LastWriteHook& last) {
  http::serializer<isRequest, Body, FieldsType> serializer(message);
  co_return co_await writeReady(out, serializer, scratch, false, &last);
}

// The interim response a client sending Expect: 100-continue waits for.
inline asio::awaitable<IoResult> writeContinue(Stream& out) {
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  return out.visit(
      [](auto& s) { return asio::async_write(s, asio::buffer(kContinue.data(), kContinue.size()), kUseTuple); });
}

inline constexpr size_t kBodyPieceBytes = 16 * 1024;

struct PieceRead {
  size_t size = 0;        // body bytes now in the piece
  uint64_t consumed = 0;  // input consumed, framing included
  boost::system::error_code error;
};

// Parses body bytes already in `buffer` into the parser's body buffer, with
// no I/O: several small chunks that arrived together make one piece.
template <class Parser>
uint64_t parseBuffered(Parser& parser, beast::flat_buffer& buffer, boost::system::error_code& ec) {
  auto& body = parser.get().body();
  uint64_t consumed = 0;
  while (buffer.size() > 0 && body.size > 0 && !parser.is_done()) {
    const size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    consumed += used;
    if (ec == http::error::need_more || ec == http::error::need_buffer) ec = {};
    if (ec || used == 0) break;
  }
  return consumed;
}

// Fills `piece` with the next part of the body. Bytes already buffered come
// first; the input is read only when nothing was buffered, and then only if
// `wait` is set or input has already arrived (so a header is never held back
// for a body that has not come yet).
template <class Parser>
asio::awaitable<PieceRead> readPiece(Stream& in, beast::flat_buffer& buffer, Parser& parser, std::span<char> piece,
                                     bool wait) {
  PieceRead out;
  if (parser.is_done()) co_return out;
  auto& body = parser.get().body();
  body.data = piece.data();
  body.size = piece.size();
  out.consumed += parseBuffered(parser, buffer, out.error);
  out.size = piece.size() - body.size;
  if (out.error || out.size > 0 || parser.is_done()) co_return out;
  if (!wait && !in.hasPendingInput()) co_return out;

  auto [ec, n] = co_await readInto(in, buffer);
  // A body that ends where the connection ends is complete at a clean close,
  // and at one without TLS close_notify, which servers often skip.
  if (ec == asio::error::eof || (ec == asio::ssl::error::stream_truncated && parser.need_eof())) {
    ec = {};
    parser.put_eof(ec);  // partial_message if the body was not complete
  }
  if (!ec) out.consumed += parseBuffered(parser, buffer, ec);
  out.size = piece.size() - body.size;
  out.error = ec;
  co_return out;
}

// Writes `size` bytes of `piece` as the next part of the message, preceded by
// the header when it has not gone out yet: one write. With nothing to send
// and more to come, only a pending header is written.
// `lastHook` (with `last`) is told before that write goes.
template <class Serializer, class BodyValue>
asio::awaitable<IoResult> writePiece(Stream& out, Serializer& serializer, BodyValue& body, char* piece, size_t size,
                                     bool last, beast::flat_buffer& scratch, LastWriteHook* lastHook = nullptr) {
  body.data = size > 0 ? piece : nullptr;
  body.size = size;
  body.more = !last;
  const bool headerOnly = size == 0 && !last;
  if (headerOnly && serializer.is_header_done()) co_return IoResult{};
  co_return co_await writeReady(out, serializer, scratch, headerOnly, last ? lastHook : nullptr);
}

// Tells `inner` of a last write as the end of `before` bytes written already.
class AfterBytes final : public LastWriteHook {
 public:
  AfterBytes(LastWriteHook* inner, uint64_t before) : inner_(inner), before_(before) {}
  void beforeLastWrite(size_t bytes) override { inner_->beforeLastWrite(static_cast<size_t>(before_ + bytes)); }
  asio::awaitable<void> untilRecorded() override { return inner_->untilRecorded(); }

 private:
  LastWriteHook* inner_;
  uint64_t before_;
};

// pumpBody's hook for each piece: false stops the pump there. The
// default ignores the pieces.
struct IgnorePieces {
  bool operator()(std::string_view) const { return true; }
};

struct BodyPumpResult {
  uint64_t bytesRead = 0;     // as consumed from the input, framing included
  uint64_t bytesWritten = 0;  // as written to the output, framing included
  boost::system::error_code readError;
  boost::system::error_code writeError;
  bool stopped = false;  // the hook stopped it after a piece; nothing more was read
  bool ok() const { return !readError && !writeError; }
};

// Moves a body from `in` to `out` piece by piece, writing each piece as soon
// as it is read: server-sent events and chunked streams reach the other side
// event by event, and nothing is buffered beyond one piece. If the header
// has not been written through `serializer` yet (it serializes the message
// `parser` fills), it goes out with the first piece when that is already
// here, and alone otherwise. `onPiece` sees each piece of the body (as
// parsed: dechunked) once it was written, and may stop the pump there; the
// piece that ends the body it sees before it is written, so it can stop the
// body from completing, and then `lastHook` (may be null) is told, with the
// bytes of the whole body's writes, the header's included.
template <class Parser, class Serializer, class OnPiece = IgnorePieces>
asio::awaitable<BodyPumpResult> pumpBody(Stream& in, beast::flat_buffer& inBuffer, Parser& parser, Stream& out,
                                         Serializer& serializer, Watchdog& idle, std::span<char> piece,
                                         beast::flat_buffer& scratch, OnPiece onPiece = {},
                                         LastWriteHook* lastHook = nullptr) {
  BodyPumpResult result;
  if (parser.is_done() && serializer.is_done()) co_return result;
  for (;;) {
    const bool headerOut = serializer.is_header_done();
    const PieceRead read = co_await readPiece(in, inBuffer, parser, piece, headerOut);
    result.bytesRead += read.consumed;
    if (read.error) {
      result.readError = read.error;
      co_return result;
    }
    if (read.consumed > 0) idle.touch();
    const bool last = parser.is_done();
    if (read.size == 0 && !last && headerOut) continue;

    const std::string_view bytes(piece.data(), read.size);
    if (last && read.size > 0 && !onPiece(bytes)) {
      result.stopped = true;
      co_return result;
    }
    // The hook is told the whole body's bytes, those already written too.
    AfterBytes afterPieces(lastHook, result.bytesWritten);
    auto [ec, n] = co_await writePiece(out, serializer, parser.get().body(), piece.data(), read.size, last, scratch,
                                       lastHook != nullptr ? &afterPieces : nullptr);
    result.bytesWritten += n;
    if (ec) {
      result.writeError = ec;
      co_return result;
    }
    idle.touch();
    if (last) co_return result;
    if (read.size > 0 && !onPiece(bytes)) {
      result.stopped = true;
      co_return result;
    }
  }
}

}  // namespace warden::proxy
