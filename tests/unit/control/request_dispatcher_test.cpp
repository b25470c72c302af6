#include "control/request_dispatcher.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace warden::control {
namespace {

HandlerMap handlers() {
  return {
      {"status", [](const nlohmann::json&) -> Result<nlohmann::json> { return nlohmann::json{{"pid", 1}}; }},
      {"echo", [](const nlohmann::json& r) -> Result<nlohmann::json> { return nlohmann::json(r.value("text", std::string())); }},
      {"ca.export", [](const nlohmann::json&) -> Result<nlohmann::json> { return Error{"no CA loaded yet"}; }},
      {"boom", [](const nlohmann::json&) -> Result<nlohmann::json> { throw std::runtime_error("bug"); }},
  };
}

TEST(RequestDispatcherTest, KnownCommandReturnsItsResult) {
  EXPECT_EQ(dispatchRequest(R"({"command":"status"})", handlers()),
            (nlohmann::json{{"ok", true}, {"result", {{"pid", 1}}}}));
  EXPECT_EQ(dispatchRequest(R"({"command":"echo","text":"hi"})", handlers())["result"], "hi");
}

TEST(RequestDispatcherTest, UnknownCommandListsTheKnownOnes) {
  EXPECT_EQ(dispatchRequest(R"({"command":"stats"})", handlers()),
            (nlohmann::json{{"ok", false}, {"error", "unknown command stats; known: boom, ca.export, echo, status"}}));
}

TEST(RequestDispatcherTest, HandlerErrorsAndExceptionsBecomeErrorResponses) {
  EXPECT_EQ(dispatchRequest(R"({"command":"ca.export"})", handlers()),
            (nlohmann::json{{"ok", false}, {"error", "no CA loaded yet"}}));
  EXPECT_EQ(dispatchRequest(R"({"command":"boom"})", handlers()),
            (nlohmann::json{{"ok", false}, {"error", "command boom failed: bug"}}));
}

TEST(RequestDispatcherTest, MalformedRequestsAreExplained) {
  auto bad = dispatchRequest("{\"command\":", handlers());
  EXPECT_EQ(bad["ok"], false);
  std::string error = bad["error"];
  EXPECT_EQ(error.rfind("malformed request: parse error at line 1, column 12", 0), 0u) << error;
  EXPECT_NE(error.find("send one JSON object per line"), std::string::npos) << error;

  for (const char* line : {"[1,2]", "{\"cmd\":\"status\"}", "{\"command\":7}", "\"status\""}) {
    EXPECT_EQ(dispatchRequest(line, handlers())["error"],
              "malformed request: no \"command\" string (send one JSON object per line, e.g. {\"command\":\"status\"})")
        << line;
  }
}

}  // namespace
}  // namespace warden::control
