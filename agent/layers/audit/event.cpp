#include "layers/audit/event.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <ctime>
#include <random>

#include "core/unique_fd.h"

namespace warden::audit {
namespace {

const char* typeName(EventType type) {
  switch (type) {
    case EventType::Request: return "request";
    case EventType::Tunnel: return "tunnel";
    case EventType::WebSocketOpen: return "websocket_open";
    case EventType::WebSocket: return "websocket";
    case EventType::AgentStart: return "agent_start";
    case EventType::AgentStop: return "agent_stop";
    case EventType::SinkTrouble: return "sink_trouble";
    case EventType::SinkRecovered: return "sink_recovered";
    case EventType::PolicyLoad: return "policy_load";
  }
  return "unknown";
}

void appendDigits(std::string& out, long long value, int width) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  for (auto n = static_cast<int>(end - buf); n < width; ++n) out += '0';
  out.append(buf, end);
}

// RFC 3339 in UTC with nanoseconds: 2025-01-31T12:00:00.123456789Z.
void appendRfc3339(std::string& out, std::chrono::system_clock::time_point time) {
  auto sinceEpoch = std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch());
  auto secs = std::chrono::floor<std::chrono::seconds>(sinceEpoch);
  auto nanos = (sinceEpoch - secs).count();
  // Events come in bursts within one second: break the date down once.
  thread_local long long cachedSecond = -1;
  thread_local std::tm tm{};
  if (secs.count() != cachedSecond) {
    std::time_t t = static_cast<std::time_t>(secs.count());
    gmtime_r(&t, &tm);
    cachedSecond = secs.count();
  }
  appendDigits(out, tm.tm_year + 1900, 4);
  out += '-';
  appendDigits(out, tm.tm_mon + 1, 2);
  out += '-';
  appendDigits(out, tm.tm_mday, 2);
  out += 'T';
  appendDigits(out, tm.tm_hour, 2);
  out += ':';
  appendDigits(out, tm.tm_min, 2);
  out += ':';
  appendDigits(out, tm.tm_sec, 2);
  out += '.';
  appendDigits(out, nanos, 9);
  out += 'Z';
}

// Length of the valid UTF-8 sequence starting at s[i] (RFC 3629: no
// overlongs, no surrogates, nothing above U+10FFFF), 0 if it is not one.
size_t utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t lead = byte(i);
  size_t length = 0;
  uint8_t low = 0x80, high = 0xBF;  // range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

// A JSON string. Client-supplied text may be invalid UTF-8: each bad byte
// becomes U+FFFD rather than an unparseable line.
void appendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // start of bytes copied as they are
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (const size_t n = utf8SequenceLength(s, i); n > 0) {
        i += n;
        continue;
      }
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += "\xEF\xBF\xBD";
        }
    }
    run = ++i;
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

// Writes one JSON object; keys must be given in sorted order (the order the
// log has always had).
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  ~ObjectWriter() { out_ += '}'; }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  std::string& key(std::string_view name) {
    if (!empty_) out_ += ',';
    empty_ = false;
    out_ += '"';
    out_ += name;
    out_ += "\":";
    return out_;
  }
  void string(std::string_view name, std::string_view value) { appendString(key(name), value); }
  void boolean(std::string_view name, bool value) { key(name) += value ? "true" : "false"; }
  void strings(std::string_view name, const std::vector<std::string>& values) {
    std::string& out = key(name);
    out += '[';
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out += ',';
      appendString(out, values[i]);
    }
    out += ']';
  }
  // Scores in [0, 1]: three decimals say all a reader needs.
  void fraction(std::string_view name, double value) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::fixed, 3);
    key(name).append(buf, end);
  }
  void number(std::string_view name, long long value) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
    key(name).append(buf, end);
  }
  void number(std::string_view name, unsigned long long value) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
    key(name).append(buf, end);
  }

 private:
  std::string& out_;
  bool empty_ = true;
};

bool fillRandom(uint8_t* out, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = getrandom(out + done, len - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    done += static_cast<size_t>(n);
  }
  if (done == len) return true;
  // Kernels without getrandom(2), or seccomp filters that refuse it.
  UniqueFd fd(::open("/dev/urandom", O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  done = 0;
  while (done < len) {
    ssize_t n = ::read(fd.get(), out + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// xoshiro256**, seeded once per thread from the kernel's CSPRNG. Ids only
// need to be unique, not secret; a getrandom() per event showed up in
// profiles of the data path.
class IdGenerator {
 public:
  IdGenerator() {
    if (!fillRandom(reinterpret_cast<uint8_t*>(s_.data()), sizeof(s_))) {
      std::random_device device;
      for (auto& word : s_) word = (uint64_t{device()} << 32) ^ device();
    }
    if (s_[0] == 0 && s_[1] == 0 && s_[2] == 0 && s_[3] == 0) s_[0] = 1;  // the one state that never leaves
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_{};
};

// "files":[{"bytes":..,"content_type":..,"filename":..,"name":..}]: the
// form field is "name", as Content-Disposition calls it.
void writeFiles(ObjectWriter& request, const std::vector<UploadedFileRecord>& files) {
  std::string& out = request.key("files");
  out += '[';
  for (size_t i = 0; i < files.size(); ++i) {
    if (i > 0) out += ',';
    ObjectWriter file(out);
    file.number("bytes", static_cast<unsigned long long>(files[i].bytes));
    if (!files[i].contentType.empty()) file.string("content_type", files[i].contentType);
    file.string("filename", files[i].filename);
    file.string("name", files[i].field);
  }
  out += ']';
}

void writeLlmRequest(ObjectWriter& llm, const LlmRequestRecord& request) {
  ObjectWriter out(llm.key("request"));
  if (!request.files.empty()) writeFiles(out, request.files);
  if (request.parsed) out.number("messages", static_cast<unsigned long long>(request.messages));
  if (!request.model.empty()) out.string("model", request.model);
  if (!request.parseError.empty()) out.string("parse_error", request.parseError);
  if (!request.promptHash.empty()) out.string("prompt_hash", request.promptHash);
  if (request.parsed) out.boolean("stream", request.stream);
  if (request.parsed) out.number("tools", static_cast<unsigned long long>(request.toolNames.size()));
  if (!request.toolNames.empty()) out.strings("tools_declared", request.toolNames);
}

void writeLlmResponse(ObjectWriter& llm, const LlmResponseRecord& response) {
  ObjectWriter out(llm.key("response"));
  if (!response.completionHash.empty()) out.string("completion_hash", response.completionHash);
  if (!response.providerError.empty()) out.string("error", response.providerError);
  if (!response.finishReason.empty()) out.string("finish_reason", response.finishReason);
  if (!response.model.empty()) out.string("model", response.model);
  if (!response.parseError.empty()) out.string("parse_error", response.parseError);
  out.number("tool_calls", static_cast<unsigned long long>(response.toolCallNames.size()));
  if (!response.toolCallNames.empty()) out.strings("tools_called", response.toolCallNames);
  if (response.inputTokens || response.outputTokens) {
    ObjectWriter usage(out.key("usage"));
    if (response.inputTokens) usage.number("input_tokens", static_cast<unsigned long long>(*response.inputTokens));
    if (response.outputTokens) usage.number("output_tokens", static_cast<unsigned long long>(*response.outputTokens));
  }
}

void writeLlm(ObjectWriter& top, const LlmRecord& record) {
  ObjectWriter llm(top.key("llm"));
  if (!record.operation.empty()) llm.string("operation", record.operation);
  if (!record.provider.empty()) llm.string("provider", record.provider);
  if (record.request) writeLlmRequest(llm, *record.request);
  if (record.response) writeLlmResponse(llm, *record.response);
}

void writeWebSocket(ObjectWriter& top, const WebSocketRecord& record) {
  ObjectWriter out(top.key("websocket"));
  out.number("events_from_client", static_cast<unsigned long long>(record.eventsFromClient));
  out.number("events_to_client", static_cast<unsigned long long>(record.eventsToClient));
  out.number("malformed", static_cast<unsigned long long>(record.malformed));
  out.number("messages_from_client", static_cast<unsigned long long>(record.messagesFromClient));
  out.number("messages_to_client", static_cast<unsigned long long>(record.messagesToClient));
  if (!record.openEvent.empty()) out.string("open_event", record.openEvent);
  if (!record.refused.empty()) out.string("refused", record.refused);
  out.number("uninspected", static_cast<unsigned long long>(record.uninspected));
  if (!record.unreadable.empty()) out.string("unreadable", record.unreadable);
}

void writeValidation(ObjectWriter& top, const ValidationRecord& record) {
  ObjectWriter out(top.key("validation"));
  out.number("bytes", static_cast<unsigned long long>(record.bytes));
  out.number("duration_us", static_cast<long long>(record.duration.count()));
  if (!record.error.empty()) out.string("error", record.error);
  std::string& findings = out.key("findings");
  findings += '[';
  for (size_t i = 0; i < record.findings.size(); ++i) {
    const auto& finding = record.findings[i];
    if (i > 0) findings += ',';
    ObjectWriter item(findings);
    item.string("category", finding.category);
    if (!finding.detail.empty()) item.string("detail", finding.detail);
    item.string("id", finding.id);
    item.number("length", static_cast<unsigned long long>(finding.length));
    item.number("offset", static_cast<unsigned long long>(finding.offset));
    item.string("part", finding.part);
    item.fraction("score", finding.score);
    item.string("severity", finding.severity);
    item.number("text", static_cast<unsigned long long>(finding.text));
    item.string("verdict", finding.verdict);
  }
  findings += ']';
  out.number("hidden_characters", static_cast<unsigned long long>(record.hiddenCharacters));
  out.number("sanitized_texts", static_cast<unsigned long long>(record.sanitizedTexts));
  out.number("texts", static_cast<unsigned long long>(record.texts));
  out.string("verdict", record.verdict);
}

void writeWorkload(ObjectWriter& top, const WorkloadRecord& record) {
  ObjectWriter out(top.key("workload"));
  out.string("cgroup", record.cgroup);
  if (!record.container.empty()) out.string("container", record.container);
  if (!record.executable.empty()) out.string("executable", record.executable);
  if (!record.executableSha256.empty()) out.string("executable_sha256", record.executableSha256);
  if (!record.group.empty()) out.string("group", record.group);
  out.string("key", record.key);
  if (!record.pod.empty()) out.string("pod", record.pod);
  if (!record.runtime.empty()) out.string("runtime", record.runtime);
  if (!record.slice.empty()) out.string("slice", record.slice);
  if (!record.unit.empty()) out.string("unit", record.unit);
  if (!record.user.empty()) out.string("user", record.user);
}

void writeAccess(ObjectWriter& top, const AccessRecord& record) {
  ObjectWriter out(top.key("access"));
  out.string("action", record.action);
  if (record.brokered) out.boolean("brokered", true);
  if (!record.budget.empty()) out.string("budget", record.budget);
  out.boolean("enforced", record.enforced);
  if (!record.flags.empty()) out.strings("flags", record.flags);
  if (!record.key.empty()) out.string("key", record.key);
  if (!record.limit.empty()) out.string("limit", record.limit);
  if (!record.policy.empty()) out.string("policy", record.policy);
  if (!record.reason.empty()) out.string("reason", record.reason);
  if (record.retryAfterSeconds > 0) {
    out.number("retry_after_s", static_cast<unsigned long long>(record.retryAfterSeconds));
  }
  if (!record.rule.empty()) out.string("rule", record.rule);
  if (!record.source.empty()) out.string("source", record.source);
}

void writeAnomaly(ObjectWriter& top, const AnomalyRecord& record) {
  ObjectWriter out(top.key("anomaly"));
  out.strings("reasons", record.reasons);
  out.number("requests", static_cast<unsigned long long>(record.requests));
  out.fraction("score", record.score);
}

void writeCapture(ObjectWriter& top, const CaptureRecord& record) {
  ObjectWriter out(top.key("capture"));
  if (!record.completion.empty()) out.string("completion", record.completion);
  out.string("entry", record.entry);
  out.number("masked", static_cast<unsigned long long>(record.masked));
  std::string& prompt = out.key("prompt");
  prompt += '[';
  for (size_t i = 0; i < record.prompt.size(); ++i) {
    if (i > 0) prompt += ',';
    ObjectWriter item(prompt);
    item.string("part", record.prompt[i].part);
    item.string("text", record.prompt[i].text);
  }
  prompt += ']';
  if (record.truncated) out.boolean("truncated", true);
}

void writeSensitiveData(ObjectWriter& top, const SensitiveDataRecord& record) {
  ObjectWriter out(top.key("sensitive_data"));
  out.number("duration_us", static_cast<long long>(record.duration.count()));
  if (!record.error.empty()) out.string("error", record.error);
  std::string& findings = out.key("findings");
  findings += '[';
  for (size_t i = 0; i < record.findings.size(); ++i) {
    const auto& finding = record.findings[i];
    if (i > 0) findings += ',';
    ObjectWriter item(findings);
    item.string("class", finding.dataClass);
    item.string("id", finding.id);
    item.number("length", static_cast<unsigned long long>(finding.length));
    item.number("offset", static_cast<unsigned long long>(finding.offset));
    item.number("text", static_cast<unsigned long long>(finding.text));
    item.string("type", finding.type);
  }
  findings += ']';
  out.number("masked_texts", static_cast<unsigned long long>(record.maskedTexts));
  out.number("pii", static_cast<unsigned long long>(record.pii));
  out.number("secrets", static_cast<unsigned long long>(record.secrets));
}

void writeEvent(std::string& out, const Event& event, std::string_view hostName) {
  ObjectWriter top(out);
  if (event.access) writeAccess(top, *event.access);
  if (event.anomaly) writeAnomaly(top, *event.anomaly);
  if (event.capture) writeCapture(top, *event.capture);
  if (event.originalDst || !event.mode.empty() || !event.sni.empty()) {
    ObjectWriter connection(top.key("connection"));
    if (!event.mode.empty()) connection.string("mode", event.mode);
    if (event.originalDst) connection.string("original_dst", event.originalDst->toString());
    if (!event.sni.empty()) connection.string("sni", event.sni);
  }
  if (!event.decision.empty()) top.string("decision", event.decision);
  if (event.duration.count() > 0) top.number("duration_us", static_cast<long long>(event.duration.count()));
  if (!event.error.empty()) top.string("error", event.error);
  top.string("host", hostName);
  top.string("id", event.id);
  if (event.identity) {
    const auto& id = *event.identity;
    ObjectWriter identity(top.key("identity"));
    identity.number("cgroup_id", static_cast<unsigned long long>(id.cgroupId));
    identity.string("comm", id.comm);
    identity.number("gid", static_cast<unsigned long long>(id.gid));
    identity.number("netns_cookie", static_cast<unsigned long long>(id.netnsCookie));
    identity.number("pid", static_cast<unsigned long long>(id.tgid));
    identity.string("source", id.source == IdentitySource::SocketDiag ? "sock_diag" : "connect");
    identity.number("tid", static_cast<unsigned long long>(id.pid));
    identity.number("uid", static_cast<unsigned long long>(id.uid));
  }
  if (event.llm) writeLlm(top, *event.llm);
  if (event.policy) {
    ObjectWriter policy(top.key("policy"));
    policy.number("budgets", static_cast<unsigned long long>(event.policy->budgets));
    policy.strings("files", event.policy->files);
    policy.number("keys", static_cast<unsigned long long>(event.policy->keys));
    policy.number("rules", static_cast<unsigned long long>(event.policy->rules));
    policy.string("trigger", event.policy->trigger);
  }
  if (!event.method.empty() || !event.path.empty() || !event.httpHost.empty() || event.bytesFromClient > 0) {
    ObjectWriter request(top.key("request"));
    request.number("bytes", static_cast<unsigned long long>(event.bytesFromClient));
    if (!event.httpHost.empty()) request.string("host", event.httpHost);
    if (!event.method.empty()) request.string("method", event.method);
    if (!event.path.empty()) request.string("path", event.path);
  }
  if (event.status != 0 || event.bytesToClient > 0) {
    ObjectWriter response(top.key("response"));
    response.number("bytes", static_cast<unsigned long long>(event.bytesToClient));
    if (event.status != 0) response.number("status", static_cast<long long>(event.status));
  }
  top.string("schema", "warden.event/v1");
  if (event.sensitiveData) writeSensitiveData(top, *event.sensitiveData);
  if (event.sink) {
    ObjectWriter sink(top.key("sink"));
    sink.string("destination", event.sink->destination);
    if (event.sink->downFor.count() > 0) sink.number("down_ms", static_cast<long long>(event.sink->downFor.count()));
    if (!event.sink->error.empty()) sink.string("error", event.sink->error);
    sink.string("name", event.sink->name);
  }
  std::string& time = top.key("time");
  time += '"';
  appendRfc3339(time, event.time);
  time += '"';
  top.string("type", typeName(event.type));
  if (event.validation) writeValidation(top, *event.validation);
  if (event.websocket) writeWebSocket(top, *event.websocket);
  if (event.workload) writeWorkload(top, *event.workload);
}

}  // namespace

std::string newEventId() {
  thread_local IdGenerator generator;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (size_t half = 0; half < 2; ++half) {
    uint64_t word = generator.next();
    for (size_t i = 0; i < 16; ++i, word >>= 4) id[half * 16 + 15 - i] = kHex[word & 0xf];
  }
  return id;
}

void appendTimestamp(std::string& out, std::chrono::system_clock::time_point time) { appendRfc3339(out, time); }

void appendJsonLine(std::string& out, const Event& event, std::string_view hostName) {
  writeEvent(out, event, hostName);
  out += '\n';
}

nlohmann::json toJson(const Event& event, const std::string& hostName) {
  std::string line;
  writeEvent(line, event, hostName);
  return nlohmann::json::parse(line);
}

}  // namespace warden::audit
