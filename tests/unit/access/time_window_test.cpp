#include "layers/access/time_window.h"

#include <gtest/gtest.h>

namespace warden::access {
namespace {

using namespace std::chrono;

// 2026-11-23 is a Monday.
system_clock::time_point at(int day, int hour, int minute) {
  return sys_days(year{2026} / November / day) + hours(hour) + minutes(minute);
}

TEST(TimeWindowTest, DaysAndHoursInUtc) {
  TimeWindow w;
  w.days = 0x1f;  // mon-fri
  w.fromMinute = 9 * 60;
  w.toMinute = 18 * 60;
  EXPECT_TRUE(w.contains(at(23, 9, 0)));
  EXPECT_TRUE(w.contains(at(27, 17, 59)));   // Friday
  EXPECT_FALSE(w.contains(at(23, 18, 0)));   // `to` is exclusive
  EXPECT_FALSE(w.contains(at(23, 8, 59)));
  EXPECT_FALSE(w.contains(at(28, 12, 0)));   // Saturday
}

TEST(TimeWindowTest, FixedOffsetShiftsTheLocalClockAndDate) {
  TimeWindow w;
  w.days = 0x01;  // Monday, local
  w.fromMinute = 0;
  w.toMinute = 60;
  w.offsetMinutes = 120;
  EXPECT_TRUE(w.contains(at(22, 22, 30)));   // Sunday 22:30 UTC = Monday 00:30 +02:00
  EXPECT_FALSE(w.contains(at(23, 0, 30)));   // Monday 02:30 local
}

TEST(TimeWindowTest, WindowAcrossMidnight) {
  TimeWindow w;
  w.fromMinute = 22 * 60;
  w.toMinute = 6 * 60;
  EXPECT_TRUE(w.contains(at(23, 23, 0)));
  EXPECT_TRUE(w.contains(at(23, 5, 59)));
  EXPECT_FALSE(w.contains(at(23, 12, 0)));
}

TEST(TimeWindowTest, ParsesClockZoneAndDay) {
  EXPECT_EQ(parseClockTime("09:30", false), 570);
  EXPECT_EQ(parseClockTime("24:00", true), 1440);
  EXPECT_EQ(parseClockTime("24:00", false), std::nullopt);
  EXPECT_EQ(parseClockTime("9:30", false), std::nullopt);
  EXPECT_EQ(parseClockTime("12:60", false), std::nullopt);
  EXPECT_EQ(parseZoneOffset("UTC"), 0);
  EXPECT_EQ(parseZoneOffset("+05:30"), 330);
  EXPECT_EQ(parseZoneOffset("UTC-08:00"), -480);
  EXPECT_EQ(parseZoneOffset("Europe/Paris"), std::nullopt);
  EXPECT_EQ(parseWeekday("Sat"), 5);
  EXPECT_EQ(parseWeekday("sunday"), 6);
  EXPECT_EQ(parseWeekday("funday"), std::nullopt);
}

}  // namespace
}  // namespace warden::access
