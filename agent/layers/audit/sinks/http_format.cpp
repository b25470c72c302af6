#include "layers/audit/sinks/http_format.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/audit/hash_chain.h"

namespace warden::audit {
namespace {

using Json = nlohmann::json;

struct LineFields {
  std::string id;
  std::string host;
  std::optional<int64_t> timeNs;
};

LineFields fieldsOf(std::string_view line) {
  LineFields out;
  const Json parsed = Json::parse(line, nullptr, false);
  if (!parsed.is_object()) return out;
  if (auto it = parsed.find("id"); it != parsed.end() && it->is_string()) out.id = it->get<std::string>();
  if (auto it = parsed.find("host"); it != parsed.end() && it->is_string()) out.host = it->get<std::string>();
  if (auto it = parsed.find("time"); it != parsed.end() && it->is_string()) {
    out.timeNs = parseRfc3339(it->get_ref<const std::string&>());
  }
  return out;
}

// A JSON string; invalid UTF-8 is replaced rather than thrown on.
std::string jsonString(std::string_view text) {
  return Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool readNumber(std::string_view text, size_t at, size_t digits, int& out) {
  if (at + digits > text.size()) return false;
  const char* begin = text.data() + at;
  auto [end, ec] = std::from_chars(begin, begin + digits, out);
  return ec == std::errc() && end == begin + digits;
}

std::string snippet(std::string_view body) {
  std::string out(body.substr(0, 200));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return out;
}

}  // namespace

std::optional<int64_t> parseRfc3339(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 20 || !readNumber(text, 0, 4, year) || text[4] != '-' || !readNumber(text, 5, 2, month) ||
      text[7] != '-' || !readNumber(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
      !readNumber(text, 11, 2, hour) || text[13] != ':' || !readNumber(text, 14, 2, minute) || text[16] != ':' ||
      !readNumber(text, 17, 2, second)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  size_t at = 19;
  int64_t fraction = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    int64_t scale = 100'000'000;
    const size_t first = at;
    for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
      fraction += (text[at] - '0') * scale;  // digits past nanoseconds add 0
      scale /= 10;
    }
    if (at == first) return std::nullopt;
  }
  int64_t offsetSeconds = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    int offsetHours = 0, offsetMinutes = 0;
    if (!readNumber(text, at + 1, 2, offsetHours) || at + 3 >= text.size() || text[at + 3] != ':' ||
        !readNumber(text, at + 4, 2, offsetMinutes)) {
      return std::nullopt;
    }
    offsetSeconds = (int64_t{offsetHours} * 3600 + int64_t{offsetMinutes} * 60) * (text[at] == '-' ? -1 : 1);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  const int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const int64_t seconds = days * 86400 + int64_t{hour} * 3600 + int64_t{minute} * 60 + second - offsetSeconds;
  return seconds * 1'000'000'000 + fraction;
}

HttpFormatter::HttpFormatter(HttpFormat format, std::string index, std::string localHost)
    : format_(format), index_(std::move(index)), localHost_(std::move(localHost)) {}

std::string_view HttpFormatter::defaultPath(HttpFormat format) {
  switch (format) {
    case HttpFormat::Elasticsearch:
      return "/_bulk";
    case HttpFormat::Splunk:
      return "/services/collector/event";
    case HttpFormat::Loki:
      return "/loki/api/v1/push";
  }
  return "/";
}

HttpPayload HttpFormatter::build(std::span<const std::string_view> lines) {
  HttpPayload payload;
  switch (format_) {
    case HttpFormat::Elasticsearch:
      payload.contentType = "application/x-ndjson";
      for (std::string_view line : lines) appendElasticsearch(payload.body, line);
      break;
    case HttpFormat::Splunk:
      payload.contentType = "application/json";
      for (std::string_view line : lines) appendSplunk(payload.body, line);
      break;
    case HttpFormat::Loki:
      payload.contentType = "application/json";
      buildLoki(payload.body, lines);
      break;
  }
  return payload;
}

void HttpFormatter::appendElasticsearch(std::string& body, std::string_view line) const {
  LineFields fields = fieldsOf(line);
  const std::string id = fields.id.empty() ? toHex(sha256Of(line)) : std::move(fields.id);
  body += "{\"create\":{\"_index\":";
  body += jsonString(index_);
  body += ",\"_id\":";
  body += jsonString(id);
  body += "}}\n";
  body += line;
  body += '\n';
}

void HttpFormatter::appendSplunk(std::string& body, std::string_view line) const {
  const LineFields fields = fieldsOf(line);
  int64_t ns = fields.timeNs.value_or(nowNs());
  if (ns < 0) ns = nowNs();
  char time[48];
  std::snprintf(time, sizeof time, "%lld.%03lld", static_cast<long long>(ns / 1'000'000'000),
                static_cast<long long>(ns % 1'000'000'000 / 1'000'000));
  body += "{\"time\":";
  body += time;
  body += ",\"host\":";
  body += jsonString(fields.host.empty() ? localHost_ : fields.host);
  body += ",\"sourcetype\":\"warden:event\",\"event\":";
  body += line;
  body += '}';
}

void HttpFormatter::buildLoki(std::string& body, std::span<const std::string_view> lines) {
  lokiPending_ = lokiLatest_;
  std::vector<std::pair<std::string, std::string>> streams;  // host, values
  for (std::string_view line : lines) {
    const LineFields fields = fieldsOf(line);
    const std::string& host = fields.host.empty() ? localHost_ : fields.host;
    int64_t ns = fields.timeNs.value_or(nowNs());
    auto latest = lokiPending_.find(host);
    if (latest != lokiPending_.end() && ns < latest->second) ns = latest->second;
    lokiPending_[host] = ns;
    auto stream = std::find_if(streams.begin(), streams.end(), [&](const auto& s) { return s.first == host; });
    if (stream == streams.end()) stream = streams.insert(streams.end(), {host, std::string()});
    std::string& values = stream->second;
    if (!values.empty()) values += ',';
    values += "[\"" + std::to_string(ns) + "\",";
    values += jsonString(line);
    values += ']';
  }
  body += "{\"streams\":[";
  for (size_t i = 0; i < streams.size(); ++i) {
    if (i > 0) body += ',';
    body += "{\"stream\":{\"job\":\"warden\",\"host\":";
    body += jsonString(streams[i].first);
    body += "},\"values\":[";
    body += streams[i].second;
    body += "]}";
  }
  body += "]}";
}

void HttpFormatter::delivered() {
  if (format_ == HttpFormat::Loki) lokiLatest_ = lokiPending_;
}

Status HttpFormatter::check(unsigned status, std::string_view body) const {
  if (format_ == HttpFormat::Loki) {
    if (status == 204 || status == 200) return {};
    return Error{"Loki answered HTTP " + std::to_string(status) + ", not 204: " + snippet(body)};
  }
  if (status != 200) {
    return Error{"answered HTTP " + std::to_string(status) + ", not 200: " + snippet(body)};
  }
  const Json reply = Json::parse(body, nullptr, false);
  try {
    if (format_ == HttpFormat::Splunk) {
      if (!reply.is_object() || !reply.contains("code") || !reply["code"].is_number_integer()) {
        return Error{
            "the reply is not Splunk HEC's {\"code\":...} (check the url's path, "
            "/services/collector/event): " +
            snippet(body)};
      }
      if (reply["code"].get<int64_t>() == 0) return {};
      return Error{"Splunk HEC answered code " + std::to_string(reply["code"].get<int64_t>()) + ": " +
                   reply.value("text", std::string())};
    }
    if (!reply.is_object() || !reply.contains("items") || !reply["items"].is_array()) {
      return Error{"the reply is not a _bulk response (check that the url's path is .../_bulk): " + snippet(body)};
    }
    if (!reply.value("errors", false)) return {};
    size_t refused = 0;
    std::string first;
    for (const Json& item : reply["items"]) {
      if (!item.is_object() || item.empty() || !item.begin()->is_object()) continue;
      const Json& result = *item.begin();
      const int64_t itemStatus =
          result.contains("status") && result["status"].is_number() ? result["status"].get<int64_t>() : 0;
      if ((itemStatus >= 200 && itemStatus < 300) || itemStatus == 409) continue;  // 409: indexed by an earlier try
      if (refused++ > 0) continue;
      first = "status " + std::to_string(itemStatus);
      if (auto error = result.find("error"); error != result.end()) {
        if (error->is_object()) {
          first += ", " + error->value("type", std::string()) + ": " + error->value("reason", std::string());
        } else {
          first += ", " + error->dump(-1, ' ', false, Json::error_handler_t::replace);
        }
      }
    }
    if (refused == 0) return {};
    return Error{"Elasticsearch refused " + std::to_string(refused) + " of " + std::to_string(reply["items"].size()) +
                 " lines (first: " + first + ")"};
  } catch (const Json::exception& e) {
    return Error{std::string("unreadable reply: ") + e.what()};
  }
}

}  // namespace warden::audit
