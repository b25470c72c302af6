#include "http/sse_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace warden::http {

// Found by gtest through the argument's namespace, for readable failures.
void PrintTo(const SseEvent& e, std::ostream* os) {
  *os << "{type=\"" << e.type << "\" data=\"" << e.data << "\" id=\"" << e.id << "\"}";
}

namespace {

const std::string kBom = "\xEF\xBB\xBF";

std::vector<SseEvent> parseAll(const std::vector<std::string>& pieces, SseParser& parser) {
  std::vector<SseEvent> events;
  for (const auto& piece : pieces) parser.feed(piece, [&](const SseEvent& e) { events.push_back(e); });
  return events;
}

std::vector<SseEvent> parse(const std::string& stream) {
  SseParser parser;
  return parseAll({stream}, parser);
}

SseEvent event(std::string data, std::string type = "", std::string id = "") {
  return SseEvent{std::move(type), std::move(data), std::move(id)};
}

TEST(SseParser, DispatchesAnEventAtABlankLine) {
  EXPECT_EQ(parse("data: hello\n\n"), std::vector<SseEvent>{event("hello")});
  EXPECT_TRUE(parse("data: hello\n").empty());
}

TEST(SseParser, JoinsDataLinesWithLf) {
  EXPECT_EQ(parse("data: one\ndata: two\ndata:three\n\n"), std::vector<SseEvent>{event("one\ntwo\nthree")});
}

TEST(SseParser, RemovesOnlyOneSpaceAfterTheColon) {
  EXPECT_EQ(parse("data:no space\n\n"), std::vector<SseEvent>{event("no space")});
  EXPECT_EQ(parse("data:  two spaces\n\n"), std::vector<SseEvent>{event(" two spaces")});
  EXPECT_EQ(parse("data:\tkept tab\n\n"), std::vector<SseEvent>{event("\tkept tab")});
  EXPECT_EQ(parse("data: a: b\n\n"), std::vector<SseEvent>{event("a: b")});
}

TEST(SseParser, FieldWithoutColonHasAnEmptyValue) {
  EXPECT_EQ(parse("data\n\n"), std::vector<SseEvent>{event("")});
  EXPECT_EQ(parse("data\ndata\n\n"), std::vector<SseEvent>{event("\n")});
  EXPECT_EQ(parse("data: a\ndata:\n\n"), std::vector<SseEvent>{event("a\n")});
  // "event" alone sets an empty type; the event is still dispatched as message.
  EXPECT_EQ(parse("event\ndata: x\n\n"), std::vector<SseEvent>{event("x")});
}

TEST(SseParser, EventTypeAppliesToOneEvent) {
  EXPECT_EQ(parse("event: content_block_delta\ndata: {}\n\ndata: next\n\n"),
            (std::vector<SseEvent>{event("{}", "content_block_delta"), event("next")}));
}

TEST(SseParser, EventWithoutDataIsNotDispatchedAndResetsType) {
  EXPECT_EQ(parse("event: ping\n\ndata: x\n\n"), std::vector<SseEvent>{event("x")});
}

TEST(SseParser, IdPersistsAcrossEvents) {
  EXPECT_EQ(parse("id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n"),
            (std::vector<SseEvent>{event("a", "", "7"), event("b", "", "7"), event("c", "", "")}));
  // An event with no data still sets the id for the following ones.
  EXPECT_EQ(parse("id: 9\n\ndata: d\n\n"), std::vector<SseEvent>{event("d", "", "9")});
}

TEST(SseParser, IdWithNulIsIgnored) {
  const std::string stream = std::string("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n", 32);
  EXPECT_EQ(parse(stream), (std::vector<SseEvent>{event("a", "", "1"), event("b", "", "1")}));
}

TEST(SseParser, CommentsRetryAndUnknownFieldsAreIgnored) {
  EXPECT_EQ(parse(": keep-alive\n:\nretry: 3000\nfoo: bar\nData: no\ndata: yes\n\n"),
            std::vector<SseEvent>{event("yes")});
  EXPECT_TRUE(parse(": only a comment\n\n").empty());
}

TEST(SseParser, AcceptsLfCrAndCrlfLineEndings) {
  const std::vector<SseEvent> expected{event("a\nb", "t"), event("c")};
  EXPECT_EQ(parse("event: t\ndata: a\ndata: b\n\ndata: c\n\n"), expected);
  EXPECT_EQ(parse("event: t\rdata: a\rdata: b\r\rdata: c\r\r"), expected);
  EXPECT_EQ(parse("event: t\r\ndata: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n"), expected);
  EXPECT_EQ(parse("event: t\r\ndata: a\rdata: b\n\r\ndata: c\r\r\n"), expected);
}

TEST(SseParser, CrlfSplitAcrossFeedsIsOneLineEnd) {
  SseParser parser;
  EXPECT_EQ(parseAll({"data: a\r", "\ndata: b\r", "\n\r", "\n"}, parser), std::vector<SseEvent>{event("a\nb")});
  // CR then CR is a line end and then a blank line.
  SseParser other;
  EXPECT_EQ(parseAll({"data: a\r", "\r"}, other), std::vector<SseEvent>{event("a")});
}

TEST(SseParser, StripsOneLeadingBom) {
  EXPECT_EQ(parse(kBom + "data: a\n\n"), std::vector<SseEvent>{event("a")});
  // A second BOM is part of the field name, which is then unknown.
  EXPECT_TRUE(parse(kBom + kBom + "data: a\n\n").empty());
  // Only at the start of the stream.
  EXPECT_EQ(parse("data: a\n\n" + kBom + "data: b\n\ndata: c\n\n"), (std::vector<SseEvent>{event("a"), event("c")}));
}

TEST(SseParser, BomSplitAcrossFeeds) {
  SseParser parser;
  EXPECT_EQ(parseAll({"\xEF", "\xBB", "\xBF", "data: a\n\n"}, parser), std::vector<SseEvent>{event("a")});
}

TEST(SseParser, BytesLikeABomPrefixAreKept) {
  // "\xEF\xBB" not followed by "\xBF" is data: here it ends up in a field
  // name, so the first line is unknown and only the second event counts.
  SseParser parser;
  EXPECT_EQ(parseAll({"\xEF\xBB", "x: 1\n", "data: b\n\n"}, parser), std::vector<SseEvent>{event("b")});
  SseParser short1;
  EXPECT_EQ(parseAll({"d", "ata: c\n\n"}, short1), std::vector<SseEvent>{event("c")});
}

TEST(SseParser, EverySplitPointGivesIdenticalEvents) {
  const std::string stream =
      "\xEF\xBB\xBF: stream start\r\n"
      "retry: 1000\r\n"
      "id: 1\r\n"
      "event: message_start\r\n"
      "data: {\"type\":\"message_start\"}\r\n"
      "\r\n"
      "data: line one\n"
      "data:line two\n"
      "\n"
      "event: delta\r"
      "data: {\"text\":\"caf\xC3\xA9\"}\r"
      "\r"
      "id: 2\n"
      "data\n"
      "\r\n"
      "event: ping\n\n"
      "data: [DONE]\r\n\r\n";
  const std::vector<SseEvent> expected = parse(stream);
  ASSERT_EQ(expected.size(), 5u);
  EXPECT_EQ(expected[0], event("{\"type\":\"message_start\"}", "message_start", "1"));
  EXPECT_EQ(expected[1], event("line one\nline two", "", "1"));
  EXPECT_EQ(expected[2], event("{\"text\":\"caf\xC3\xA9\"}", "delta", "1"));
  EXPECT_EQ(expected[3], event("", "", "2"));
  EXPECT_EQ(expected[4], event("[DONE]", "", "2"));

  for (size_t i = 0; i <= stream.size(); ++i) {
    for (size_t j = i; j <= stream.size(); ++j) {
      SseParser parser;
      const auto events = parseAll({stream.substr(0, i), stream.substr(i, j - i), stream.substr(j)}, parser);
      ASSERT_EQ(events, expected) << "split at " << i << " and " << j;
      EXPECT_FALSE(parser.finish());
    }
  }

  SseParser bytewise;
  std::vector<std::string> bytes;
  for (char c : stream) bytes.emplace_back(1, c);
  EXPECT_EQ(parseAll(bytes, bytewise), expected);
}

TEST(SseParser, FinishDropsAnUnterminatedEvent) {
  SseParser parser;
  EXPECT_TRUE(parseAll({"data: a\n\ndata: b\n"}, parser) == std::vector<SseEvent>{event("a")});
  EXPECT_TRUE(parser.finish());

  SseParser partialLine;
  EXPECT_TRUE(parseAll({"data: a"}, partialLine).empty());
  EXPECT_TRUE(partialLine.finish());

  SseParser complete;
  parseAll({"data: a\n\n"}, complete);
  EXPECT_FALSE(complete.finish());
}

TEST(SseParser, LongLineFailsTheStream) {
  SseParser parser(16);
  std::vector<SseEvent> events;
  auto sink = [&](const SseEvent& e) { events.push_back(e); };
  EXPECT_TRUE(parser.feed("data: 0123456789\n\n", sink));  // exactly 16 bytes: fine
  EXPECT_EQ(events.size(), 1u);
  EXPECT_TRUE(parser.feed("data: 01234", sink));
  EXPECT_FALSE(parser.feed("56789X", sink));  // the line reaches 17 bytes across feeds
  EXPECT_TRUE(parser.failed());
  // Later input, however valid, is no longer parsed.
  EXPECT_FALSE(parser.feed("\n\ndata: b\n\n", sink));
  EXPECT_EQ(events.size(), 1u);
}

TEST(SseParser, LongLineWithinOneFeedFails) {
  SseParser parser(8);
  int events = 0;
  EXPECT_FALSE(parser.feed("data: 123456789\n\n", [&](const SseEvent&) { ++events; }));
  EXPECT_TRUE(parser.failed());
  EXPECT_EQ(events, 0);
}

TEST(LineSplitter, HandsOverEachLine) {
  LineSplitter splitter;
  std::vector<std::string> lines;
  auto sink = [&](std::string_view line) { lines.emplace_back(line); };
  EXPECT_TRUE(splitter.feed("{\"a\":1}\n\n{\"b\":2}\r\n  \n{\"c\"", sink));
  EXPECT_EQ(lines, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
  EXPECT_TRUE(splitter.feed(":3}\n{\"d\":4}", sink));
  EXPECT_EQ(lines.size(), 3u);
  splitter.finish(sink);
  EXPECT_EQ(lines, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}", "{\"d\":4}"}));
}

TEST(LineSplitter, EverySplitPointGivesIdenticalLines) {
  const std::string stream = "{\"message\":{\"content\":\"Hi\"}}\n{\"done\":false}\r\n\n{\"done\":true}\n";
  auto run = [&](size_t i) {
    LineSplitter splitter;
    std::vector<std::string> lines;
    auto sink = [&](std::string_view line) { lines.emplace_back(line); };
    splitter.feed(stream.substr(0, i), sink);
    splitter.feed(stream.substr(i), sink);
    splitter.finish(sink);
    return lines;
  };
  const std::vector<std::string> expected{"{\"message\":{\"content\":\"Hi\"}}", "{\"done\":false}", "{\"done\":true}"};
  for (size_t i = 0; i <= stream.size(); ++i) EXPECT_EQ(run(i), expected) << "split at " << i;
}

TEST(LineSplitter, LongLineFails) {
  LineSplitter splitter(4);
  std::vector<std::string> lines;
  auto sink = [&](std::string_view line) { lines.emplace_back(line); };
  EXPECT_TRUE(splitter.feed("1234\n12", sink));
  EXPECT_FALSE(splitter.feed("345", sink));
  EXPECT_TRUE(splitter.failed());
  EXPECT_FALSE(splitter.feed("\n1\n", sink));
  splitter.finish(sink);
  EXPECT_EQ(lines, std::vector<std::string>{"1234"});
}

}  // namespace
}  // namespace warden::http
