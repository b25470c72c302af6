#include "layers/access/time_window.h"

#include <array>
#include <cctype>

namespace warden::access {
namespace {

constexpr std::array<const char*, 7> kDayNames = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::array<const char*, 7> kFullDayNames = {"monday", "tuesday", "wednesday", "thursday",
                                                      "friday", "saturday", "sunday"};

std::string clockText(int minute) {
  std::string out;
  out += static_cast<char>('0' + minute / 600);
  out += static_cast<char>('0' + minute / 60 % 10);
  out += ':';
  out += static_cast<char>('0' + minute % 60 / 10);
  out += static_cast<char>('0' + minute % 10);
  return out;
}

}  // namespace

bool TimeWindow::contains(std::chrono::system_clock::time_point time) const {
  using namespace std::chrono;
  const auto local = floor<minutes>(time) + minutes(offsetMinutes);
  const auto day = floor<std::chrono::days>(local);
  const int minute = static_cast<int>((local - day).count());
  // weekday(): 0 = Sunday; shift so 0 = Monday.
  const unsigned weekday = (std::chrono::weekday(day).c_encoding() + 6) % 7;
  if (!(days & (1u << weekday))) return false;
  if (fromMinute <= toMinute) return minute >= fromMinute && minute < toMinute;
  return minute >= fromMinute || minute < toMinute;
}

std::string TimeWindow::describe() const {
  std::string out;
  for (int d = 0; d < 7; ++d) {
    if (days & (1u << d)) out += (out.empty() ? "" : ",") + std::string(kDayNames[d]);
  }
  out += " " + clockText(fromMinute) + "-" + clockText(toMinute);
  if (offsetMinutes == 0) {
    out += " UTC";
  } else {
    const int abs = offsetMinutes < 0 ? -offsetMinutes : offsetMinutes;
    out += std::string(" UTC") + (offsetMinutes < 0 ? "-" : "+") + clockText(abs);
  }
  return out;
}

std::optional<int> parseClockTime(std::string_view text, bool allowEndOfDay) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (minutes > 59) return std::nullopt;
  if (hours == 24 && minutes == 0 && allowEndOfDay) return 24 * 60;
  if (hours > 23) return std::nullopt;
  return hours * 60 + minutes;
}

std::optional<int> parseZoneOffset(std::string_view text) {
  if (text == "UTC" || text == "Z" || text == "utc") return 0;
  if (text.starts_with("UTC")) text.remove_prefix(3);
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  auto clock = parseClockTime(text.substr(1), false);
  if (!clock || *clock > 14 * 60) return std::nullopt;
  return text[0] == '-' ? -*clock : *clock;
}

std::optional<int> parseWeekday(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int d = 0; d < 7; ++d) {
    if (lower == kDayNames[d] || lower == kFullDayNames[d]) return d;
  }
  return std::nullopt;
}

}  // namespace warden::access
