#include "layers/audit/sinks/syslog_message.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace warden::audit {
namespace {

constexpr std::string_view kNil = "-";
constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kMaxHostName = 255;
constexpr size_t kMaxMsgId = 32;
constexpr size_t kMaxFractionDigits = 6;

enum Severity { kWarning = 4, kNotice = 5, kInfo = 6 };

const nlohmann::json& member(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

std::string_view stringField(const nlohmann::json& object, const char* key) {
  const nlohmann::json& value = member(object, key);
  if (!value.is_string()) return {};
  return value.get_ref<const std::string&>();
}

// What the header is made of, read from a warden.event/v1 line or from its
// OCSF form (event_format: ocsf), where the same facts sit elsewhere.
struct HeaderValues {
  std::string timestamp{kNil};
  std::string_view host, type, id, decision, verdict;
};

// OCSF's time is epoch milliseconds.
std::string timestampOfMillis(const nlohmann::json& time) {
  if (!time.is_number_integer()) return std::string(kNil);
  const long long millis = time.get<long long>();
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  if (millis < 0 || ::gmtime_r(&seconds, &tm) == nullptr) return std::string(kNil);
  char text[64];  // wide enough for any int in tm, as -Wformat-truncation demands
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis % 1000);
  return text;
}

HeaderValues headerValues(const nlohmann::json& event) {
  HeaderValues out;
  if (event.contains("class_uid") && event.contains("metadata")) {
    const nlohmann::json& unmapped = member(event, "unmapped");
    out.timestamp = timestampOfMillis(member(event, "time"));
    out.host = stringField(member(event, "src_endpoint"), "hostname");
    out.type = stringField(unmapped, "type");
    out.id = stringField(member(event, "metadata"), "uid");
    out.decision = stringField(unmapped, "decision");
    out.verdict = stringField(member(unmapped, "validation"), "verdict");
  } else {
    out.timestamp = syslogTimestamp(stringField(event, "time"));
    out.host = stringField(event, "host");
    out.type = stringField(event, "type");
    out.id = stringField(event, "id");
    out.decision = stringField(event, "decision");
    out.verdict = stringField(member(event, "validation"), "verdict");
  }
  return out;
}

int severityOf(const HeaderValues& values) {
  if (values.decision == "deny" || values.verdict == "block" || values.verdict == "flag") return kWarning;
  if (values.decision == "allow") return kNotice;
  return kInfo;
}

// Header fields are 1*N PRINTUSASCII (%d33-126); an empty one is NILVALUE.
std::string headerField(std::string_view value, size_t maxLength) {
  if (value.empty()) return std::string(kNil);
  std::string out(value.substr(0, maxLength));
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 33 || byte > 126) c = '_';
  }
  return out;
}

// PARAM-VALUE: '"', '\' and ']' must be escaped (RFC 5424 §6.3.3).
void appendParamValue(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
}

bool digits(std::string_view text, size_t from, size_t count) {
  if (from + count > text.size()) return false;
  for (size_t i = from; i < from + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

}  // namespace

std::string syslogTimestamp(std::string_view time) {
  // FULL-DATE "T" PARTIAL-TIME: YYYY-MM-DDTHH:MM:SS
  constexpr size_t kSecondsEnd = 19;
  if (!digits(time, 0, 4) || time.size() <= kSecondsEnd || time[4] != '-' || !digits(time, 5, 2) || time[7] != '-' ||
      !digits(time, 8, 2) || (time[10] != 'T' && time[10] != 't') || !digits(time, 11, 2) || time[13] != ':' ||
      !digits(time, 14, 2) || time[16] != ':' || !digits(time, 17, 2)) {
    return std::string(kNil);
  }
  std::string out(time.substr(0, kSecondsEnd));
  out[10] = 'T';
  size_t pos = kSecondsEnd;
  if (time[pos] == '.') {
    size_t end = pos + 1;
    while (end < time.size() && std::isdigit(static_cast<unsigned char>(time[end]))) ++end;
    const size_t fraction = end - pos - 1;
    if (fraction == 0) return std::string(kNil);
    out += time.substr(pos, 1 + std::min(fraction, kMaxFractionDigits));
    pos = end;
  }
  const std::string_view offset = time.substr(pos);
  if (offset == "Z" || offset == "z") {
    out += 'Z';
  } else if (offset.size() == 6 && (offset[0] == '+' || offset[0] == '-') && digits(offset, 1, 2) && offset[3] == ':' &&
             digits(offset, 4, 2)) {
    out += offset;
  } else {
    return std::string(kNil);
  }
  return out;
}

std::string syslogMessage(std::string_view line, uint32_t procId) {
  // The parser validates UTF-8, which the BOM promises the receiver.
  const auto event = nlohmann::json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  const bool parsed = event.is_object();
  const HeaderValues values = parsed ? headerValues(event) : HeaderValues{};

  std::string out;
  out.reserve(line.size() + 160);
  out += '<';
  out += std::to_string(kSyslogFacilityLogAudit * 8 + severityOf(values));
  out += ">1 ";
  out += values.timestamp;
  out += ' ';
  out += headerField(values.host, kMaxHostName);
  out += ' ';
  out += kSyslogAppName;
  out += ' ';
  out += std::to_string(procId);
  out += ' ';
  out += headerField(values.type, kMaxMsgId);
  out += ' ';
  if (values.id.empty()) {
    out += kNil;
  } else {
    out += '[';
    out += kSyslogSdId;
    out += " id=\"";
    appendParamValue(out, values.id);
    out += "\"]";
  }
  out += ' ';
  if (parsed) out += kBom;
  out += line;
  return out;
}

void appendSyslogFrame(std::string& out, std::string_view line, uint32_t procId) {
  const std::string message = syslogMessage(line, procId);
  out += std::to_string(message.size());
  out += ' ';
  out += message;
}

}  // namespace warden::audit
