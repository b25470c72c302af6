#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "masking_eval/labelled_spans.h"
#include "masking_eval/masking_evaluation.h"

namespace warden::tools {
namespace {

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    std::string pattern = (std::filesystem::temp_directory_path() / "warden-masking-eval-XXXXXX").string();
    const int fd = mkstemp(pattern.data());
    if (fd >= 0) close(fd);
    path_ = pattern;
    std::ofstream(path_) << content;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(MaskingEvalTest, EntityOffsetsTurnFromCodePointsIntoBytes) {
  // "ü" is two bytes, "你" three: the e-mail starts at code point 6, byte 9.
  TempFile file(R"({"text": "ü你 ab x@y.io", "entities": [{"type": "EMAIL_ADDRESS", "start": 6, "end": 12}, )"
                R"({"type": "PERSON", "start": null, "end": null}], "source": "s"})"
                "\n");
  auto rows = readLabelledSpanRows(file.path());
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  const auto& entities = rows->front().entities;
  ASSERT_EQ(entities.size(), 2u);
  ASSERT_TRUE(entities[0].begin && entities[0].end);
  EXPECT_EQ(rows->front().text.substr(*entities[0].begin, *entities[0].end - *entities[0].begin), "x@y.io");
  EXPECT_FALSE(entities[1].begin);  // the type is known, the position not
}

TEST(MaskingEvalTest, MissingFileAndBadLinesAreNamed) {
  auto missing = readLabelledSpanRows("/nonexistent/secrets.dev.jsonl");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/secrets.dev.jsonl: cannot open"), std::string::npos);
  TempFile bad("{\"text\": \"ok\"}\nnot json\n");
  auto rows = readLabelledSpanRows(bad.path());
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.error().message, bad.path() + ":2: not a JSON object with a \"text\" string");
}

TEST(MaskingEvalTest, TypeNamesOfTheGeneratorsAreMapped) {
  EXPECT_EQ(piiTypeOf("EMAIL_ADDRESS"), "email_address");
  EXPECT_EQ(piiTypeOf("IBAN_CODE"), "iban");
  EXPECT_EQ(piiTypeOf("US_SSN"), "us_ssn");
  EXPECT_EQ(piiTypeOf("STREET_ADDRESS"), "ner:street_address");
  EXPECT_EQ(piiTypeOf("ADDRESS"), "ner:street_address");
  EXPECT_EQ(piiTypeOf("GPE"), "ner:location");
  EXPECT_EQ(piiTypeOf("DATE_TIME"), "");
  EXPECT_EQ(secretTypeGroup("PEM Private Key"), "private_key");
  EXPECT_EQ(secretTypeGroup("SQL Password"), "password");
  EXPECT_EQ(secretTypeGroup("curl-auth-user"), "http_auth");
  EXPECT_EQ(secretTypeGroup("sendgrid"), "vendor_token");
}

}  // namespace
}  // namespace warden::tools
