// The commit point of an exchange: the session is told once, just before the
// write that lets the client see the response whole, with the outcome as it
// will be after that write, so the audit event can be in the spool before
// the client has its answer. Driven through forwardRequest() against the
// scripted upstream (exchange_rig.h).
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "providers/adapter.h"
#include "providers/route.h"
#include "proxy/response_inspection.h"
#include "exchange_rig.h"

namespace warden::proxy::test {
namespace {

// What the session would see at the commit point, and what the client had
// received by then.
class CommitRecorder final : public ResponseCommit {
 public:
  explicit CommitRecorder(const std::string& clientSoFar) : clientSoFar_(clientSoFar) {}

  void beforeLastWrite(const ExchangeOutcome& soFar) override {
    Told told{soFar, clientSoFar_, std::nullopt};
    if (inspection_ != nullptr) told.record = inspection_->record(nullptr);
    told_.push_back(std::move(told));
  }
  void inspecting(const ResponseInspection* inspection) { inspection_ = inspection; }

  struct Told {
    ExchangeOutcome outcome;
    std::string clientHad;
    std::optional<audit::LlmResponseRecord> record;
  };
  const std::vector<Told>& told() const { return told_; }

 private:
  const std::string& clientSoFar_;
  const ResponseInspection* inspection_ = nullptr;
  std::vector<Told> told_;
};

std::string sseEvent(const std::string& data) { return "data: " + data + "\n\n"; }

const std::vector<std::string> kStream = {
    sseEvent(R"({"id":"c1","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"}}]})"),
    sseEvent(R"({"id":"c1","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}})") +
        sseEvent("[DONE]"),
};

const std::string kChatRequest =
    R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}})";

class ResponseCommitTest : public ::testing::Test {
 protected:
  ResponseCommitTest() { rig_.commitTo(&recorder_); }

  // Paces the upstream by what the client received, and keeps a copy of it
  // for the recorder.
  std::function<void(const std::string&)> watchClient(const std::vector<std::string>& events) {
    auto pace = paceBy(upstream_, events);
    return [this, pace](const std::string& received) {
      clientSoFar_ = received;
      pace(received);
    };
  }

  ScriptedUpstream upstream_;
  ExchangeRig rig_;
  std::string clientSoFar_;
  CommitRecorder recorder_{clientSoFar_};
};

TEST_F(ResponseCommitTest, AStreamIsToldOnceBeforeItsEndWithItsWholeOutcomeAndInspection) {
  // The last event and the chunked body's end arrive together, as servers send them.
  upstream_.respond(chunkedPieces("text/event-stream", kStream));
  upstream_.holdBeforeEachPiece();
  const auto route = providers::route("api.openai.com", "POST", "/v1/chat/completions");
  ResponseInspection inspection(*providers::adapterFor(route), route);
  recorder_.inspecting(&inspection);

  const auto result = rig_.exchange(upstream_.endpoint(), post("/v1/chat/completions", "api.openai.com", kChatRequest),
                                    &inspection, watchClient(kStream));

  ASSERT_TRUE(parseResponse(result.received).complete) << result.received;
  ASSERT_EQ(recorder_.told().size(), 1u);
  const auto& told = recorder_.told().front();
  EXPECT_FALSE(parseResponse(told.clientHad).complete) << "told after the client had the whole response";
  EXPECT_EQ(told.clientHad.find("[DONE]"), std::string::npos) << "the last piece went before the commit";
  EXPECT_EQ(told.outcome.status, 200);
  EXPECT_TRUE(told.outcome.responseStarted);
  EXPECT_TRUE(told.outcome.error.empty()) << told.outcome.error;
  EXPECT_EQ(told.outcome.bytesToClient, result.received.size()) << "the outcome counts the last write too";
  EXPECT_EQ(told.outcome.bytesToClient, result.outcome.bytesToClient);
  // The inspection has read the last piece: the usage and the end of the answer are in the event.
  ASSERT_TRUE(told.record.has_value());
  EXPECT_EQ(told.record->finishReason, "stop");
  EXPECT_EQ(told.record->outputTokens, 1u);
}

TEST_F(ResponseCommitTest, ABodyWithAContentLengthIsToldBeforeItsLastPiece) {
  const std::string first = R"({"id":"c1","object":"chat.completion",)";
  const std::string rest = R"("model":"gpt-4o","choices":[]})";
  upstream_.respond({"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                         std::to_string(first.size() + rest.size()) + "\r\n\r\n" + first,
                     rest});
  upstream_.holdBeforeEachPiece();

  const auto result = rig_.exchange(upstream_.endpoint(), post("/v1/other", "api.test.local", "{}"), nullptr,
                                    watchClient({first, rest}));

  ASSERT_TRUE(parseResponse(result.received).complete) << result.received;
  ASSERT_EQ(recorder_.told().size(), 1u);
  const auto& told = recorder_.told().front();
  EXPECT_NE(told.clientHad.find(first), std::string::npos) << "the first piece is relayed as it comes";
  EXPECT_EQ(told.clientHad.find(rest), std::string::npos);
  EXPECT_EQ(told.outcome.bytesToClient, result.received.size());
}

TEST_F(ResponseCommitTest, AResponseWithoutABodyIsToldBeforeItsHeader) {
  upstream_.respond({"HTTP/1.1 204 No Content\r\nX-Upstream: yes\r\n\r\n"});

  const auto result = rig_.exchange(upstream_.endpoint(), post("/v1/other", "api.test.local", "{}"), nullptr,
                                    [this](const std::string& received) { clientSoFar_ = received; });

  EXPECT_EQ(parseResponse(result.received).status, 204u);
  ASSERT_EQ(recorder_.told().size(), 1u);
  EXPECT_TRUE(recorder_.told().front().clientHad.empty());
  EXPECT_EQ(recorder_.told().front().outcome.status, 204);
  EXPECT_EQ(recorder_.told().front().outcome.bytesToClient, result.received.size());
}

TEST_F(ResponseCommitTest, ARefusalAtTheHeadIsToldBeforeTheProvidersErrorGoes) {
  upstream_.respond(chunkedPieces("text/event-stream", kStream));
  const auto route = providers::route("api.openai.com", "POST", "/v1/chat/completions");
  ResponseInspection inspection(*providers::adapterFor(route), route);
  inspection.judgeWith([](const providers::Response&) { return ResponseDecision{false, "not this one"}; }, "evt-1");

  const auto result = rig_.exchange(upstream_.endpoint(), post("/v1/chat/completions", "api.openai.com", kChatRequest),
                                    &inspection, [this](const std::string& received) { clientSoFar_ = received; });

  EXPECT_EQ(parseResponse(result.received).status, 403u);
  ASSERT_EQ(recorder_.told().size(), 1u);
  const auto& told = recorder_.told().front();
  EXPECT_TRUE(told.clientHad.empty());
  EXPECT_EQ(told.outcome.status, 403);
  ASSERT_TRUE(told.outcome.refusal.has_value()) << "the event says the response was refused";
  EXPECT_EQ(told.outcome.bytesToClient, result.received.size());
}

TEST_F(ResponseCommitTest, TheLastPieceOfAStreamIsJudgedBeforeItGoes) {
  // Judged after it went, a refusal of the piece that ends the body could
  // only be noted; judged before, the client never gets it.
  upstream_.respond(chunkedPieces("text/event-stream", kStream));
  upstream_.holdBeforeEachPiece();
  const auto route = providers::route("api.openai.com", "POST", "/v1/chat/completions");
  ResponseInspection inspection(*providers::adapterFor(route), route);
  int judged = 0;
  inspection.judgeWith(
      [&judged](const providers::Response&) {
        ++judged;  // the head, the first piece, then the last
        return judged < 3 ? ResponseDecision{} : ResponseDecision{false, "not the end"};
      },
      "evt-2");

  const auto result = rig_.exchange(upstream_.endpoint(), post("/v1/chat/completions", "api.openai.com", kChatRequest),
                                    &inspection, watchClient(kStream));

  const auto parsed = parseResponse(result.received);
  EXPECT_TRUE(parsed.complete) << "the body ends with the error event and a clean end";
  EXPECT_TRUE(parsed.body.starts_with(kStream[0])) << parsed.body;
  EXPECT_EQ(parsed.body.find("[DONE]"), std::string::npos) << parsed.body;
  EXPECT_NE(parsed.body.find("not the end"), std::string::npos) << parsed.body;
  ASSERT_TRUE(result.outcome.refusal.has_value());
  ASSERT_EQ(recorder_.told().size(), 1u) << "the error event's write is the last";
  EXPECT_TRUE(recorder_.told().front().outcome.refusal.has_value());
  EXPECT_EQ(recorder_.told().front().outcome.bytesToClient, result.received.size());
}

}  // namespace
}  // namespace warden::proxy::test
