#include "layers/audit/ocsf.h"
#include "layers/audit/sinks/ocsf_sink.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace warden::audit {
namespace {

using Json = nlohmann::json;

TEST(OcsfTest, ARequestEventIsApiActivityWithEveryMappedField) {
  const std::string line =
      R"({"connection":{"mode":"intercept","original_dst":"[2001:db8::1]:443","sni":"api.openai.com"},)"
      R"("decision":"deny","duration_us":2500,"host":"node-1","id":"0123456789abcdef0123456789abcdef",)"
      R"("identity":{"cgroup_id":7,"comm":"python3","gid":0,"netns_cookie":1,"pid":42,"tid":43,"uid":1000},)"
      R"("llm":{"operation":"chat_completions","provider":"openai"},)"
      R"("request":{"bytes":120,"host":"api.openai.com","method":"POST","path":"/v1/chat/completions"},)"
      R"("response":{"bytes":300,"status":403},"schema":"warden.event/v1","time":"2026-11-23T04:09:35.300123456Z",)"
      R"("type":"request","validation":{"findings":[{"severity":"medium"},{"severity":"high"}],"verdict":"block"},)"
      R"("chain":{"prev":"00","seq":5}})";
  const Json out = Json::parse(toOcsf(line));
  EXPECT_EQ(out["class_uid"], 6003);
  EXPECT_EQ(out["category_uid"], 6);
  EXPECT_EQ(out["activity_id"], 1) << "POST is Create";
  EXPECT_EQ(out["type_uid"], 600301);
  EXPECT_EQ(out["time"], 1795406975300LL);
  EXPECT_EQ(out["metadata"]["uid"], "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(out["metadata"]["version"], "1.1.0");
  EXPECT_EQ(out["actor"]["process"]["pid"], 42);
  EXPECT_EQ(out["actor"]["process"]["name"], "python3");
  EXPECT_EQ(out["actor"]["user"]["uid"], "1000");
  EXPECT_EQ(out["src_endpoint"]["hostname"], "node-1");
  EXPECT_EQ(out["dst_endpoint"]["ip"], "2001:db8::1");
  EXPECT_EQ(out["dst_endpoint"]["port"], 443);
  EXPECT_EQ(out["dst_endpoint"]["hostname"], "api.openai.com");
  EXPECT_EQ(out["http_request"]["http_method"], "POST");
  EXPECT_EQ(out["http_request"]["url"]["path"], "/v1/chat/completions");
  EXPECT_EQ(out["http_response"]["code"], 403);
  EXPECT_EQ(out["api"]["operation"], "chat_completions");
  EXPECT_EQ(out["api"]["service"]["name"], "openai");
  EXPECT_EQ(out["status_id"], 2) << "denied is a failure";
  EXPECT_EQ(out["severity_id"], 4) << "the highest finding";
  EXPECT_EQ(out["duration"], 2);
  EXPECT_EQ(out["unmapped"]["validation"]["verdict"], "block");
  EXPECT_EQ(out["unmapped"]["chain"]["seq"], 5) << "the chain travels with the event";
}

TEST(OcsfTest, ASecretInThePromptMakesTheEventHighSeverity) {
  const auto severityOf = [](const std::string& sensitive) {
    const std::string line = R"({"host":"node-1","id":"0123456789abcdef0123456789abcdef","schema":"warden.event/v1",)"
                             R"("time":"2026-11-23T04:09:35Z","type":"request","sensitive_data":)" +
                             sensitive + "}";
    return Json::parse(toOcsf(line))["severity_id"].get<int>();
  };
  EXPECT_EQ(severityOf(R"({"secrets":1,"pii":0})"), 4);
  EXPECT_EQ(severityOf(R"({"secrets":0,"pii":2})"), 2);
  EXPECT_EQ(severityOf(R"({"secrets":0,"pii":0})"), 1);
}

TEST(OcsfTest, TheWorkloadFillsTheActorsProcessFileUserAndContainer) {
  const std::string line =
      R"({"host":"node-1","id":"0123456789abcdef0123456789abcdef",)"
      R"("identity":{"cgroup_id":7,"comm":"python3","gid":0,"netns_cookie":1,"pid":42,"tid":43,"uid":1000},)"
      R"("schema":"warden.event/v1","time":"2026-11-23T04:09:35.300123456Z","type":"request",)"
      R"("workload":{"cgroup":"/system.slice/docker-ab.scope","container":"ab","executable":"/usr/bin/python3",)"
      R"("executable_sha256":"cafe","key":"container:docker/ab","runtime":"docker","user":"app"}})";
  const Json out = Json::parse(toOcsf(line));
  EXPECT_EQ(out["actor"]["app_name"], "container:docker/ab");
  EXPECT_EQ(out["actor"]["user"]["name"], "app");
  EXPECT_EQ(out["actor"]["process"]["user"]["name"], "app");
  EXPECT_EQ(out["actor"]["process"]["file"]["path"], "/usr/bin/python3");
  EXPECT_EQ(out["actor"]["process"]["file"]["hashes"][0]["algorithm_id"], 3);
  EXPECT_EQ(out["actor"]["process"]["file"]["hashes"][0]["value"], "cafe");
  EXPECT_EQ(out["actor"]["process"]["container"]["uid"], "ab");
  EXPECT_EQ(out["actor"]["process"]["container"]["runtime"], "docker");
  EXPECT_EQ(out["unmapped"]["workload"]["cgroup"], "/system.slice/docker-ab.scope");
}

TEST(OcsfTest, AnAllowedAnswerIsASuccessAndOtherLinesAreActivityOther) {
  const Json ok = Json::parse(toOcsf(
      R"({"decision":"allow","host":"h","id":"a","request":{"method":"GET","path":"/v1/models"},)"
      R"("response":{"status":200},"time":"2026-01-01T00:00:00Z","type":"request"})"));
  EXPECT_EQ(ok["activity_id"], 2);
  EXPECT_EQ(ok["status_id"], 1);
  EXPECT_EQ(ok["severity_id"], 1);
  EXPECT_EQ(ok["time"], 1767225600000LL);

  const Json checkpoint = Json::parse(toOcsf(
      R"({"checkpoint":{"head":"ab","seq":9},"host":"h","time":"2026-01-01T00:00:00Z","type":"checkpoint"})"));
  EXPECT_EQ(checkpoint["activity_id"], 99);
  EXPECT_EQ(checkpoint["unmapped"]["type"], "checkpoint");
  EXPECT_EQ(checkpoint["unmapped"]["checkpoint"]["seq"], 9);
  EXPECT_FALSE(checkpoint.contains("status_id"));

  EXPECT_EQ(toOcsf("not json"), "not json");
  const std::string odd = R"({"type":"request","request":"not an object","duration_us":"soon"})";
  EXPECT_EQ(toOcsf(odd), odd) << "a line the mapping cannot take goes out as it is, never an exception";
}

class RecordingSink final : public Sink {
 public:
  Status deliver(std::span<const std::string_view> lines) override {
    for (auto line : lines) got.emplace_back(line);
    return {};
  }
  std::string describe() const override { return "recorder"; }
  std::vector<std::string> got;
};

TEST(OcsfTest, TheOcsfSinkHandsItsSinkConvertedLinesInOrder) {
  auto recorder = std::make_unique<RecordingSink>();
  RecordingSink* inner = recorder.get();
  OcsfSink sink(std::move(recorder));
  const std::vector<std::string_view> lines{R"({"id":"1","type":"request","request":{"method":"POST"}})",
                                            R"({"id":"2","type":"agent_start"})"};
  ASSERT_TRUE(sink.deliver(lines));
  ASSERT_EQ(inner->got.size(), 2u);
  EXPECT_EQ(Json::parse(inner->got[0])["metadata"]["uid"], "1");
  EXPECT_EQ(Json::parse(inner->got[1])["unmapped"]["type"], "agent_start");
  EXPECT_EQ(sink.describe(), "recorder (OCSF)");
}

}  // namespace
}  // namespace warden::audit
