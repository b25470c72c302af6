#include "layers/audit/event.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>
#include <vector>

namespace warden::audit {
namespace {

Event sampleRequest() {
  Event e;
  e.type = EventType::Request;
  e.id = "00112233445566778899aabbccddeeff";
  // 2024-05-06T07:08:09.123456789Z
  e.time = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(1714979289123456789LL)));
  e.identity = KernelIdentity{4242, 4243, 1000, 1001, 77, 99, "python3"};
  e.originalDst = Endpoint::parseAddress("192.0.2.10", 443);
  e.sni = "api.openai.com";
  e.mode = "intercept";
  e.method = "POST";
  e.path = "/v1/chat/completions";
  e.httpHost = "api.openai.com";
  e.status = 200;
  e.decision = "allow";
  e.bytesFromClient = 512;
  e.bytesToClient = 2048;
  e.duration = std::chrono::microseconds(1500);
  return e;
}

TEST(EventJsonTest, RequestEventHasTheV1Shape) {
  nlohmann::json expected = {
      {"schema", "warden.event/v1"},
      {"id", "00112233445566778899aabbccddeeff"},
      {"time", "2024-05-06T07:08:09.123456789Z"},
      {"host", "node-1"},
      {"type", "request"},
      {"identity",
       {{"pid", 4242}, {"tid", 4243}, {"uid", 1000}, {"gid", 1001}, {"cgroup_id", 77}, {"comm", "python3"},
        {"netns_cookie", 99}, {"source", "connect"}}},
      {"connection", {{"original_dst", "192.0.2.10:443"}, {"sni", "api.openai.com"}, {"mode", "intercept"}}},
      {"request", {{"method", "POST"}, {"path", "/v1/chat/completions"}, {"host", "api.openai.com"}, {"bytes", 512}}},
      {"response", {{"status", 200}, {"bytes", 2048}}},
      {"duration_us", 1500},
      {"decision", "allow"}};
  EXPECT_EQ(toJson(sampleRequest(), "node-1"), expected);
}

TEST(EventJsonTest, AnIdentityFromSockDiagSaysSo) {
  auto e = sampleRequest();
  e.identity->source = IdentitySource::SocketDiag;
  EXPECT_EQ(toJson(e, "node-1")["identity"]["source"], "sock_diag");
}

TEST(EventJsonTest, TheResolvedWorkloadIsWrittenWithoutItsEmptyFields) {
  auto e = sampleRequest();
  auto workload = std::make_shared<WorkloadRecord>();
  workload->key = "container:docker/0123abcd";
  workload->cgroup = "/system.slice/docker-0123abcd.scope";
  workload->unit = "system.slice/docker-0123abcd.scope";
  workload->container = "0123abcd";
  workload->runtime = "docker";
  workload->executable = "/usr/bin/python3.11";
  workload->executableSha256 = "ab12";
  workload->user = "app";
  e.workload = workload;
  const auto j = toJson(e, "node-1");
  const nlohmann::json expected = {{"key", "container:docker/0123abcd"},
                                   {"cgroup", "/system.slice/docker-0123abcd.scope"},
                                   {"unit", "system.slice/docker-0123abcd.scope"},
                                   {"container", "0123abcd"},
                                   {"runtime", "docker"},
                                   {"executable", "/usr/bin/python3.11"},
                                   {"executable_sha256", "ab12"},
                                   {"user", "app"}};
  EXPECT_EQ(j["workload"], expected) << "no pod, no group: absent, not empty";
}

TEST(EventJsonTest, SensitiveDataSaysWhereAndWhatNeverTheValue) {
  auto e = sampleRequest();
  SensitiveDataRecord record;
  record.findings.push_back({.id = "secret.aws.access_key_id", .type = "aws_access_key_id", .dataClass = "secret",
                             .text = 1, .offset = 20, .length = 20});
  record.secrets = 1;
  record.maskedTexts = 1;
  record.duration = std::chrono::microseconds(12);
  e.sensitiveData = record;
  const nlohmann::json expected = {{"duration_us", 12},
                                   {"findings",
                                    {{{"class", "secret"},
                                      {"id", "secret.aws.access_key_id"},
                                      {"length", 20},
                                      {"offset", 20},
                                      {"text", 1},
                                      {"type", "aws_access_key_id"}}}},
                                   {"masked_texts", 1},
                                   {"pii", 0},
                                   {"secrets", 1}};
  EXPECT_EQ(toJson(e, "node-1")["sensitive_data"], expected);
}

TEST(EventJsonTest, TheAnomalyRecordCarriesTheScoreAndWhatThisRequestAdded) {
  auto e = sampleRequest();
  e.anomaly = AnomalyRecord{0.70049, {"jailbreak_attempt", "secrets_outbound"}, 12};
  const auto json = toJson(e, "node-1");
  EXPECT_EQ(json["anomaly"], (nlohmann::json{{"score", 0.7},
                                             {"reasons", {"jailbreak_attempt", "secrets_outbound"}},
                                             {"requests", 12}}));
  e.anomaly = AnomalyRecord{};
  EXPECT_EQ(toJson(e, "node-1")["anomaly"]["reasons"], nlohmann::json::array()) << "a score of 0 is still written";
}

TEST(EventJsonTest, EmptyPartsAreOmitted) {
  Event e;
  e.type = EventType::AgentStart;
  e.id = "ab";
  auto j = toJson(e, "h");
  EXPECT_EQ(j["type"], "agent_start");
  for (const char* absent : {"identity", "connection", "request", "response", "duration_us", "decision", "error"}) {
    EXPECT_FALSE(j.contains(absent)) << absent;
  }
  e.type = EventType::AgentStop;
  EXPECT_EQ(toJson(e, "h")["type"], "agent_stop");
}

TEST(EventJsonTest, TunnelEventCarriesBytesAndIpv6Destination) {
  Event e;
  e.type = EventType::Tunnel;
  e.originalDst = Endpoint::parseAddress("2001:db8::5", 443);
  e.sni = "example.org";
  e.mode = "tunnel";
  e.bytesFromClient = 10;
  e.bytesToClient = 20;
  e.error = "upstream reset";
  auto j = toJson(e, "h");
  EXPECT_EQ(j["type"], "tunnel");
  EXPECT_EQ(j["connection"]["original_dst"], "[2001:db8::5]:443");
  EXPECT_EQ(j["request"], (nlohmann::json{{"bytes", 10}}));
  EXPECT_EQ(j["response"], (nlohmann::json{{"bytes", 20}}));
  EXPECT_EQ(j["error"], "upstream reset");
}

TEST(EventJsonTest, TimeIsRfc3339UtcWithNanoseconds) {
  Event e;
  auto time = toJson(e, "h")["time"].get<std::string>();
  EXPECT_TRUE(std::regex_match(time, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z)"))) << time;
  e.time = std::chrono::system_clock::time_point{};
  EXPECT_EQ(toJson(e, "h")["time"], "1970-01-01T00:00:00.000000000Z");
}

TEST(EventJsonTest, LineIsCompactWithSortedKeys) {
  std::string line;
  appendJsonLine(line, sampleRequest(), "node-1");
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  line.pop_back();
  // The exact text the log has always had: nlohmann's compact dump.
  EXPECT_EQ(line, toJson(sampleRequest(), "node-1").dump());
  EXPECT_EQ(line.find(' '), std::string::npos);
  EXPECT_EQ(line.rfind("{\"connection\":", 0), 0u) << line;
}

TEST(EventJsonTest, StringsAreEscapedAndInvalidUtf8Replaced) {
  Event e;
  e.path = std::string("/a\"b\\c\n\t\x01\x7f") + "\xc3\xa9" + "\xff" + "\xe2\x82" + "\xf0\x9f\x98\x80" + "\xed\xa0\x80";
  std::string line;
  appendJsonLine(line, e, "h");
  auto j = nlohmann::json::parse(line);  // throws on anything but valid JSON and UTF-8
  const std::string kReplacement = "\xEF\xBF\xBD";
  EXPECT_EQ(j["request"]["path"].get<std::string>(),
            std::string("/a\"b\\c\n\t\x01\x7f") + "\xc3\xa9" + kReplacement + kReplacement + kReplacement +
                "\xf0\x9f\x98\x80" + kReplacement + kReplacement + kReplacement);
  EXPECT_NE(line.find("\\u0001"), std::string::npos) << line;
}

TEST(EventJsonTest, LinesAppendOneAfterAnother) {
  std::string out;
  Event a;
  a.path = "/one";
  Event b;
  b.path = "/two";
  appendJsonLine(out, a, "h");
  appendJsonLine(out, b, "h");
  const auto newline = out.find('\n');
  ASSERT_NE(newline, std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(out.substr(0, newline))["request"]["path"], "/one");
  EXPECT_EQ(nlohmann::json::parse(out.substr(newline + 1))["request"]["path"], "/two");
}

TEST(EventJsonTest, LlmRecordCarriesWhatTheAdaptersRead) {
  Event e = sampleRequest();
  LlmRecord llm;
  llm.provider = "openai";
  llm.operation = "chat_completions";
  LlmRequestRecord request;
  request.parsed = true;
  request.model = "gpt-4o";
  request.stream = true;
  request.messages = 3;
  request.toolNames = {"get_weather", "search"};
  llm.request = request;
  LlmResponseRecord response;
  response.model = "gpt-4o-2024-08-06";
  response.finishReason = "tool_calls";
  response.toolCallNames = {"get_weather"};
  response.inputTokens = 120;
  response.outputTokens = 17;
  llm.response = response;
  e.llm = llm;
  const nlohmann::json expected = {
      {"provider", "openai"},
      {"operation", "chat_completions"},
      {"request",
       {{"model", "gpt-4o"}, {"stream", true}, {"messages", 3}, {"tools", 2},
        {"tools_declared", {"get_weather", "search"}}}},
      {"response",
       {{"model", "gpt-4o-2024-08-06"},
        {"finish_reason", "tool_calls"},
        {"tool_calls", 1},
        {"tools_called", {"get_weather"}},
        {"usage", {{"input_tokens", 120}, {"output_tokens", 17}}}}}};
  const auto j = toJson(e, "h");
  EXPECT_EQ(j["llm"], expected);
  std::string line;
  appendJsonLine(line, e, "h");
  line.pop_back();
  EXPECT_EQ(line, j.dump()) << "keys stay sorted";
}

TEST(EventJsonTest, UploadedFilesAreListedWithNameSizeAndType) {
  Event e = sampleRequest();
  LlmRequestRecord request;
  request.parsed = true;
  request.model = "whisper-1";
  request.messages = 2;
  request.files = {{"file", "meeting \"q3\".mp3", "audio/mpeg", 1048576}, {"extra", "", "", 0}};
  e.llm = LlmRecord{"openai", "audio_transcriptions", request, std::nullopt};
  const auto j = toJson(e, "h");
  const nlohmann::json files = nlohmann::json::array(
      {{{"name", "file"}, {"filename", "meeting \"q3\".mp3"}, {"content_type", "audio/mpeg"}, {"bytes", 1048576}},
       {{"name", "extra"}, {"filename", ""}, {"bytes", 0}}});
  EXPECT_EQ(j["llm"]["request"]["files"], files);
  std::string line;
  appendJsonLine(line, e, "h");
  line.pop_back();
  EXPECT_EQ(line, j.dump()) << "keys stay sorted";

  request.files.clear();
  e.llm->request = request;
  EXPECT_FALSE(toJson(e, "h")["llm"]["request"].contains("files")) << "no uploads, no key";
}

TEST(EventJsonTest, LlmRecordOfAnUnreadBodyHasOnlyTheReason) {
  Event e;
  LlmRecord llm;
  llm.provider = "anthropic";
  llm.operation = "messages";
  LlmRequestRecord request;
  request.parseError = "messages: expected an array";
  llm.request = request;
  LlmResponseRecord response;
  response.parseError = "not JSON";
  response.providerError = "overloaded";
  llm.response = response;
  e.llm = llm;
  const auto j = toJson(e, "h");
  EXPECT_EQ(j["llm"]["request"], (nlohmann::json{{"parse_error", "messages: expected an array"}}));
  EXPECT_EQ(j["llm"]["response"],
            (nlohmann::json{{"parse_error", "not JSON"}, {"error", "overloaded"}, {"tool_calls", 0}}));

  Event uninspected;
  uninspected.llm = LlmRecord{"openai", "uninspected", std::nullopt, std::nullopt};
  EXPECT_EQ(toJson(uninspected, "h")["llm"], (nlohmann::json{{"provider", "openai"}, {"operation", "uninspected"}}));
  EXPECT_FALSE(toJson(Event{}, "h").contains("llm"));
}

TEST(EventIdTest, IdsAre128BitHexAndUnique) {
  std::set<std::string> ids;
  const std::regex hex("[0-9a-f]{32}");
  for (int i = 0; i < 10000; ++i) {
    std::string id = newEventId();
    ASSERT_TRUE(std::regex_match(id, hex)) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 10000u);
}

TEST(EventIdTest, ThreadsDrawDifferentIds) {
  std::vector<std::string> fromOther;
  std::thread other([&fromOther] {
    for (int i = 0; i < 1000; ++i) fromOther.push_back(newEventId());
  });
  other.join();
  std::set<std::string> ids(fromOther.begin(), fromOther.end());
  for (int i = 0; i < 1000; ++i) ids.insert(newEventId());
  EXPECT_EQ(ids.size(), 2000u);
}

}  // namespace
}  // namespace warden::audit
