#include "bench_events.h"

#include <string>

namespace warden::bench {
namespace {

audit::Event makeTemplate() {
  audit::Event e;
  e.type = audit::EventType::Request;
  e.identity = KernelIdentity{48213, 48220, 1000, 1000, 10423, 4026531840, "python3"};
  e.originalDst = Endpoint::parseAddress("162.159.140.245", 443);
  e.sni = "api.openai.com";
  e.mode = "intercept";
  e.method = "POST";
  e.path = "/v1/chat/completions";
  e.httpHost = "api.openai.com";
  e.status = 200;
  e.decision = "allow";

  audit::LlmRecord llm;
  llm.provider = "openai";
  llm.operation = "chat_completions";
  audit::LlmRequestRecord request;
  request.parsed = true;
  request.model = "gpt-4o-mini";
  request.messages = 6;
  request.toolNames = {"search_documents", "get_weather"};
  request.promptHash = "hmac-sha256:4f7d2c0c5a8e1b39d6f0a7c2e4b8d1f3a5c7e9b0d2f4a6c8e0b2d4f6a8c0e2b4";
  llm.request = request;
  audit::LlmResponseRecord response;
  response.model = "gpt-4o-mini-2024-07-18";
  response.finishReason = "stop";
  response.inputTokens = 812;
  response.outputTokens = 164;
  response.completionHash = "hmac-sha256:9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c";
  llm.response = response;
  e.llm = llm;

  audit::ValidationRecord validation;
  validation.verdict = "allow";
  validation.texts = 6;
  validation.bytes = 3874;
  validation.duration = std::chrono::microseconds(412);
  e.validation = validation;

  e.bytesFromClient = 4315;
  e.bytesToClient = 1893;
  e.duration = std::chrono::microseconds(843211);
  return e;
}

const audit::Event& eventTemplate() {
  static const audit::Event kTemplate = makeTemplate();
  return kTemplate;
}

}  // namespace

audit::Event requestEvent(uint64_t n) {
  audit::Event e = eventTemplate();
  e.time = std::chrono::system_clock::now();
  e.identity->pid += static_cast<uint32_t>(n % 7);
  e.bytesFromClient += n % 997;
  e.bytesToClient += n % 4093;
  e.duration += std::chrono::microseconds(n % 100000);
  e.llm->response->outputTokens = *e.llm->response->outputTokens + n % 300;
  return e;
}

size_t requestEventLineBytes() {
  audit::Event e = requestEvent(0);
  e.id = audit::newEventId();
  std::string line;
  audit::appendJsonLine(line, e, "node-1.example.internal");
  return line.size();
}

}  // namespace warden::bench
