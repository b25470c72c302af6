// What reading a request and a response into the conversation model costs,
// next to the cost of parsing the same JSON alone (the floor any inspection
// pays) measured in the same run. Prints figures; it is not a test.
//
//   warden_extraction_bench [--seconds S]
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "http/sse_parser.h"
#include "providers/adapter.h"
#include "providers/json_body.h"
#include "providers/route.h"

namespace {

using warden::providers::adapterFor;
using warden::providers::route;

double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// CPU seconds per call of `work`, repeated for at least `seconds`.
double perCall(double seconds, const std::function<void()>& work) {
  work();  // warm caches and allocators
  unsigned long calls = 0;
  const double start = threadCpuSeconds();
  double now = start;
  while (now - start < seconds) {
    for (int i = 0; i < 8; ++i) work();
    calls += 8;
    now = threadCpuSeconds();
  }
  return (now - start) / static_cast<double>(calls);
}

std::string words(size_t bytes) {
  static const char* kWords[] = {"please", "summarise", "the", "quarterly", "report", "and", "list", "risks",
                                 "for", "our", "customers", "in", "three", "short", "bullet", "points"};
  std::string out;
  for (size_t i = 0; out.size() < bytes; ++i) {
    out += kWords[i % 16];
    out += ' ';
  }
  out.resize(bytes);
  return out;
}

// A chat request of about `bytes`: a system prompt and alternating turns.
std::string chatRequest(size_t bytes) {
  nlohmann::json body;
  body["model"] = "gpt-4o-mini";
  body["temperature"] = 0.2;
  auto& messages = body["messages"];
  messages.push_back({{"role", "system"}, {"content", "You are a careful assistant."}});
  const size_t turnBytes = bytes < 64 * 1024 ? 500 : 16 * 1024;
  for (size_t i = 0; body.dump().size() < bytes; ++i) {
    messages.push_back({{"role", i % 2 == 0 ? "user" : "assistant"}, {"content", words(turnBytes)}});
  }
  return body.dump();
}

// An OpenAI chat stream of `chunks` deltas of a few words each.
std::string chatStream(size_t chunks) {
  std::string out;
  for (size_t i = 0; i < chunks; ++i) {
    nlohmann::json chunk = {{"id", "chatcmpl-1"},
                            {"object", "chat.completion.chunk"},
                            {"model", "gpt-4o-mini"},
                            {"choices", {{{"index", 0}, {"delta", {{"content", words(24)}}}}}}};
    out += "data: " + chunk.dump() + "\n\n";
  }
  out += "data: [DONE]\n\n";
  return out;
}

void printRequestFigures(const char* name, const std::string& body, double seconds) {
  const auto r = route("api.openai.com", "POST", "/v1/chat/completions");
  const auto* adapter = adapterFor(r);
  size_t messages = 0;
  const double adapterSec = perCall(seconds, [&] {
    auto parsed = adapter->parseRequest(r, body);
    if (!parsed.ok()) {
      std::fprintf(stderr, "parse failed: %s\n", parsed.error().message.c_str());
      std::exit(1);
    }
    messages = parsed.value().messages.size();
  });
  // The floor: the adapters' own parser alone. And a node-per-value
  // parser for comparison, the kind most JSON libraries are.
  const double jsonSec = perCall(seconds, [&] {
    auto json = warden::providers::parseJsonBody(body, warden::providers::ParseLimits{}.maxDepth);
    if (!json.ok()) std::exit(1);
  });
  const double treeSec = perCall(seconds, [&] {
    auto json = nlohmann::json::parse(body);
    if (json.is_discarded()) std::exit(1);
  });
  const double mb = static_cast<double>(body.size()) / 1e6;
  std::printf("request_%s_bytes=%zu\n", name, body.size());
  std::printf("request_%s_messages=%zu\n", name, messages);
  std::printf("request_%s_extract_us=%.1f\n", name, adapterSec * 1e6);
  std::printf("request_%s_extract_mb_s=%.0f\n", name, mb / adapterSec);
  std::printf("request_%s_json_parse_only_us=%.1f\n", name, jsonSec * 1e6);
  std::printf("request_%s_nlohmann_parse_only_us=%.1f\n", name, treeSec * 1e6);
  std::printf("ratio_request_%s_extract_vs_json_parse=%.2f\n", name, adapterSec / jsonSec);
  std::printf("ratio_request_%s_extract_vs_nlohmann_parse=%.2f\n", name, adapterSec / treeSec);
}

void printStreamFigures(const std::string& stream, double seconds) {
  const auto r = route("api.openai.com", "POST", "/v1/chat/completions");
  const auto* adapter = adapterFor(r);
  constexpr size_t kPiece = 16 * 1024;  // the relay's piece size
  size_t textBytes = 0;
  const double readerSec = perCall(seconds, [&] {
    auto reader = adapter->readResponse(r, 200, "text/event-stream");
    for (size_t at = 0; at < stream.size(); at += kPiece) reader->feed(std::string_view(stream).substr(at, kPiece));
    reader->finish();
    textBytes = reader->response().text.size();
  });
  const double framingSec = perCall(seconds, [&] {
    warden::http::SseParser parser;
    size_t events = 0;
    for (size_t at = 0; at < stream.size(); at += kPiece) {
      parser.feed(std::string_view(stream).substr(at, kPiece), [&](const warden::http::SseEvent&) { ++events; });
    }
    if (events == 0) std::exit(1);
  });
  const double mb = static_cast<double>(stream.size()) / 1e6;
  std::printf("stream_bytes=%zu\n", stream.size());
  std::printf("stream_output_text_bytes=%zu\n", textBytes);
  std::printf("stream_assemble_mb_s=%.0f\n", mb / readerSec);
  std::printf("stream_sse_framing_only_mb_s=%.0f\n", mb / framingSec);
  std::printf("ratio_stream_assemble_vs_framing=%.2f\n", readerSec / framingSec);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 1.0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--seconds S]  (CPU seconds per figure, default 1)\n", argv[0]);
      return 2;
    }
  }
  std::printf("--- warden extraction bench (one thread, CPU time) ---\n");
  printRequestFigures("4kb", chatRequest(4 * 1024), seconds);
  printRequestFigures("1mb", chatRequest(1024 * 1024), seconds);
  printStreamFigures(chatStream(50000), seconds);
  std::printf("--- end ---\n");
  return 0;
}
