// The `limits:` section: bounds on what one request may make wardend hold.
#include <gtest/gtest.h>

#include "app/config.h"

namespace warden::app {
namespace {

std::string errorOf(const std::string& yaml) {
  auto config = parseConfig(yaml, "t.yaml");
  if (config) return "(parsed without error)";
  return config.error().message;
}

TEST(ConfigLimitsTest, DefaultsAreThoseDocumented) {
  const Config c = defaultConfig();
  EXPECT_EQ(c.maxRequestBodyBytes, 32u * 1024 * 1024);
  EXPECT_EQ(c.maxHeaderBytes, 64u * 1024);
  EXPECT_EQ(c.maxHeaderCount, 100u);
  EXPECT_EQ(c.maxJsonDepth, 64u);
}

TEST(ConfigLimitsTest, EveryLimitIsRead) {
  auto parsed = parseConfig(
      "limits:\n  max_request_body_bytes: 1048576\n  max_header_bytes: 0x4000\n  max_header_count: 50\n"
      "  max_json_depth: 32\n",
      "t.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->maxRequestBodyBytes, 1048576u);
  EXPECT_EQ(parsed->maxHeaderBytes, 16384u);
  EXPECT_EQ(parsed->maxHeaderCount, 50u);
  EXPECT_EQ(parsed->maxJsonDepth, 32u);
}

TEST(ConfigLimitsTest, ValuesOutOfRangeAreErrorsThatSayTheRange) {
  EXPECT_EQ(errorOf("limits: {max_request_body_bytes: 10}\n"),
            "t.yaml:1:34: limits.max_request_body_bytes: 10 is not a body size in bytes (1024-1073741824)");
  EXPECT_EQ(errorOf("limits: {max_header_bytes: 2000000}\n"),
            "t.yaml:1:28: limits.max_header_bytes: 2000000 is not a header size in bytes (1024-1048576)");
  EXPECT_EQ(errorOf("limits: {max_header_count: 0}\n"),
            "t.yaml:1:28: limits.max_header_count: 0 is not a header field count (8-10000)");
  EXPECT_EQ(errorOf("limits: {max_json_depth: 100000}\n"),
            "t.yaml:1:26: limits.max_json_depth: 100000 is not a JSON nesting depth (4-1024)");
  EXPECT_EQ(errorOf("limits: {max_json_depth: deep}\n"),
            "t.yaml:1:26: limits.max_json_depth: 'deep' is not a whole number");
}

TEST(ConfigLimitsTest, UnknownKeysNameTheKnownOnes) {
  EXPECT_EQ(errorOf("limits:\n  max_body: 5\n"),
            "t.yaml:2:3: limits.max_body: unknown key (known here: max_request_body_bytes, max_header_bytes, "
            "max_header_count, max_json_depth)");
}

}  // namespace
}  // namespace warden::app
