#include "layers/audit/sinks/syslog_message.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace warden::audit {
namespace {

constexpr std::string_view kNil = "-";
constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kMaxHostName = 255;
constexpr size_t kMaxMsgId = 32;
constexpr size_t kMaxFractionDigits = 6;

enum Severity { kWarning = 4, kNotice = 5, kInfo = 6 };

std::string_view stringField(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

int severityOf(const nlohmann::json& event) {
  const std::string_view decision = stringField(event, "decision");
  std::string_view verdict;
  if (auto it = event.find("validation"); it != event.end()) verdict = stringField(*it, "verdict");
  if (decision == "deny" || verdict == "block" || verdict == "flag") return kWarning;
  if (decision == "allow") return kNotice;
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
  if (!digits(time, 0, 4) || time.size() <= kSecondsEnd || time[4] != '-' || !digits(time, 5, 2) ||
      time[7] != '-' || !digits(time, 8, 2) || (time[10] != 'T' && time[10] != 't') || !digits(time, 11, 2) ||
      time[13] != ':' || !digits(time, 14, 2) || time[16] != ':' || !digits(time, 17, 2)) {
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
  } else if (offset.size() == 6 && (offset[0] == '+' || offset[0] == '-') && digits(offset, 1, 2) &&
             offset[3] == ':' && digits(offset, 4, 2)) {
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

  std::string out;
  out.reserve(line.size() + 160);
  out += '<';
  out += std::to_string(kSyslogFacilityLogAudit * 8 + (parsed ? severityOf(event) : kInfo));
  out += ">1 ";
  out += parsed ? syslogTimestamp(stringField(event, "time")) : std::string(kNil);
  out += ' ';
  out += headerField(parsed ? stringField(event, "host") : std::string_view{}, kMaxHostName);
  out += ' ';
  out += kSyslogAppName;
  out += ' ';
  out += std::to_string(procId);
  out += ' ';
  out += headerField(parsed ? stringField(event, "type") : std::string_view{}, kMaxMsgId);
  out += ' ';
  const std::string_view id = parsed ? stringField(event, "id") : std::string_view{};
  if (id.empty()) {
    out += kNil;
  } else {
    out += '[';
    out += kSyslogSdId;
    out += " id=\"";
    appendParamValue(out, id);
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
