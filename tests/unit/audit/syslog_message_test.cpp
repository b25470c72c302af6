#include "layers/audit/sinks/syslog_message.h"

#include <gtest/gtest.h>

#include <string>

#include "layers/audit/event.h"
#include "layers/audit/ocsf.h"

namespace warden::audit {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string eventLine(const Event& event, const std::string& host = "node-1") {
  std::string line;
  appendJsonLine(line, event, host);
  line.pop_back();  // the newline
  return line;
}

TEST(SyslogTimestampTest, CutsNanosecondsToMicroseconds) {
  EXPECT_EQ(syslogTimestamp("2026-11-23T04:09:35.300123456Z"), "2026-11-23T04:09:35.300123Z");
  EXPECT_EQ(syslogTimestamp("2026-11-23T04:09:35.3Z"), "2026-11-23T04:09:35.3Z");
  EXPECT_EQ(syslogTimestamp("2026-11-23T04:09:35Z"), "2026-11-23T04:09:35Z");
  EXPECT_EQ(syslogTimestamp("2026-11-23t04:09:35.123456789+02:00"), "2026-11-23T04:09:35.123456+02:00");
}

TEST(SyslogTimestampTest, AnythingElseIsNil) {
  EXPECT_EQ(syslogTimestamp(""), "-");
  EXPECT_EQ(syslogTimestamp("2026-11-23 04:09:35Z"), "-");
  EXPECT_EQ(syslogTimestamp("2026-11-23T04:09:35."), "-");
  EXPECT_EQ(syslogTimestamp("2026-11-23T04:09:35.12"), "-");  // no offset
  EXPECT_EQ(syslogTimestamp("2026-11-23T04:09:35.12+0200"), "-");
  EXPECT_EQ(syslogTimestamp("yesterday"), "-");
}

TEST(SyslogMessageTest, AnAllowedRequestIsANoticeWithEveryHeaderField) {
  Event event;
  event.id = "0123456789abcdef0123456789abcdef";
  event.time = std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + std::chrono::hours{4} +
               std::chrono::nanoseconds{1'234'567'891};
  event.decision = "allow";
  const std::string line = eventLine(event);

  const std::string message = syslogMessage(line, 4242);
  EXPECT_EQ(message,
            "<109>1 2026-11-23T04:00:01.234567Z node-1 wardend 4242 request "
            "[warden@32473 id=\"0123456789abcdef0123456789abcdef\"] " +
                std::string(kBom) + line);
}

TEST(SyslogMessageTest, SeverityFollowsTheDecisionAndTheVerdict) {
  Event denied;
  denied.id = "a";
  denied.decision = "deny";
  EXPECT_TRUE(syslogMessage(eventLine(denied), 1).starts_with("<108>1 "));  // 13*8 + warning

  Event flagged;
  flagged.id = "b";
  flagged.decision = "allow";
  flagged.validation = ValidationRecord{.verdict = "flag"};
  EXPECT_TRUE(syslogMessage(eventLine(flagged), 1).starts_with("<108>1 "));

  Event blocked = flagged;
  blocked.validation->verdict = "block";
  EXPECT_TRUE(syslogMessage(eventLine(blocked), 1).starts_with("<108>1 "));

  Event started;
  started.id = "c";
  started.type = EventType::AgentStart;
  const std::string message = syslogMessage(eventLine(started), 1);
  EXPECT_TRUE(message.starts_with("<110>1 ")) << message;  // info
  EXPECT_NE(message.find(" wardend 1 agent_start [warden@32473 id=\"c\"] "), std::string::npos) << message;
}

TEST(SyslogMessageTest, HeaderFieldsAreCutToTheirLimitsAndPrintableAscii) {
  const std::string host(300, 'h');
  const std::string line =
      R"({"host":")" + host + R"(","id":"x","time":"2026-01-02T03:04:05Z","type":")" + std::string(40, 't') + R"("})";
  const std::string message = syslogMessage(line, 7);
  EXPECT_EQ(message, "<110>1 2026-01-02T03:04:05Z " + std::string(255, 'h') + " wardend 7 " + std::string(32, 't') +
                         " [warden@32473 id=\"x\"] " + std::string(kBom) + line);

  const std::string spaced = R"({"host":"my host\u00e9","id":"y","type":"re quest"})";
  EXPECT_EQ(syslogMessage(spaced, 7),
            "<110>1 - my_host__ wardend 7 re_quest [warden@32473 id=\"y\"] " + std::string(kBom) + spaced);
}

TEST(SyslogMessageTest, AnOcsfLineGivesTheSameHeaderFromWhereOcsfKeepsIt) {
  Event event;
  event.id = "0123456789abcdef0123456789abcdef";
  event.time = std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + std::chrono::hours{4} +
               std::chrono::nanoseconds{1'234'567'891};
  event.decision = "deny";
  const std::string ocsf = toOcsf(eventLine(event));
  ASSERT_NE(ocsf.find("\"class_uid\""), std::string::npos) << ocsf;

  EXPECT_EQ(syslogMessage(ocsf, 9),
            "<108>1 2026-11-23T04:00:01.234Z node-1 wardend 9 request "
            "[warden@32473 id=\"0123456789abcdef0123456789abcdef\"] " +
                std::string(kBom) + ocsf);

  Event started;
  started.id = "c";
  started.type = EventType::AgentStart;
  started.time = std::chrono::sys_days{std::chrono::year{2026} / 1 / 2};
  EXPECT_TRUE(
      syslogMessage(toOcsf(eventLine(started)), 9)
          .starts_with("<110>1 2026-01-02T00:00:00.000Z node-1 wardend 9 agent_start [warden@32473 id=\"c\"] "));
}

TEST(SyslogMessageTest, TheIdIsEscapedInsideTheStructuredData) {
  const std::string line = R"({"id":"a\"b\\c]d","type":"request"})";
  EXPECT_EQ(syslogMessage(line, 1),
            R"(<110>1 - - wardend 1 request [warden@32473 id="a\"b\\c\]d"] )" + std::string(kBom) + line);
}

TEST(SyslogMessageTest, ALineThatIsNotJsonIsSentPlainWithNilHeaders) {
  EXPECT_EQ(syslogMessage("not json {", 3), "<110>1 - - wardend 3 - - not json {");
  EXPECT_EQ(syslogMessage("[1,2]", 3), "<110>1 - - wardend 3 - - [1,2]");
}

TEST(SyslogMessageTest, FramesCountTheOctetsOfTheMessage) {
  std::string frames;
  appendSyslogFrame(frames, R"({"id":"1","type":"request","note":"caf\u00e9 é"})", 5);
  appendSyslogFrame(frames, "x", 5);
  size_t pos = 0;
  std::vector<std::string> messages;
  while (pos < frames.size()) {
    const size_t space = frames.find(' ', pos);
    ASSERT_NE(space, std::string::npos);
    const size_t length = std::stoul(frames.substr(pos, space - pos));
    messages.push_back(frames.substr(space + 1, length));
    pos = space + 1 + length;
  }
  EXPECT_EQ(pos, frames.size());
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0], syslogMessage(R"({"id":"1","type":"request","note":"caf\u00e9 é"})", 5));
  EXPECT_EQ(messages[1], syslogMessage("x", 5));
}

}  // namespace
}  // namespace warden::audit
