#include "layers/audit/event.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

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
        {"netns_cookie", 99}}},
      {"connection", {{"original_dst", "192.0.2.10:443"}, {"sni", "api.openai.com"}, {"mode", "intercept"}}},
      {"request", {{"method", "POST"}, {"path", "/v1/chat/completions"}, {"host", "api.openai.com"}, {"bytes", 512}}},
      {"response", {{"status", 200}, {"bytes", 2048}}},
      {"duration_us", 1500},
      {"decision", "allow"}};
  EXPECT_EQ(toJson(sampleRequest(), "node-1"), expected);
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

}  // namespace
}  // namespace warden::audit
