#include "proxy/client_hello.h"

#include <algorithm>

namespace warden::proxy {
namespace {

constexpr uint8_t kContentHandshake = 0x16;
constexpr uint8_t kHandshakeClientHello = 0x01;
constexpr size_t kRecordHeaderBytes = 5;
constexpr size_t kHandshakeHeaderBytes = 4;
constexpr size_t kMaxRecordPayload = 16384;  // RFC 8446 5.1: TLSPlaintext.length <= 2^14
// version + random + session id length + one cipher suite + one compression method
constexpr size_t kMinHelloBody = 2 + 32 + 1 + 2 + 2 + 1 + 1;
constexpr size_t kMinHello = kHandshakeHeaderBytes + kMinHelloBody;
constexpr size_t kMaxHostNameBytes = 253;
constexpr size_t kMaxLabelBytes = 63;

constexpr uint16_t kExtServerName = 0;
constexpr uint16_t kExtAlpn = 16;
constexpr uint8_t kNameTypeHostName = 0;

HelloParse make(HelloStatus status, size_t neededBytes = 0) {
  HelloParse p;
  p.status = status;
  p.neededBytes = neededBytes;
  return p;
}

// Fewest raw bytes that can still carry `remaining` handshake bytes: every
// record adds a header and holds at most 2^14 bytes.
size_t recordBytesFor(size_t remaining) {
  if (remaining == 0) return 0;
  size_t records = (remaining + kMaxRecordPayload - 1) / kMaxRecordPayload;
  return remaining + records * kRecordHeaderBytes;
}

// Bounds-checked big-endian reader; every read fails once the input is short,
// so a lying length can never move it past the end.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}

  bool u8(uint8_t& out) {
    if (data_.size() < 1) return false;
    out = data_[0];
    data_ = data_.subspan(1);
    return true;
  }
  bool u16(uint16_t& out) {
    if (data_.size() < 2) return false;
    out = static_cast<uint16_t>(data_[0] << 8 | data_[1]);
    data_ = data_.subspan(2);
    return true;
  }
  bool bytes(size_t n, std::span<const uint8_t>& out) {
    if (data_.size() < n) return false;
    out = data_.first(n);
    data_ = data_.subspan(n);
    return true;
  }
  bool skip(size_t n) {
    std::span<const uint8_t> ignored;
    return bytes(n, ignored);
  }
  // A vector with an 8- or 16-bit length prefix.
  bool prefixed8(std::span<const uint8_t>& out) {
    uint8_t n = 0;
    return u8(n) && bytes(n, out);
  }
  bool prefixed16(std::span<const uint8_t>& out) {
    uint16_t n = 0;
    return u16(n) && bytes(n, out);
  }
  bool empty() const { return data_.empty(); }

 private:
  std::span<const uint8_t> data_;
};

// LDH labels plus '_' (seen in real service names); lowercased. A single
// trailing dot is dropped so "api.example.com." is matched like the name a
// policy lists, instead of slipping past interception as a different name.
std::optional<std::string> normalizeHostName(std::span<const uint8_t> raw) {
  if (!raw.empty() && raw.back() == '.') raw = raw.first(raw.size() - 1);
  if (raw.empty() || raw.size() > kMaxHostNameBytes) return std::nullopt;
  std::string name;
  name.reserve(raw.size());
  size_t labelBytes = 0;
  for (uint8_t c : raw) {
    if (c == '.') {
      if (labelBytes == 0) return std::nullopt;
      labelBytes = 0;
      name.push_back('.');
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok || ++labelBytes > kMaxLabelBytes) return std::nullopt;
    name.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  if (labelBytes == 0) return std::nullopt;  // "a.." would leave an empty last label
  return name;
}

// RFC 6066 3: at most one name per type; only host_name is defined.
bool parseServerName(std::span<const uint8_t> ext, ClientHelloInfo& info) {
  Reader r(ext);
  std::span<const uint8_t> list;
  if (!r.prefixed16(list) || !r.empty() || list.empty()) return false;
  Reader names(list);
  while (!names.empty()) {
    uint8_t type = 0;
    std::span<const uint8_t> name;
    if (!names.u8(type) || !names.prefixed16(name)) return false;
    if (type != kNameTypeHostName) continue;
    if (info.serverName) return false;
    info.serverName = normalizeHostName(name);
    if (!info.serverName) return false;
  }
  return true;
}

// RFC 7301 3.1: a non-empty list of non-empty protocol names.
bool parseAlpn(std::span<const uint8_t> ext, ClientHelloInfo& info) {
  Reader r(ext);
  std::span<const uint8_t> list;
  if (!r.prefixed16(list) || !r.empty() || list.empty()) return false;
  Reader protocols(list);
  while (!protocols.empty()) {
    std::span<const uint8_t> protocol;
    if (!protocols.prefixed8(protocol) || protocol.empty()) return false;
    info.alpn.emplace_back(protocol.begin(), protocol.end());
  }
  return true;
}

// The ClientHello body (after the 4-byte handshake header).
bool parseHelloBody(std::span<const uint8_t> body, ClientHelloInfo& info) {
  Reader r(body);
  std::span<const uint8_t> sessionId;
  std::span<const uint8_t> cipherSuites;
  std::span<const uint8_t> compression;
  if (!r.skip(2 + 32) || !r.prefixed8(sessionId) || sessionId.size() > 32) return false;
  if (!r.prefixed16(cipherSuites) || cipherSuites.empty() || cipherSuites.size() % 2 != 0) return false;
  if (!r.prefixed8(compression) || compression.empty()) return false;
  if (r.empty()) return true;  // pre-TLS 1.2 hellos may omit extensions entirely

  std::span<const uint8_t> extensions;
  if (!r.prefixed16(extensions) || !r.empty()) return false;
  Reader exts(extensions);
  bool sawServerName = false;
  bool sawAlpn = false;
  while (!exts.empty()) {
    uint16_t type = 0;
    std::span<const uint8_t> data;
    if (!exts.u16(type) || !exts.prefixed16(data)) return false;
    // Duplicates of the extensions we decide on would let us and the server
    // read different names; GREASE and unknown types are skipped.
    if (type == kExtServerName) {
      if (sawServerName || !parseServerName(data, info)) return false;
      sawServerName = true;
    } else if (type == kExtAlpn) {
      if (sawAlpn || !parseAlpn(data, info)) return false;
      sawAlpn = true;
    }
  }
  return true;
}

}  // namespace

HelloParse parseClientHello(std::span<const uint8_t> data) {
  if (data.empty()) return make(HelloStatus::NeedMore, kRecordHeaderBytes + kMinHello);
  // SSLv2-compatible hellos start with a length byte that has the top bit set.
  if (data[0] != kContentHandshake) return make(HelloStatus::NotTls);
  if (data.size() >= 2 && data[1] != 0x03) return make(HelloStatus::NotTls);

  std::vector<uint8_t> handshake;  // the hello's bytes, records stripped
  size_t helloBytes = 0;           // 4 + handshake length, once known
  size_t pos = 0;                  // start of the next record

  // Reads the handshake header as soon as it is in; fails on anything that is
  // not a ClientHello of an acceptable size.
  auto learnLength = [&]() {
    if (!handshake.empty() && handshake[0] != kHandshakeClientHello) return false;
    if (helloBytes != 0 || handshake.size() < kHandshakeHeaderBytes) return true;
    size_t bodyBytes = size_t{handshake[1]} << 16 | size_t{handshake[2]} << 8 | handshake[3];
    helloBytes = kHandshakeHeaderBytes + bodyBytes;
    return bodyBytes >= kMinHelloBody && helloBytes <= kMaxClientHelloBytes;
  };
  // Handshake bytes still missing once `have` of them are in.
  auto missing = [&](size_t have) {
    size_t want = helloBytes != 0 ? helloBytes : kMinHello;
    return want > have ? want - have : 0;
  };
  auto needMore = [&](size_t needed) {
    if (needed > kMaxClientHelloBytes) return make(HelloStatus::Malformed);
    return make(HelloStatus::NeedMore, needed);
  };

  while (helloBytes == 0 || handshake.size() < helloBytes) {
    if (data.size() < pos + kRecordHeaderBytes) {
      // Check what there is of the next header: a hello does not change
      // record type or protocol half way.
      if (pos < data.size() && data[pos] != kContentHandshake) return make(HelloStatus::Malformed);
      if (pos + 1 < data.size() && data[pos + 1] != 0x03) return make(HelloStatus::Malformed);
      return needMore(pos + recordBytesFor(missing(handshake.size())));
    }
    if (data[pos] != kContentHandshake || data[pos + 1] != 0x03) return make(HelloStatus::Malformed);
    size_t recordLength = size_t{data[pos + 3]} << 8 | data[pos + 4];
    // Zero-length handshake fragments are forbidden (RFC 8446 5.1).
    if (recordLength == 0 || recordLength > kMaxRecordPayload) return make(HelloStatus::Malformed);
    size_t payloadStart = pos + kRecordHeaderBytes;
    size_t recordEnd = payloadStart + recordLength;
    if (recordEnd > kMaxClientHelloBytes) return make(HelloStatus::Malformed);

    size_t available = std::min(data.size(), recordEnd) - payloadStart;
    handshake.insert(handshake.end(), data.begin() + payloadStart, data.begin() + payloadStart + available);
    if (!learnLength()) return make(HelloStatus::Malformed);
    if (available < recordLength) {
      // The rest of this record, then whatever the hello still lacks.
      size_t haveAfterRecord = handshake.size() + (recordLength - available);
      return needMore(recordEnd + recordBytesFor(missing(haveAfterRecord)));
    }
    pos = recordEnd;
  }

  HelloParse result = make(HelloStatus::Complete);
  std::span<const uint8_t> body(handshake.data() + kHandshakeHeaderBytes, helloBytes - kHandshakeHeaderBytes);
  if (!parseHelloBody(body, result.info)) return make(HelloStatus::Malformed);
  result.info.bytesConsumed = pos;
  return result;
}

}  // namespace warden::proxy
