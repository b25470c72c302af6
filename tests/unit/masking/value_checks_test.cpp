#include "layers/access/masking/value_checks.h"

#include <gtest/gtest.h>

namespace warden::masking {
namespace {

TEST(ValueChecksTest, LuhnAcceptsValidCardNumbersOnly) {
  EXPECT_TRUE(luhnValid("4111 1111 1111 1111"));
  EXPECT_TRUE(luhnValid("5500-0000-0000-0004"));
  EXPECT_TRUE(luhnValid("378282246310005"));  // Amex, 15 digits
  EXPECT_FALSE(luhnValid("4111 1111 1111 1112"));
  EXPECT_FALSE(luhnValid("0000 0000 0000 0000"));  // one digit repeated
  EXPECT_FALSE(luhnValid("123456789012"));         // too short for a card
}

TEST(ValueChecksTest, IbanNeedsCountryLengthAndMod97) {
  EXPECT_TRUE(ibanValid("GB82 WEST 1234 5698 7654 32"));
  EXPECT_TRUE(ibanValid("DE89370400440532013000"));
  EXPECT_TRUE(ibanValid("gb82west12345698765432"));        // lower case is still an IBAN
  EXPECT_FALSE(ibanValid("GB82 WEST 1234 5698 7654 33"));  // check digits wrong
  EXPECT_FALSE(ibanValid("DE8937040044053201300"));        // one digit short for DE
  EXPECT_FALSE(ibanValid("ZZ82WEST12345698765432"));       // no such country
}

TEST(ValueChecksTest, SsnFollowsTheIssuingRules) {
  EXPECT_TRUE(usSsnValid("536-22-1234"));
  EXPECT_FALSE(usSsnValid("000-22-1234"));
  EXPECT_FALSE(usSsnValid("666-22-1234"));
  EXPECT_FALSE(usSsnValid("912-22-1234"));
  EXPECT_FALSE(usSsnValid("536-00-1234"));
  EXPECT_FALSE(usSsnValid("536-22-0000"));
}

TEST(ValueChecksTest, IpAddresses) {
  EXPECT_TRUE(ipv4Valid("192.168.1.20"));
  EXPECT_FALSE(ipv4Valid("256.1.1.1"));
  EXPECT_FALSE(ipv4Valid("01.2.3.4"));
  EXPECT_TRUE(ipv6Valid("2001:db8::8a2e:370:7334"));
  EXPECT_TRUE(ipv6Valid("fe80::1"));
  EXPECT_FALSE(ipv6Valid("::"));
  EXPECT_FALSE(ipv6Valid("12:30:45"));  // a time
}

TEST(ValueChecksTest, PhoneAndEmail) {
  EXPECT_TRUE(phoneValid("+44 20 7946 0958"));
  EXPECT_TRUE(phoneValid("(555) 123-4567"));
  EXPECT_FALSE(phoneValid("5551234567"));  // bare digits: an id as often as a phone
  EXPECT_FALSE(phoneValid("+1 23"));
  EXPECT_TRUE(emailValid("jane.doe@mail.co.uk"));
  EXPECT_FALSE(emailValid("jane..doe@mail.com"));
  EXPECT_FALSE(emailValid("jane@-mail.com"));
}

TEST(ValueChecksTest, SecretValuesRejectPlaceholdersCodeAndWords) {
  EXPECT_TRUE(secretValueValid("n84ASM54y4", true));
  EXPECT_TRUE(secretValueValid("dipPr121Gg!", false));
  for (const char* v : {"", "None", "null", "changeme", "<your-key>", "xxxxxxxx", "${DB_PASSWORD}", "$PASSWORD",
                        "getPassword()", "os.environ[", "********", "hunter", "sunshine", "{{ secret }}"}) {
    EXPECT_FALSE(secretValueValid(v, true)) << v;
  }
  EXPECT_FALSE(secretValueValid("config.db_password", false));  // a reference, not a value
  EXPECT_FALSE(secretValueValid("DB_PASSWORD", false));
  EXPECT_TRUE(highEntropyValid("wJalrXUtnFEMIK7MDENGbPxRfiCY4x9qLm3kT"));
  EXPECT_FALSE(highEntropyValid("aaaaaaaaaaaaaaaaaaaa"));
  EXPECT_FALSE(highEntropyValid("short1"));
}

}  // namespace
}  // namespace warden::masking
