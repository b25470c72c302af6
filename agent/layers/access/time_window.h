// A rule's `time:` criterion: days of the week and a from-to span of the
// clock in UTC or one fixed offset. No named zones (no tz database, no
// daylight-saving changes): "+02:00" stays +02:00 all year.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace warden::access {

struct TimeWindow {
  uint8_t days = 0x7f;     // bit 0 = Monday ... bit 6 = Sunday, of the local date
  int fromMinute = 0;      // inclusive, minutes after local midnight
  int toMinute = 24 * 60;  // exclusive; from > to spans midnight (22:00-06:00)
  int offsetMinutes = 0;   // local = UTC + offset

  bool contains(std::chrono::system_clock::time_point time) const;
  std::string describe() const;
};

// "09:00" -> 540; "24:00" only when `allowEndOfDay`.
std::optional<int> parseClockTime(std::string_view text, bool allowEndOfDay);
// "UTC", "Z", "+02:00", "-05:30", "UTC+01:00" -> minutes east of UTC.
std::optional<int> parseZoneOffset(std::string_view text);
// "mon".."sun" (or full names) -> 0..6.
std::optional<int> parseWeekday(std::string_view text);

}  // namespace warden::access
