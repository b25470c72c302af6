// Shared by the provider adapter tests: fixtures, feeding a response body to
// a reader in pieces, and comparing what was read.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "providers/adapter.h"
#include "providers/route.h"

namespace warden::providers::testing {

// Fixtures are built, and pointers checked, with a second JSON library: the
// adapters' own parser is not its own oracle.
using Json = nlohmann::json;

// `provider` is the fixture folder under tests/fixtures/providers.
inline std::string readFixture(const std::string& provider, const std::string& name) {
  const std::string path = std::string(WARDEN_TEST_FIXTURES) + "/providers/" + provider + "/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every TextRef names the value it was read from: the string itself, or the
// JSON of tool call arguments.
inline void expectPointersResolve(std::string_view body, const Request& request) {
  const Json json = Json::parse(body);
  const auto resolves = [&](const TextRef& ref) {
    if (ref.pointer.empty()) return;
    const Json& value = json.at(Json::json_pointer(ref.pointer));
    if (value.is_string()) {
      EXPECT_EQ(value.get<std::string>(), ref.text) << ref.pointer;
    } else {
      // Arguments given as an object keep the client's member order.
      EXPECT_EQ(value, Json::parse(ref.text, nullptr, false)) << ref.pointer << ": " << ref.text;
    }
  };
  for (const Message& message : request.messages) {
    for (const Part& part : message.parts) resolves(part.text);
    for (const ToolCall& call : message.toolCalls) resolves(call.arguments);
  }
  for (const ToolDefinition& tool : request.tools) resolves(tool.description);
}

inline void expectText(const Part& part, const std::string& text, const std::string& pointer,
                       Part::Kind kind = Part::Kind::Text, const std::string& mediaType = "") {
  EXPECT_EQ(part.kind, kind) << pointer;
  EXPECT_EQ(part.mediaType, mediaType) << pointer;
  EXPECT_EQ(part.text.text, text) << pointer;
  EXPECT_EQ(part.text.pointer, pointer);
  EXPECT_EQ(part.bytes, 0u) << pointer;
  EXPECT_EQ(part.reference, "") << pointer;
}

// A part that carries data (image, audio, file) rather than text.
inline void expectData(const Part& part, Part::Kind kind, const std::string& mediaType, uint64_t bytes,
                       const std::string& reference) {
  EXPECT_EQ(part.kind, kind);
  EXPECT_EQ(part.mediaType, mediaType);
  EXPECT_EQ(part.bytes, bytes);
  EXPECT_EQ(part.reference, reference);
  EXPECT_EQ(part.text.text, "");
  EXPECT_EQ(part.text.pointer, "");
}

// Every field, so two readings can be compared whole.
inline std::string describe(const Response& response) {
  Json out = {{"id", response.id},
              {"model", response.model},
              {"text", response.text},
              {"finishReason", response.finishReason},
              {"inputTokens", response.usage.inputTokens ? Json(*response.usage.inputTokens) : Json()},
              {"outputTokens", response.usage.outputTokens ? Json(*response.usage.outputTokens) : Json()},
              {"errorMessage", response.errorMessage ? Json(*response.errorMessage) : Json()},
              {"toolCalls", Json::array()}};
  for (const ToolCall& call : response.toolCalls) {
    out["toolCalls"].push_back({call.id, call.name, call.arguments.text, call.arguments.pointer});
  }
  return out.dump(1);
}

inline void expectSameResponse(const Response& actual, const Response& expected, const std::string& context) {
  SCOPED_TRACE(context);
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.model, expected.model);
  EXPECT_EQ(actual.text, expected.text);
  EXPECT_EQ(actual.finishReason, expected.finishReason);
  EXPECT_EQ(actual.usage.inputTokens, expected.usage.inputTokens);
  EXPECT_EQ(actual.usage.outputTokens, expected.usage.outputTokens);
  EXPECT_EQ(actual.errorMessage, expected.errorMessage);
  ASSERT_EQ(actual.toolCalls.size(), expected.toolCalls.size());
  for (size_t i = 0; i < actual.toolCalls.size(); ++i) {
    EXPECT_EQ(actual.toolCalls[i].id, expected.toolCalls[i].id) << i;
    EXPECT_EQ(actual.toolCalls[i].name, expected.toolCalls[i].name) << i;
    EXPECT_EQ(actual.toolCalls[i].arguments.text, expected.toolCalls[i].arguments.text) << i;
    EXPECT_EQ(actual.toolCalls[i].arguments.pointer, expected.toolCalls[i].arguments.pointer) << i;
  }
}

// What a reader made of a whole body.
struct Reading {
  Response response;
  bool failed = false;
  std::string failure;
};

// Feeds `pieces` one after another, then finishes.
inline Reading readPieces(const Adapter& adapter, const Route& route, std::string_view contentType,
                          const std::vector<std::string_view>& pieces, unsigned status = 200) {
  auto reader = adapter.readResponse(route, status, contentType);
  EXPECT_NE(reader, nullptr);
  for (const std::string_view piece : pieces) reader->feed(piece);
  reader->finish();
  return {reader->response(), reader->failed(), reader->failure()};
}

inline std::vector<std::string_view> byteByByte(std::string_view body) {
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < body.size(); ++i) bytes.push_back(body.substr(i, 1));
  return bytes;
}

using PieceReader = std::function<Reading(const std::vector<std::string_view>&)>;

// Split in two at every byte, then fed a byte at a time: always the same as
// the stream read whole.
inline void expectSplitsReadTheSame(const PieceReader& read, const std::string& stream) {
  const std::string whole = describe(read({stream}).response);
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    const std::string_view view(stream);
    const Reading reading = read({view.substr(0, cut), view.substr(cut)});
    ASSERT_FALSE(reading.failed) << cut << ": " << reading.failure;
    ASSERT_EQ(describe(reading.response), whole) << "split at " << cut;
  }
  EXPECT_EQ(describe(read(byteByByte(stream)).response), whole);
}

// 1500 copies of `stream`, each with a few bytes replaced by junk and fed in
// random pieces: the reader never crashes, and says why whenever it fails.
inline void expectCorruptionIsReported(const Adapter& adapter, const Route& route, std::string_view contentType,
                                       const std::string& stream, std::mt19937& random) {
  const std::string junk = "{}[]\":,\\ \n\r\xff\x80tfn0-";
  for (int round = 0; round < 1500; ++round) {
    std::string damaged = stream;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < edits; ++i) damaged[random() % damaged.size()] = junk[random() % junk.size()];
    auto reader = adapter.readResponse(route, 200, contentType);
    size_t at = 0;
    while (at < damaged.size()) {
      const size_t piece = 1 + random() % 64;
      reader->feed(std::string_view(damaged).substr(at, piece));
      at += piece;
    }
    reader->finish();
    EXPECT_EQ(reader->failed(), !reader->failure().empty());
  }
}

}  // namespace warden::providers::testing
