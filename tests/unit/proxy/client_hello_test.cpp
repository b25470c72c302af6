#include "proxy/client_hello.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <fstream>
#include <iterator>
#include <random>

namespace warden::proxy {
namespace {

using Bytes = std::vector<uint8_t>;

// ---- real hellos, written by OpenSSL into a memory BIO ----

struct ClientOptions {
  std::string serverName;
  std::vector<std::string> alpn;
  size_t paddingExtensionBytes = 0;  // an unknown extension of this size
  unsigned maxSendFragment = 0;      // let OpenSSL itself split the records
  int maxVersion = 0;
};

int addPadding(SSL*, unsigned int, unsigned int, const unsigned char** out, size_t* outLength, X509*, size_t, int*,
               void* arg) {
  const auto* padding = static_cast<const Bytes*>(arg);
  *out = padding->data();
  *outLength = padding->size();
  return 1;
}

void freePadding(SSL*, unsigned int, unsigned int, const unsigned char*, void*) {}

Bytes opensslHello(const ClientOptions& options) {
  Bytes padding(options.paddingExtensionBytes, 0x5a);
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  EXPECT_TRUE(ctx);
  if (options.paddingExtensionBytes > 0) {
    EXPECT_EQ(SSL_CTX_add_custom_ext(ctx.get(), 0xfe77, SSL_EXT_CLIENT_HELLO, addPadding, freePadding, &padding,
                                     nullptr, nullptr),
              1);
  }
  if (options.maxSendFragment) SSL_CTX_set_max_send_fragment(ctx.get(), options.maxSendFragment);
  if (options.maxVersion) SSL_CTX_set_max_proto_version(ctx.get(), options.maxVersion);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl.get(), in, out);
  if (!options.serverName.empty()) SSL_set_tlsext_host_name(ssl.get(), options.serverName.c_str());
  if (!options.alpn.empty()) {
    Bytes wire;
    for (const auto& p : options.alpn) {
      wire.push_back(static_cast<uint8_t>(p.size()));
      wire.insert(wire.end(), p.begin(), p.end());
    }
    EXPECT_EQ(SSL_set_alpn_protos(ssl.get(), wire.data(), static_cast<unsigned>(wire.size())), 0);
  }
  EXPECT_EQ(SSL_connect(ssl.get()), -1);  // waits for a ServerHello that never comes
  char* data = nullptr;
  long n = BIO_get_mem_data(out, &data);
  return Bytes(data, data + n);
}

// ---- synthetic hellos, for what no real client sends ----

void put16(Bytes& b, size_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}

void append(Bytes& b, const Bytes& more) { b.insert(b.end(), more.begin(), more.end()); }

struct Extension {
  uint16_t type;
  Bytes data;
};

Bytes sniData(const std::vector<std::pair<uint8_t, std::string>>& names) {
  Bytes list;
  for (const auto& [type, name] : names) {
    list.push_back(type);
    put16(list, name.size());
    list.insert(list.end(), name.begin(), name.end());
  }
  Bytes data;
  put16(data, list.size());
  append(data, list);
  return data;
}

Extension sni(const std::string& name) { return {0, sniData({{0, name}})}; }

Extension alpn(const std::vector<std::string>& protocols) {
  Bytes list;
  for (const auto& p : protocols) {
    list.push_back(static_cast<uint8_t>(p.size()));
    list.insert(list.end(), p.begin(), p.end());
  }
  Bytes data;
  put16(data, list.size());
  append(data, list);
  return {16, data};
}

// ClientHello handshake message; nullopt extensions = legacy hello without
// an extensions block.
Bytes helloMessage(const std::optional<std::vector<Extension>>& extensions) {
  Bytes body = {0x03, 0x03};
  body.resize(body.size() + 32, 0xab);  // random
  body.push_back(32);                   // session id
  body.resize(body.size() + 32, 0xcd);
  append(body, {0x00, 0x04, 0x13, 0x01, 0x13, 0x02});  // cipher suites
  append(body, {0x01, 0x00});                          // compression: null
  if (extensions) {
    Bytes block;
    for (const auto& e : *extensions) {
      put16(block, e.type);
      put16(block, e.data.size());
      append(block, e.data);
    }
    put16(body, block.size());
    append(body, block);
  }
  Bytes message = {0x01, static_cast<uint8_t>(body.size() >> 16), static_cast<uint8_t>(body.size() >> 8),
                   static_cast<uint8_t>(body.size())};
  append(message, body);
  return message;
}

// Wraps handshake bytes in records of at most `fragment` bytes each.
Bytes inRecords(const Bytes& handshake, size_t fragment = 16384) {
  Bytes out;
  for (size_t pos = 0; pos < handshake.size(); pos += fragment) {
    size_t n = std::min(fragment, handshake.size() - pos);
    append(out, {0x16, 0x03, 0x01});
    put16(out, n);
    out.insert(out.end(), handshake.begin() + pos, handshake.begin() + pos + n);
  }
  return out;
}

// The handshake bytes carried by well-formed records.
Bytes stripRecords(const Bytes& records) {
  Bytes out;
  for (size_t pos = 0; pos + 5 <= records.size();) {
    size_t n = size_t{records[pos + 3]} << 8 | records[pos + 4];
    out.insert(out.end(), records.begin() + pos + 5, records.begin() + pos + 5 + n);
    pos += 5 + n;
  }
  return out;
}

size_t countRecords(const Bytes& records) {
  size_t count = 0;
  for (size_t pos = 0; pos + 5 <= records.size(); pos += 5 + (size_t{records[pos + 3]} << 8 | records[pos + 4])) {
    ++count;
  }
  return count;
}

Bytes readFixture(const std::string& name) {
  std::ifstream in(std::string(WARDEN_TEST_FIXTURES) + "/tls/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

HelloParse parse(const Bytes& b) { return parseClientHello(b); }

HelloParse parsePrefix(const Bytes& b, size_t n) { return parseClientHello(std::span(b.data(), n)); }

// A caller that, as the proxy does, waits for neededBytes before retrying.
// Returns how many reads it took to finish, or 0 if it went wrong.
size_t readsToComplete(const Bytes& wire) {
  size_t have = 0;
  for (size_t reads = 1; reads <= wire.size() + 1; ++reads) {
    HelloParse p = parsePrefix(wire, have);
    if (p.status == HelloStatus::Complete) return reads;
    if (p.status != HelloStatus::NeedMore || p.neededBytes <= have) return 0;
    have = std::min(p.neededBytes, wire.size());
  }
  return 0;
}

// ---- tests ----

TEST(ClientHello, ReadsSniAndAlpnFromOpenSslHello) {
  Bytes wire = opensslHello({.serverName = "API.OpenAI.com", .alpn = {"h2", "http/1.1"}});
  HelloParse p = parse(wire);
  ASSERT_EQ(p.status, HelloStatus::Complete);
  EXPECT_EQ(p.info.serverName, "api.openai.com");
  EXPECT_EQ(p.info.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(p.info.bytesConsumed, wire.size());
}

TEST(ClientHello, ReadsTls12OnlyHello) {
  Bytes wire = opensslHello({.serverName = "api.anthropic.com", .maxVersion = TLS1_2_VERSION});
  HelloParse p = parse(wire);
  ASSERT_EQ(p.status, HelloStatus::Complete);
  EXPECT_EQ(p.info.serverName, "api.anthropic.com");
  EXPECT_TRUE(p.info.alpn.empty());
}

TEST(ClientHello, HelloWithoutSniHasNoServerName) {
  HelloParse p = parse(opensslHello({}));
  ASSERT_EQ(p.status, HelloStatus::Complete);
  EXPECT_FALSE(p.info.serverName.has_value());
  EXPECT_TRUE(p.info.alpn.empty());
}

TEST(ClientHello, ReadsRecordedCurlAndNodeHellos) {
  HelloParse curl = parse(readFixture("curl_openai.bin"));
  ASSERT_EQ(curl.status, HelloStatus::Complete);
  EXPECT_EQ(curl.info.serverName, "api.openai.com");
  EXPECT_EQ(curl.info.alpn, (std::vector<std::string>{"h2", "http/1.1"}));

  HelloParse node = parse(readFixture("node_anthropic.bin"));
  ASSERT_EQ(node.status, HelloStatus::Complete);
  EXPECT_EQ(node.info.serverName, "api.anthropic.com");
  EXPECT_EQ(node.info.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
}

TEST(ClientHello, StopsAtTheEndOfTheHelloRecords) {
  Bytes wire = opensslHello({.serverName = "api.openai.com"});
  size_t helloSize = wire.size();
  append(wire, {0x17, 0x03, 0x03, 0x00, 0x02, 0xde, 0xad});  // early data the parser must not claim
  HelloParse p = parse(wire);
  ASSERT_EQ(p.status, HelloStatus::Complete);
  EXPECT_EQ(p.info.bytesConsumed, helloSize);
}

TEST(ClientHello, LargeHelloSpansSeveralRecords) {
  Bytes wire = opensslHello({.serverName = "api.openai.com", .alpn = {"http/1.1"}, .paddingExtensionBytes = 20000});
  ASSERT_GE(countRecords(wire), 2u);
  ASSERT_GT(wire.size(), 20000u);
  HelloParse p = parse(wire);
  ASSERT_EQ(p.status, HelloStatus::Complete);
  EXPECT_EQ(p.info.serverName, "api.openai.com");
  EXPECT_EQ(p.info.alpn, std::vector<std::string>{"http/1.1"});
  EXPECT_EQ(p.info.bytesConsumed, wire.size());
}

TEST(ClientHello, ReadsHelloThatOpenSslFragmentedItself) {
  // Pad past one 512-byte record so OpenSSL must split the message.
  Bytes wire = opensslHello({.serverName = "api.openai.com", .paddingExtensionBytes = 3000, .maxSendFragment = 512});
  ASSERT_GE(countRecords(wire), 6u);
  HelloParse p = parse(wire);
  ASSERT_EQ(p.status, HelloStatus::Complete);
  EXPECT_EQ(p.info.serverName, "api.openai.com");
}

TEST(ClientHello, ReadsHelloRefragmentedIntoAnyRecordSize) {
  Bytes handshake = stripRecords(opensslHello({.serverName = "api.mistral.ai", .alpn = {"http/1.1"}}));
  for (size_t fragment : {1u, 2u, 3u, 4u, 5u, 7u, 100u, 1000u}) {
    Bytes wire = inRecords(handshake, fragment);
    HelloParse p = parse(wire);
    ASSERT_EQ(p.status, HelloStatus::Complete) << "fragment " << fragment;
    EXPECT_EQ(p.info.serverName, "api.mistral.ai");
    EXPECT_EQ(p.info.alpn, std::vector<std::string>{"http/1.1"});
    EXPECT_EQ(p.info.bytesConsumed, wire.size());
  }
}

TEST(ClientHello, EveryPrefixNeedsMoreWithAUsableCount) {
  Bytes handshake = stripRecords(opensslHello({.serverName = "api.openai.com", .paddingExtensionBytes = 17000}));
  std::vector<Bytes> wires = {
      opensslHello({.serverName = "api.openai.com", .alpn = {"h2", "http/1.1"}}),
      opensslHello({.serverName = "api.openai.com", .paddingExtensionBytes = 17000}),
      inRecords(handshake, 7000),
      inRecords(stripRecords(readFixture("curl_openai.bin")), 3),
  };
  for (const Bytes& wire : wires) {
    SCOPED_TRACE("hello of " + std::to_string(wire.size()) + " bytes");
    for (size_t n = 0; n < wire.size(); ++n) {
      HelloParse p = parsePrefix(wire, n);
      ASSERT_EQ(p.status, HelloStatus::NeedMore) << "prefix " << n;
      ASSERT_GT(p.neededBytes, n) << "prefix " << n;
      ASSERT_LE(p.neededBytes, wire.size()) << "prefix " << n;
    }
    // Waiting for exactly neededBytes costs about one read per record.
    size_t reads = readsToComplete(wire);
    EXPECT_GE(reads, 2u);
    EXPECT_LE(reads, countRecords(wire) + 2);
  }
}

TEST(ClientHello, EmptyInputAsksForARecordHeaderAndMore) {
  HelloParse p = parseClientHello({});
  EXPECT_EQ(p.status, HelloStatus::NeedMore);
  EXPECT_GT(p.neededBytes, 5u);
}

TEST(ClientHello, TruncatedHelloNeedsMore) {
  Bytes wire = opensslHello({.serverName = "api.openai.com", .paddingExtensionBytes = 20000});
  HelloParse p = parsePrefix(wire, wire.size() - 1);
  EXPECT_EQ(p.status, HelloStatus::NeedMore);
  EXPECT_EQ(p.neededBytes, wire.size());
  // One whole record of two: the handshake header says how much is missing.
  size_t firstRecord = 5 + (size_t{wire[3]} << 8 | wire[4]);
  p = parsePrefix(wire, firstRecord);
  EXPECT_EQ(p.status, HelloStatus::NeedMore);
  EXPECT_EQ(p.neededBytes, wire.size());
}

TEST(ClientHello, NonTlsBytesAreNotTls) {
  for (std::string text : {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "SSH-2.0-OpenSSH_9.2\r\n", "\x17\x03\x03"}) {
    Bytes b(text.begin(), text.end());
    EXPECT_EQ(parse(b).status, HelloStatus::NotTls) << text;
  }
  // SSLv2-compatible ClientHello: two-byte length with the top bit set.
  Bytes sslv2 = {0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10};
  EXPECT_EQ(parse(sslv2).status, HelloStatus::NotTls);
  // A handshake byte followed by a protocol version that is not 3.x.
  EXPECT_EQ(parse(Bytes{0x16, 0x02}).status, HelloStatus::NotTls);
  EXPECT_EQ(parse(Bytes{0x16, 0xfe, 0xfd, 0x00, 0x10}).status, HelloStatus::NotTls);  // DTLS
}

TEST(ClientHello, OtherHandshakeMessagesAreMalformed) {
  Bytes message = helloMessage(std::vector<Extension>{sni("a.example")});
  message[0] = 0x02;  // ServerHello
  EXPECT_EQ(parse(inRecords(message)).status, HelloStatus::Malformed);
  // Detected from the first handshake byte, before the rest arrives.
  EXPECT_EQ(parsePrefix(inRecords(message), 6).status, HelloStatus::Malformed);
}

TEST(ClientHello, RecordTypeChangeMidHelloIsMalformed) {
  Bytes wire = inRecords(stripRecords(opensslHello({.serverName = "api.openai.com"})), 100);
  Bytes changed = wire;
  changed[105] = 0x17;  // second record claims to be application data
  EXPECT_EQ(parse(changed).status, HelloStatus::Malformed);
  // Even when only the first byte of that record has arrived.
  EXPECT_EQ(parsePrefix(changed, 106).status, HelloStatus::Malformed);
  Bytes alert = wire;
  alert[105] = 0x15;
  EXPECT_EQ(parse(alert).status, HelloStatus::Malformed);
  Bytes version = wire;
  version[106] = 0x04;
  EXPECT_EQ(parse(version).status, HelloStatus::Malformed);
}

TEST(ClientHello, LyingLengthsAreMalformed) {
  Bytes message = helloMessage(std::vector<Extension>{sni("api.openai.com"), alpn({"http/1.1"})});
  Bytes good = inRecords(message);
  ASSERT_EQ(parse(good).status, HelloStatus::Complete);

  // Handshake length shorter than the body: the extensions overrun it.
  Bytes shortHandshake = good;
  shortHandshake[8] -= 1;
  EXPECT_EQ(parse(shortHandshake).status, HelloStatus::Malformed);

  // Offsets into the synthetic body (record 5 + handshake 4 + version 2 +
  // random 32 + session id 33 + suites 6 + compression 2).
  const size_t extensionsLength = 5 + 4 + 2 + 32 + 33 + 6 + 2;
  Bytes longExtensions = good;
  longExtensions[extensionsLength + 1] += 1;
  EXPECT_EQ(parse(longExtensions).status, HelloStatus::Malformed);
  Bytes shortExtensions = good;
  shortExtensions[extensionsLength + 1] -= 1;
  EXPECT_EQ(parse(shortExtensions).status, HelloStatus::Malformed);

  const size_t sniExtensionLength = extensionsLength + 2 + 2;
  Bytes longSni = good;
  longSni[sniExtensionLength + 1] += 1;
  EXPECT_EQ(parse(longSni).status, HelloStatus::Malformed);
  Bytes longSniList = good;
  longSniList[sniExtensionLength + 3] += 1;
  EXPECT_EQ(parse(longSniList).status, HelloStatus::Malformed);
  Bytes longName = good;
  longName[sniExtensionLength + 6] += 1;
  EXPECT_EQ(parse(longName).status, HelloStatus::Malformed);

  Bytes hugeSessionId = good;
  hugeSessionId[5 + 4 + 2 + 32] = 0xff;
  EXPECT_EQ(parse(hugeSessionId).status, HelloStatus::Malformed);
  Bytes oddSuites = good;
  oddSuites[5 + 4 + 2 + 32 + 33 + 1] = 3;
  EXPECT_EQ(parse(oddSuites).status, HelloStatus::Malformed);
}

TEST(ClientHello, BadRecordLengthsAreMalformed) {
  Bytes wire = inRecords(helloMessage(std::vector<Extension>{sni("a.example")}));
  Bytes empty = {0x16, 0x03, 0x01, 0x00, 0x00};
  append(empty, wire);
  EXPECT_EQ(parse(empty).status, HelloStatus::Malformed);
  Bytes oversize = {0x16, 0x03, 0x01, 0x40, 0x01};  // 2^14 + 1
  EXPECT_EQ(parse(oversize).status, HelloStatus::Malformed);
}

TEST(ClientHello, HelloLargerThanTheLimitIsMalformed) {
  // The handshake header alone announces more than we buffer.
  Bytes announced = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x01, 0x00, 0x00};
  EXPECT_EQ(parse(announced).status, HelloStatus::Malformed);

  // A legal-looking hello whose records add up to more than the limit.
  Extension big{0xfe77, Bytes(40000, 0x5a)};
  Bytes wire = inRecords(helloMessage(std::vector<Extension>{sni("a.example"), big}), 5);
  ASSERT_GT(wire.size(), kMaxClientHelloBytes);
  EXPECT_EQ(parse(wire).status, HelloStatus::Malformed);
  // ...and says so once the limit is buffered, never asking for more.
  EXPECT_EQ(parsePrefix(wire, kMaxClientHelloBytes).status, HelloStatus::Malformed);
  for (size_t n = 0; n < kMaxClientHelloBytes; n += 997) {
    HelloParse p = parsePrefix(wire, n);
    if (p.status == HelloStatus::NeedMore) {
      EXPECT_LE(p.neededBytes, kMaxClientHelloBytes);
    }
  }

  Bytes fits = inRecords(helloMessage(std::vector<Extension>{sni("a.example"), big}));
  EXPECT_EQ(parse(fits).status, HelloStatus::Complete);
}

TEST(ClientHello, ServerNamesAreValidatedAndLowercased) {
  auto nameOf = [](const std::string& name) { return parse(inRecords(helloMessage(std::vector{sni(name)}))); };
  EXPECT_EQ(nameOf("API.Example.COM").info.serverName, "api.example.com");
  EXPECT_EQ(nameOf("api.example.com.").info.serverName, "api.example.com");
  EXPECT_EQ(nameOf("my_service.internal").info.serverName, "my_service.internal");
  for (const std::string& bad :
       {std::string("api.openai.com\0.evil.example", 29), std::string(""), std::string("a..b"), std::string(".a"),
        std::string("a b"), std::string("a/b"), std::string("a:443"), std::string("\xc3\xa9.example"),
        std::string(64, 'a') + ".b", std::string(254, 'a'), std::string(".."), std::string("a..")}) {
    EXPECT_EQ(nameOf(bad).status, HelloStatus::Malformed) << bad;
  }
}

TEST(ClientHello, AmbiguousServerNamesAreMalformed) {
  EXPECT_EQ(parse(inRecords(helloMessage(std::vector{sni("a.example"), sni("b.example")}))).status,
            HelloStatus::Malformed);
  Extension twoNames{0, sniData({{0, "a.example"}, {0, "b.example"}})};
  EXPECT_EQ(parse(inRecords(helloMessage(std::vector{twoNames}))).status, HelloStatus::Malformed);
  Extension emptyList{0, {0x00, 0x00}};
  EXPECT_EQ(parse(inRecords(helloMessage(std::vector{emptyList}))).status, HelloStatus::Malformed);
  // A name type other than host_name is skipped, not taken as the name.
  Extension otherType{0, sniData({{7, "opaque"}})};
  HelloParse p = parse(inRecords(helloMessage(std::vector{otherType})));
  ASSERT_EQ(p.status, HelloStatus::Complete);
  EXPECT_FALSE(p.info.serverName);
}

TEST(ClientHello, AlpnListsAreValidated) {
  HelloParse p = parse(inRecords(helloMessage(std::vector{alpn({"\x0a\x0a", "h2", "http/1.1"})})));
  ASSERT_EQ(p.status, HelloStatus::Complete);
  EXPECT_EQ(p.info.alpn, (std::vector<std::string>{"\x0a\x0a", "h2", "http/1.1"}));
  EXPECT_EQ(parse(inRecords(helloMessage(std::vector{alpn({})}))).status, HelloStatus::Malformed);
  EXPECT_EQ(parse(inRecords(helloMessage(std::vector{alpn({"h2", ""})}))).status, HelloStatus::Malformed);
  EXPECT_EQ(parse(inRecords(helloMessage(std::vector{alpn({"h2"}), alpn({"http/1.1"})}))).status,
            HelloStatus::Malformed);
  Extension overrun{16, {0x00, 0x03, 0x05, 'h', '2'}};
  EXPECT_EQ(parse(inRecords(helloMessage(std::vector{overrun}))).status, HelloStatus::Malformed);
}

// Shaped like a current browser hello: GREASE, a post-quantum key share that
// pushes it past one TCP segment, ECH-like and unknown extensions.
TEST(ClientHello, SkipsGreaseAndUnknownExtensions) {
  std::vector<Extension> extensions = {
      {0x0a0a, {}},
      sni("chatgpt.com"),
      {0x0033, Bytes(1250, 0x42)},  // key_share with X25519MLKEM768
      {0xfe0d, Bytes(250, 0x17)},   // encrypted_client_hello
      alpn({"h2", "http/1.1"}),
      {0x4469, {0x00, 0x03, 0x02, 'h', '2'}},
      {0x1a1a, {0x00}},
  };
  Bytes wire = inRecords(helloMessage(extensions));
  ASSERT_GT(wire.size(), 1460u);
  HelloParse p = parse(wire);
  ASSERT_EQ(p.status, HelloStatus::Complete);
  EXPECT_EQ(p.info.serverName, "chatgpt.com");
  EXPECT_EQ(p.info.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  // Split the way a 1460-byte MSS splits it: the first read is not enough.
  HelloParse first = parsePrefix(wire, 1460);
  EXPECT_EQ(first.status, HelloStatus::NeedMore);
  EXPECT_EQ(first.neededBytes, wire.size());
}

TEST(ClientHello, LegacyHelloWithoutExtensionsIsComplete) {
  HelloParse p = parse(inRecords(helloMessage(std::nullopt)));
  ASSERT_EQ(p.status, HelloStatus::Complete);
  EXPECT_FALSE(p.info.serverName);
  EXPECT_TRUE(p.info.alpn.empty());
}

TEST(ClientHello, TrailingBytesInsideTheHelloAreMalformed) {
  Bytes message = helloMessage(std::vector{sni("a.example")});
  message.push_back(0x00);
  message[3] += 1;  // the handshake length covers the stray byte
  EXPECT_EQ(parse(inRecords(message)).status, HelloStatus::Malformed);
}

// Cheap in-process fuzzing of real hellos; the libFuzzer target goes further.
TEST(ClientHello, MutatedHellosKeepTheInvariants) {
  std::vector<Bytes> seeds = {opensslHello({.serverName = "api.openai.com", .alpn = {"h2", "http/1.1"}}),
                              inRecords(stripRecords(readFixture("node_anthropic.bin")), 50)};
  std::mt19937 rng(12345);
  for (int i = 0; i < 20000; ++i) {
    Bytes b = seeds[i % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !b.empty(); ++e) {
      size_t at = rng() % b.size();
      switch (rng() % 3) {
        case 0:
          b[at] = static_cast<uint8_t>(rng());
          break;
        case 1:
          b.erase(b.begin() + static_cast<long>(at));
          break;
        default:
          b.resize(at + 1);
          break;
      }
    }
    HelloParse p = parse(b);
    if (p.status == HelloStatus::NeedMore) {
      ASSERT_GT(p.neededBytes, b.size());
      ASSERT_LE(p.neededBytes, kMaxClientHelloBytes);
    }
    if (p.status == HelloStatus::Complete) {
      ASSERT_LE(p.info.bytesConsumed, b.size());
      if (p.info.serverName) {
        ASSERT_FALSE(p.info.serverName->empty());
      }
    }
  }
}

}  // namespace
}  // namespace warden::proxy
