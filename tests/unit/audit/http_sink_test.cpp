#include "layers/audit/sinks/http_sink.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "layers/audit/hash_chain.h"
#include "layers/audit/sinks/sink_factory.h"
#include "layers/audit/sinks/sink_runner.h"
#include "loopback_receiver.h"
#include "sink_test_support.h"

namespace warden::audit {
namespace {

using namespace std::chrono_literals;
using test::appendBytes;
using test::LoopbackReceiver;
using test::ReceivedRequest;
using test::ScriptedReply;
using test::SpoolWriter;
using test::TempDir;
using test::TestCa;

SinkConfig httpConfig(const std::string& url, HttpFormat format) {
  SinkConfig config;
  config.name = "remote";
  config.type = SinkType::Http;
  config.url = url;
  config.format = format;
  config.timeout = 2000ms;
  return config;
}

std::string local(const LoopbackReceiver& receiver, const std::string& path = "") {
  return "http://127.0.0.1:" + std::to_string(receiver.port()) + path;
}

std::unique_ptr<HttpSink> makeHttpSink(const SinkConfig& config) {
  auto sink = HttpSink::create(config);
  EXPECT_TRUE(sink.ok()) << sink.error().message;
  return sink.ok() ? std::move(sink.value()) : nullptr;
}

Status deliver(Sink& sink, const std::vector<std::string>& lines) {
  const std::vector<std::string_view> views(lines.begin(), lines.end());
  return sink.deliver(views);
}

std::string hostName() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

std::string jsonString(const std::string& text) { return nlohmann::json(text).dump(); }

ScriptedReply bulkReply(const std::vector<int>& statuses) {
  nlohmann::json items = nlohmann::json::array();
  bool errors = false;
  for (int status : statuses) {
    nlohmann::json result = {{"_index", "warden"}, {"status", status}};
    if (status >= 300) {
      errors = true;
      result["error"] = status == 409
                            ? nlohmann::json{{"type", "version_conflict_engine_exception"}, {"reason", "exists"}}
                            : nlohmann::json{{"type", "mapper_parsing_exception"}, {"reason", "failed to parse"}};
    }
    items.push_back({{"create", result}});
  }
  return ScriptedReply{200, nlohmann::json{{"took", 3}, {"errors", errors}, {"items", items}}.dump()};
}

const std::string kCheckpoint =
    "{\"checkpoint\":{\"head\":\"ab\",\"key\":\"k1\",\"seq\":1,\"signature\":\"c2ln\"},\"host\":\"h1\",\"schema\":"
    "\"warden.event/v1\",\"time\":\"2026-01-02T03:04:06Z\",\"type\":\"checkpoint\",\"chain\":{\"prev\":\"cd\","
    "\"seq\":2}}";

// ---- Elasticsearch -------------------------------------------------------

TEST(HttpSinkTest, ElasticsearchBulkBodyIsNdjsonWithCreateActionsAndStableIds) {
  TempDir dir;
  LoopbackReceiver receiver([](const ReceivedRequest&, int) { return bulkReply({201, 201, 201}); });
  appendBytes(dir.path() + "/auth", "  ApiKey c2VjcmV0 \n");
  SinkConfig config = httpConfig(local(receiver), HttpFormat::Elasticsearch);
  config.index = "warden-audit";
  config.authorizationFile = dir.path() + "/auth";
  auto sink = makeHttpSink(config);
  ASSERT_TRUE(sink);
  EXPECT_EQ(sink->describe(), "http elasticsearch http://127.0.0.1:" + std::to_string(receiver.port()) + "/_bulk");

  SpoolWriter writer(dir.path());
  const std::vector<std::string> lines{writer.nextLine(), writer.nextLine(), kCheckpoint};
  Status delivered = deliver(*sink, lines);
  ASSERT_TRUE(delivered.ok()) << delivered.error().message;

  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/_bulk");
  EXPECT_EQ(requests[0].host, "127.0.0.1:" + std::to_string(receiver.port()));
  EXPECT_EQ(requests[0].contentType, "application/x-ndjson");
  EXPECT_EQ(requests[0].authorization, "ApiKey c2VjcmV0");
  const std::string expected = "{\"create\":{\"_index\":\"warden-audit\",\"_id\":\"id-0\"}}\n" + lines[0] + "\n" +
                               "{\"create\":{\"_index\":\"warden-audit\",\"_id\":\"id-1\"}}\n" + lines[1] + "\n" +
                               "{\"create\":{\"_index\":\"warden-audit\",\"_id\":\"" + toHex(sha256Of(kCheckpoint)) +
                               "\"}}\n" + kCheckpoint + "\n";
  EXPECT_EQ(requests[0].body, expected);
}

TEST(HttpSinkTest, ElasticsearchConflictsCountAsDeliveredOtherItemErrorsFailTheBatch) {
  LoopbackReceiver receiver([](const ReceivedRequest&, int number) {
    return number == 1 ? bulkReply({201, 400, 409}) : bulkReply({409, 201, 409});
  });
  auto sink = makeHttpSink(httpConfig(local(receiver, "/_bulk"), HttpFormat::Elasticsearch));
  ASSERT_TRUE(sink);
  SpoolWriter writer("/nonexistent");
  const std::vector<std::string> lines{writer.nextLine(), writer.nextLine(), writer.nextLine()};

  Status first = deliver(*sink, lines);
  ASSERT_FALSE(first.ok());
  EXPECT_NE(first.error().message.find("refused 1 of 3"), std::string::npos) << first.error().message;
  EXPECT_NE(first.error().message.find("mapper_parsing_exception"), std::string::npos) << first.error().message;

  Status retried = deliver(*sink, lines);
  EXPECT_TRUE(retried.ok()) << retried.error().message;
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].body, requests[1].body);  // the same batch, the same ids
}

TEST(HttpSinkTest, AReplyThatIsNotABulkResponseIsAnError) {
  LoopbackReceiver receiver([](const ReceivedRequest&, int) { return ScriptedReply{200, "{\"name\":\"node-1\"}"}; });
  auto sink = makeHttpSink(httpConfig(local(receiver, "/"), HttpFormat::Elasticsearch));
  ASSERT_TRUE(sink);
  Status delivered = deliver(*sink, {"{\"id\":\"a\"}"});
  ASSERT_FALSE(delivered.ok());
  EXPECT_NE(delivered.error().message.find("_bulk"), std::string::npos) << delivered.error().message;
}

// A receiver with Elasticsearch's create semantics, failing on demand; the
// runner must end with every line indexed exactly once, in spool order.
TEST(HttpSinkTest, RunnerAndElasticsearchIndexEveryLineOnceThroughFailures) {
  TempDir dir;
  std::mutex mutex;
  std::map<std::string, std::string> index;
  std::vector<std::string> order;
  LoopbackReceiver receiver([&](const ReceivedRequest& request, int number) {
    if (number <= 2) return ScriptedReply{503, "{\"error\":\"unavailable\"}"};
    std::vector<int> statuses;
    std::istringstream body(request.body);
    std::string action, document;
    std::lock_guard lock(mutex);
    while (std::getline(body, action) && std::getline(body, document)) {
      const std::string id = nlohmann::json::parse(action)["create"]["_id"];
      const bool inserted = index.emplace(id, document).second;
      if (inserted) order.push_back(id);
      // Request 4 indexes its items, then one of them fails.
      statuses.push_back(number == 4 && statuses.empty() ? 429 : inserted ? 201 : 409);
    }
    if (number == 3) return ScriptedReply{500, "lost the reply after indexing"};
    return bulkReply(statuses);
  });

  SpoolWriter writer(dir.path());
  std::vector<std::string> all;
  for (uint64_t segment = 1; segment <= 3; ++segment) {
    const auto lines = writer.append(segment, 25);
    all.insert(all.end(), lines.begin(), lines.end());
  }
  SpoolCursors cursors;
  SinkRunnerOptions options;
  options.batchEvents = 10;
  options.initialBackoff = 1ms;
  options.maxBackoff = 5ms;
  options.pollInterval = 20ms;
  SinkRunner runner("es", makeHttpSink(httpConfig(local(receiver), HttpFormat::Elasticsearch)), dir.path(), cursors,
                    options);
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (runner.status().position != SpoolPosition{3, std::filesystem::file_size(segmentPath(dir.path(), 3))} &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  runner.stop();
  EXPECT_EQ(runner.status().failures, 4u);
  std::lock_guard lock(mutex);
  ASSERT_EQ(order.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(order[i], "id-" + std::to_string(i));
    EXPECT_EQ(index.at(order[i]), all[i]);
  }
}

// ---- Splunk and Loki -------------------------------------------------------

TEST(HttpSinkTest, SplunkBodyIsOneEventObjectPerLine) {
  TempDir dir;
  LoopbackReceiver receiver([](const ReceivedRequest&, int number) {
    if (number == 1) return ScriptedReply{200, "{\"text\":\"Success\",\"code\":0}"};
    if (number == 2) return ScriptedReply{200, "{\"text\":\"Server is busy\",\"code\":9}"};
    return ScriptedReply{400, "{\"text\":\"Invalid token\",\"code\":4}"};
  });
  appendBytes(dir.path() + "/token", "Splunk 1234-abcd\n");
  SinkConfig config = httpConfig(local(receiver), HttpFormat::Splunk);
  config.authorizationFile = dir.path() + "/token";
  auto sink = makeHttpSink(config);
  ASSERT_TRUE(sink);
  const std::vector<std::string> lines{
      "{\"host\":\"h1\",\"id\":\"a\",\"time\":\"2026-11-23T04:09:35.300123456Z\",\"type\":\"request\"}",
      "{\"host\":\"h2\",\"id\":\"b\",\"time\":\"2026-11-23T04:09:36Z\",\"type\":\"tunnel\"}"};
  Status delivered = deliver(*sink, lines);
  ASSERT_TRUE(delivered.ok()) << delivered.error().message;
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/services/collector/event");
  EXPECT_EQ(requests[0].contentType, "application/json");
  EXPECT_EQ(requests[0].authorization, "Splunk 1234-abcd");
  EXPECT_EQ(requests[0].body,
            "{\"time\":1795406975.300,\"host\":\"h1\",\"sourcetype\":\"warden:event\",\"event\":" + lines[0] + "}" +
                "{\"time\":1795406976.000,\"host\":\"h2\",\"sourcetype\":\"warden:event\",\"event\":" + lines[1] + "}");

  Status busy = deliver(*sink, lines);
  ASSERT_FALSE(busy.ok());
  EXPECT_NE(busy.error().message.find("code 9"), std::string::npos) << busy.error().message;
  Status refused = deliver(*sink, lines);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("configuration problem"), std::string::npos) << refused.error().message;
  EXPECT_EQ(refused.error().message.find("1234-abcd"), std::string::npos) << "the token must never show";
}

TEST(HttpSinkTest, SplunkUsesThisMachineForALineWithoutHost) {
  LoopbackReceiver receiver([](const ReceivedRequest&, int) { return ScriptedReply{200, "{\"code\":0}"}; });
  auto sink = makeHttpSink(httpConfig(local(receiver), HttpFormat::Splunk));
  ASSERT_TRUE(sink);
  ASSERT_TRUE(deliver(*sink, {"{\"id\":\"x\",\"time\":\"2026-11-23T05:09:35+01:00\"}"}).ok());
  EXPECT_EQ(receiver.requests().at(0).body, "{\"time\":1795406975.000,\"host\":" + jsonString(hostName()) +
                                                ",\"sourcetype\":\"warden:event\",\"event\":{\"id\":\"x\",\"time\":"
                                                "\"2026-11-23T05:09:35+01:00\"}}");
}

TEST(HttpSinkTest, LokiBodyHasOneStreamPerHostWithNonDecreasingTimes) {
  LoopbackReceiver receiver([](const ReceivedRequest&, int) { return ScriptedReply{204, ""}; });
  auto sink = makeHttpSink(httpConfig(local(receiver), HttpFormat::Loki));
  ASSERT_TRUE(sink);
  const std::vector<std::string> first{
      "{\"host\":\"h1\",\"id\":\"a\",\"note\":\"say \\\"hi\\\"\",\"time\":\"2026-11-23T04:09:35.300123456Z\"}",
      "{\"host\":\"h2\",\"id\":\"b\",\"time\":\"2026-11-23T04:09:36Z\"}",
      // Written by another worker a moment earlier: raised to h1's latest.
      "{\"host\":\"h1\",\"id\":\"c\",\"time\":\"2026-11-23T04:09:35.1Z\"}"};
  Status delivered = deliver(*sink, first);
  ASSERT_TRUE(delivered.ok()) << delivered.error().message;
  const std::vector<std::string> second{"{\"host\":\"h1\",\"id\":\"d\",\"time\":\"2026-11-23T04:09:34Z\"}"};
  ASSERT_TRUE(deliver(*sink, second).ok());

  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].target, "/loki/api/v1/push");
  EXPECT_EQ(requests[0].contentType, "application/json");
  EXPECT_EQ(requests[0].body,
            "{\"streams\":[{\"stream\":{\"job\":\"warden\",\"host\":\"h1\"},\"values\":[[\"1795406975300123456\"," +
                jsonString(first[0]) + "],[\"1795406975300123456\"," + jsonString(first[2]) +
                "]]},{\"stream\":{\"job\":\"warden\",\"host\":\"h2\"},\"values\":[[\"1795406976000000000\"," +
                jsonString(first[1]) + "]]}]}");
  EXPECT_EQ(requests[1].body,
            "{\"streams\":[{\"stream\":{\"job\":\"warden\",\"host\":\"h1\"},\"values\":[[\"1795406975300123456\"," +
                jsonString(second[0]) + "]]}]}");
  // The line itself is the one spooled, byte for byte.
  EXPECT_EQ(nlohmann::json::parse(requests[0].body)["streams"][0]["values"][0][1].get<std::string>(), first[0]);
}

TEST(HttpSinkTest, LokiStatusOtherThan204Or200IsAnError) {
  LoopbackReceiver receiver([](const ReceivedRequest&, int) { return ScriptedReply{202, ""}; });
  auto sink = makeHttpSink(httpConfig(local(receiver), HttpFormat::Loki));
  ASSERT_TRUE(sink);
  EXPECT_FALSE(deliver(*sink, {"{\"id\":\"a\"}"}).ok());
}

// ---- statuses, connections, limits -------------------------------------------

TEST(HttpSinkTest, ServerTroubleAndConfigurationProblemsAreToldApart) {
  const std::vector<unsigned> statuses{503, 500, 408, 429, 401, 403, 404, 301};
  LoopbackReceiver receiver([&](const ReceivedRequest&, int number) {
    return ScriptedReply{statuses.at(static_cast<size_t>(number - 1)), "{\"reason\":\"scripted\"}"};
  });
  auto sink = makeHttpSink(httpConfig(local(receiver), HttpFormat::Elasticsearch));
  ASSERT_TRUE(sink);
  for (unsigned status : statuses) {
    Status delivered = deliver(*sink, {"{\"id\":\"a\"}"});
    ASSERT_FALSE(delivered.ok());
    const std::string& message = delivered.error().message;
    EXPECT_NE(message.find("HTTP " + std::to_string(status)), std::string::npos) << message;
    EXPECT_NE(message.find("scripted"), std::string::npos) << message;
    const bool serverTrouble = status >= 500 || status == 408 || status == 429;
    EXPECT_EQ(message.find("busy or failing") != std::string::npos, serverTrouble) << message;
    EXPECT_EQ(message.find("configuration problem") != std::string::npos, !serverTrouble) << message;
  }
}

TEST(HttpSinkTest, OneKeptAliveConnectionIsReusedAndReplacedWhenTheServerClosesIt) {
  LoopbackReceiver receiver([](const ReceivedRequest&, int number) {
    ScriptedReply reply{200, "{\"code\":0}"};
    reply.closeSilently = number == 3;  // an idle timeout on the server's side
    reply.connectionClose = number == 5;
    return reply;
  });
  auto sink = makeHttpSink(httpConfig(local(receiver), HttpFormat::Splunk));
  ASSERT_TRUE(sink);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(deliver(*sink, {"{\"id\":\"a\"}"}).ok());
  EXPECT_EQ(receiver.connections(), 1);
  // The next delivery finds the connection closed and opens another.
  Status afterClose = deliver(*sink, {"{\"id\":\"b\"}"});
  ASSERT_TRUE(afterClose.ok()) << afterClose.error().message;
  EXPECT_EQ(receiver.connections(), 2);
  ASSERT_TRUE(deliver(*sink, {"{\"id\":\"c\"}"}).ok());  // answered with Connection: close
  ASSERT_TRUE(deliver(*sink, {"{\"id\":\"d\"}"}).ok());
  EXPECT_EQ(receiver.connections(), 3);
  EXPECT_EQ(receiver.requests().size(), 6u);
}

TEST(HttpSinkTest, AServerThatNeverAnswersTimesOut) {
  LoopbackReceiver receiver([](const ReceivedRequest&, int) {
    ScriptedReply reply;
    reply.hang = true;
    return reply;
  });
  SinkConfig config = httpConfig(local(receiver), HttpFormat::Elasticsearch);
  config.timeout = 200ms;
  auto sink = makeHttpSink(config);
  ASSERT_TRUE(sink);
  const auto start = std::chrono::steady_clock::now();
  Status delivered = deliver(*sink, {"{\"id\":\"a\"}"});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(delivered.ok());
  EXPECT_NE(delivered.error().message.find("no reply within 200 ms"), std::string::npos) << delivered.error().message;
  EXPECT_LT(took, 1500ms);
}

TEST(HttpSinkTest, AReplyLargerThanTheLimitIsRefused) {
  LoopbackReceiver receiver([](const ReceivedRequest&, int) {
    return ScriptedReply{200, std::string(HttpClient::kMaxReplyBytes + 1, 'x')};
  });
  auto sink = makeHttpSink(httpConfig(local(receiver), HttpFormat::Splunk));
  ASSERT_TRUE(sink);
  Status delivered = deliver(*sink, {"{\"id\":\"a\"}"});
  ASSERT_FALSE(delivered.ok());
  EXPECT_NE(delivered.error().message.find("larger than"), std::string::npos) << delivered.error().message;
}

TEST(HttpSinkTest, AReceiverThatIsDownIsAConnectionError) {
  uint16_t port = 0;
  {
    LoopbackReceiver gone([](const ReceivedRequest&, int) { return ScriptedReply{}; });
    port = gone.port();
  }
  auto sink = makeHttpSink(httpConfig("http://127.0.0.1:" + std::to_string(port), HttpFormat::Loki));
  ASSERT_TRUE(sink);
  Status delivered = deliver(*sink, {"{\"id\":\"a\"}"});
  ASSERT_FALSE(delivered.ok());
  EXPECT_NE(delivered.error().message.find("connect to 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << delivered.error().message;
}

// ---- TLS ----------------------------------------------------------------------

class HttpSinkTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    caFile_ = dir_.path() + "/ca.pem";
    appendBytes(caFile_, ca_.certPem());
  }
  SinkConfig tlsConfig(const std::string& host, uint16_t port) {
    SinkConfig config = httpConfig("https://" + host + ":" + std::to_string(port), HttpFormat::Splunk);
    config.caFile = caFile_;
    return config;
  }
  static ScriptedReply ok(const ReceivedRequest&, int) { return ScriptedReply{200, "{\"code\":0}"}; }

  TempDir dir_;
  TestCa ca_{"warden test CA"};
  std::string caFile_;
};

TEST_F(HttpSinkTlsTest, DeliversToAServerWhoseCertificateNamesTheUrlsHost) {
  LoopbackReceiver receiver(ok, test::serverContext(ca_.issue("DNS:localhost,IP:127.0.0.1")));
  for (const std::string host : {"localhost", "127.0.0.1"}) {
    auto sink = makeHttpSink(tlsConfig(host, receiver.port()));
    ASSERT_TRUE(sink);
    Status delivered = deliver(*sink, {"{\"id\":\"a\"}"});
    EXPECT_TRUE(delivered.ok()) << host << ": " << delivered.error().message;
  }
  EXPECT_EQ(receiver.requests().size(), 2u);
}

TEST_F(HttpSinkTlsTest, ACertificateForAnotherNameIsRefused) {
  LoopbackReceiver receiver(ok, test::serverContext(ca_.issue("DNS:other.example,IP:10.9.9.9")));
  for (const std::string host : {"localhost", "127.0.0.1"}) {
    auto sink = makeHttpSink(tlsConfig(host, receiver.port()));
    ASSERT_TRUE(sink);
    Status delivered = deliver(*sink, {"{\"id\":\"a\"}"});
    ASSERT_FALSE(delivered.ok()) << host;
    EXPECT_NE(delivered.error().message.find("TLS handshake"), std::string::npos) << delivered.error().message;
    EXPECT_NE(delivered.error().message.find("mismatch"), std::string::npos) << delivered.error().message;
  }
  EXPECT_TRUE(receiver.requests().empty());
}

TEST_F(HttpSinkTlsTest, ACertificateFromAnotherAuthorityIsRefused) {
  TestCa stranger("someone else's CA");
  LoopbackReceiver receiver(ok, test::serverContext(stranger.issue("DNS:localhost,IP:127.0.0.1")));
  auto sink = makeHttpSink(tlsConfig("127.0.0.1", receiver.port()));
  ASSERT_TRUE(sink);
  Status delivered = deliver(*sink, {"{\"id\":\"a\"}"});
  ASSERT_FALSE(delivered.ok());
  EXPECT_NE(delivered.error().message.find("certificate"), std::string::npos) << delivered.error().message;
  EXPECT_TRUE(receiver.requests().empty());
}

// ---- configuration --------------------------------------------------------------

TEST(HttpSinkConfigTest, UrlsAreParsedWithDefaultPortsAndPaths) {
  auto plain = parseHttpUrl("http://logs.example");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host, "logs.example");
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->target, "");
  EXPECT_EQ(plain->hostHeader, "logs.example");

  auto secure = parseHttpUrl("HTTPS://[2001:db8::5]:9200/audit/_bulk?refresh=false#x");
  ASSERT_TRUE(secure.ok()) << secure.error().message;
  EXPECT_TRUE(secure->tls);
  EXPECT_EQ(secure->host, "2001:db8::5");
  EXPECT_EQ(secure->port, 9200);
  EXPECT_EQ(secure->target, "/audit/_bulk?refresh=false");
  EXPECT_EQ(secure->hostHeader, "[2001:db8::5]:9200");
  EXPECT_EQ(secure->text(), "https://[2001:db8::5]:9200/audit/_bulk?refresh=false");

  auto query = parseHttpUrl("https://es:443?x=1");
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->target, "/?x=1");
  EXPECT_EQ(query->hostHeader, "es");

  for (const char* bad : {"ftp://x", "logs.example:80", "http://", "http://h:0", "http://h:70000", "http://h:1x",
                          "http://[::1", "http://[::1]x"}) {
    EXPECT_FALSE(parseHttpUrl(bad).ok()) << bad;
  }
  auto credentials = parseHttpUrl("https://elastic:hunter2@es:9200");
  ASSERT_FALSE(credentials.ok());
  EXPECT_EQ(credentials.error().message.find("hunter2"), std::string::npos);
}

TEST(HttpSinkConfigTest, TheAuthorizationFileMustExistAndHoldOneLine) {
  TempDir dir;
  SinkConfig config = httpConfig("http://127.0.0.1:9", HttpFormat::Loki);
  config.authorizationFile = dir.path() + "/missing";
  auto missing = HttpSink::create(config);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("audit sink remote"), std::string::npos) << missing.error().message;

  appendBytes(dir.path() + "/empty", " \n");
  config.authorizationFile = dir.path() + "/empty";
  EXPECT_FALSE(HttpSink::create(config).ok());

  appendBytes(dir.path() + "/two", "Bearer a\nX-Injected: 1\n");
  config.authorizationFile = dir.path() + "/two";
  EXPECT_FALSE(HttpSink::create(config).ok());

  config.authorizationFile = "";
  config.caFile = dir.path() + "/no-ca.pem";
  config.url = "https://127.0.0.1:9";
  EXPECT_FALSE(HttpSink::create(config).ok());
}

TEST(HttpSinkConfigTest, Rfc3339TimesAreReadToTheNanosecond) {
  EXPECT_EQ(parseRfc3339("2026-11-23T04:09:35.300123456Z"), 1795406975300123456);
  EXPECT_EQ(parseRfc3339("2026-11-23T04:09:35Z"), 1795406975000000000);
  EXPECT_EQ(parseRfc3339("2026-11-23T05:39:35.5+01:30"), 1795406975500000000);
  EXPECT_EQ(parseRfc3339("1970-01-01T00:00:00.0000000019Z"), 1);
  for (const char* bad : {"", "2026-11-23", "2026-11-23T04:09:35", "2026-02-30T00:00:00Z", "2026-11-23T04:09:35.Z",
                          "2026-11-23T04:09:35Zjunk", "2026-11-23T24:00:00Z"}) {
    EXPECT_EQ(parseRfc3339(bad), std::nullopt) << bad;
  }
}

TEST(SinkFactoryTest, BuildsEachTypeOfSink) {
  TempDir dir;
  SinkConfig file;
  file.name = "f";
  file.type = SinkType::File;
  file.path = dir.path() + "/out.jsonl";
  auto fileSink = makeSink(file);
  ASSERT_TRUE(fileSink.ok()) << fileSink.error().message;
  EXPECT_EQ((*fileSink)->describe(), "file " + file.path);

  auto httpSink = makeSink(httpConfig("https://logs.example:8088", HttpFormat::Splunk));
  ASSERT_TRUE(httpSink.ok()) << httpSink.error().message;
  EXPECT_EQ((*httpSink)->describe(), "http splunk https://logs.example:8088/services/collector/event");

  SinkConfig syslog;
  syslog.name = "s";
  syslog.type = SinkType::Syslog;
  syslog.address = "127.0.0.1:6514";
  syslog.tls = false;
  auto syslogSink = makeSink(syslog);
  ASSERT_TRUE(syslogSink.ok()) << syslogSink.error().message;
  EXPECT_NE((*syslogSink)->describe().find("syslog"), std::string::npos);
}

}  // namespace
}  // namespace warden::audit
