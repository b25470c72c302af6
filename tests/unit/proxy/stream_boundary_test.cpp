// Where a relayed body can still be ended with warden's error: only between
// two events of its framing, however the bytes were cut into pieces.
#include "proxy/stream_boundary.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace warden::proxy {
namespace {

using providers::Framing;

const std::string kError = "<error>";

// Feeds `bytes` cut at every position into two pieces, and once whole: the
// answer must not depend on where the pieces were cut.
std::vector<std::string> endingsForEveryCut(unsigned status, const std::string& contentType, const std::string& bytes,
                                            const std::string& error = kError) {
  std::vector<std::string> endings;
  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    StreamBoundary boundary(status, contentType, false);
    boundary.feed(std::string_view(bytes).substr(0, cut));
    boundary.feed(std::string_view(bytes).substr(cut));
    endings.push_back(boundary.ending(error));
  }
  return endings;
}

void expectEnding(unsigned status, const std::string& contentType, const std::string& bytes,
                  const std::string& expected) {
  for (const auto& ending : endingsForEveryCut(status, contentType, bytes)) {
    EXPECT_EQ(ending, expected) << "after: " << testing::PrintToString(bytes);
  }
}

TEST(StreamBoundaryTest, EventsEndOnlyAfterABlankLineWhateverTheLineEnds) {
  const std::string type = "Text/Event-Stream; charset=utf-8";
  expectEnding(200, type, "", kError);  // nothing written yet
  expectEnding(200, type, "data: a\n\n", kError);
  expectEnding(200, type, "data: a\r\n\r\n", kError);
  expectEnding(200, type, "data: a\r\r", kError);
  expectEnding(200, type, "event: x\ndata: a\n\ndata: b\n\n", kError);
  expectEnding(200, type, "data: a\n", "");
  expectEnding(200, type, "data: a\r\n", "");
  expectEnding(200, type, "data: a\r", "");
  expectEnding(200, type, "data: a\n\ndata: {\"part", "");
  expectEnding(200, type, "data: a\n\nevent: delta\n", "");
  EXPECT_EQ(StreamBoundary(200, type, false).framing(), Framing::ServerSentEvents);
}

TEST(StreamBoundaryTest, AByteAtATimeGivesTheSameAnswer) {
  StreamBoundary boundary(200, "text/event-stream", false);
  const std::string events = "data: a\r\n\r\ndata: b\r\n";
  for (const char c : events) boundary.feed(std::string_view(&c, 1));
  EXPECT_EQ(boundary.ending(kError), "");
  boundary.feed("\r");
  EXPECT_EQ(boundary.ending(kError), kError);
  boundary.feed("\n");  // the LF of that CRLF: still between events
  EXPECT_EQ(boundary.ending(kError), kError);
}

TEST(StreamBoundaryTest, LinesEndAfterALineEnd) {
  const std::string type = "application/x-ndjson";
  expectEnding(200, type, "{\"a\":1}\n", kError);
  expectEnding(200, type, "{\"a\":1}\r\n{\"b\":2}\n", kError);
  expectEnding(200, type, "{\"a\":1}\n{\"b\"", "");
  EXPECT_EQ(StreamBoundary(200, type, false).framing(), Framing::JsonLines);
}

TEST(StreamBoundaryTest, AJsonArrayEndsBetweenElementsWithTheErrorAsTheLastElement) {
  const std::string type = "application/json";
  expectEnding(200, type, "[", kError + "]");
  expectEnding(200, type, "[{\"a\":\"]}\\\"\"}", "," + kError + "]");
  expectEnding(200, type, "[{\"a\":[1]}\n,\r\n{\"b\":2}\n", "," + kError + "]");
  expectEnding(200, type, "[{\"a\":1},", kError + "]");
  expectEnding(200, type, "[{\"a\":1},{\"b\":", "");
  expectEnding(200, type, "[{\"a\":\"x", "");
  expectEnding(200, type, "[{\"a\":1}]", "");  // already complete

  StreamBoundary array(200, type, false);
  array.feed(" [");
  EXPECT_EQ(array.framing(), Framing::JsonArray);
}

TEST(StreamBoundaryTest, OneDocumentAnErrorReplyOrAnEncodedBodyCannotBeEnded) {
  expectEnding(200, "application/json", "{\"id\":1", "");
  expectEnding(200, "application/json", "{\"id\":1}", "");
  expectEnding(403, "text/event-stream", "data: a\n\n", "");
  StreamBoundary document(200, "application/json", false);
  document.feed("{}");
  EXPECT_EQ(document.framing(), Framing::Json);

  StreamBoundary encoded(200, "text/event-stream", true);
  encoded.feed("data: a\n\n");
  EXPECT_EQ(encoded.ending(kError), "") << "our bytes would be read as compressed ones";
}

TEST(StreamBoundaryTest, NoErrorForTheFramingMeansNoEnding) {
  StreamBoundary boundary(200, "text/event-stream", false);
  boundary.feed("data: a\n\n");
  EXPECT_EQ(boundary.ending(""), "");
}

}  // namespace
}  // namespace warden::proxy
