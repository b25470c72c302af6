#include "common/labelled_data.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace warden::tools {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "warden-labelled-XXXXXX").string();
    path_ = mkdtemp(pattern.data()) ? pattern : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  std::filesystem::path write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name, std::ios::binary) << content;
    return path_ / name;
  }

 private:
  std::filesystem::path path_;
};

// FNV-1a 64 written out, to pin the split every tool agrees on.
uint64_t fnv1a64(std::string_view text) {
  uint64_t h = 14695981039346656037ULL;
  for (const char c : text) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

TEST(LabelledData, HeldOutIsOneFifthByTextHash) {
  size_t heldOut = 0;
  for (int i = 0; i < 5000; ++i) {
    const std::string text = "prompt number " + std::to_string(i);
    EXPECT_EQ(isHeldOut(text), fnv1a64(text) % 5 == 0) << text;
    heldOut += isHeldOut(text);
  }
  EXPECT_GT(heldOut, 850u);
  EXPECT_LT(heldOut, 1150u);
  EXPECT_FALSE(isHeldOut(""));  // the offset basis is 2 mod 5
}

TEST(LabelledData, ReadsRowsAndSplitsThem) {
  TempDir dir;
  std::string content;
  size_t expectedHeldOut = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string text = "text " + std::to_string(i) + " with \\\"quotes\\\" and \\u00e9";
    content += "{\"text\": \"" + text + "\", \"label\": \"" + (i % 2 ? "benign" : "injection") +
               "\", \"source\": \"s" + std::to_string(i % 3) + "\", \"lang\": \"en\"" +
               (i % 4 ? ", \"category\": \"c\"" : ", \"category\": null") + "}\r\n";
    if (i == 10) content += "   \n";  // blank lines are skipped
  }
  const auto file = dir.write("rows.jsonl", content);
  auto all = readLabelledRows(file, Part::All);
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 200u);
  const LabelledRow& first = all->front();
  EXPECT_EQ(first.text, "text 0 with \"quotes\" and \xC3\xA9");
  EXPECT_EQ(first.label, "injection");
  EXPECT_EQ(first.source, "s0");
  EXPECT_EQ(first.category, "");
  EXPECT_EQ(first.line, 1u);
  EXPECT_EQ((*all)[1].category, "c");
  EXPECT_EQ((*all)[12].line, 14u);  // after the blank line
  for (const LabelledRow& row : *all) expectedHeldOut += isHeldOut(row.text);

  auto train = readLabelledRows(file, Part::Train);
  auto heldOut = readLabelledRows(file, Part::HeldOut);
  ASSERT_TRUE(train.ok() && heldOut.ok());
  EXPECT_EQ(heldOut->size(), expectedHeldOut);
  EXPECT_EQ(train->size() + heldOut->size(), 200u);
  for (const LabelledRow& row : *heldOut) EXPECT_TRUE(isHeldOut(row.text));
  for (const LabelledRow& row : *train) EXPECT_FALSE(isHeldOut(row.text));
}

TEST(LabelledData, MalformedLinesNameFileAndLine) {
  TempDir dir;
  const std::string good = "{\"text\": \"a\", \"label\": \"benign\", \"source\": \"s\"}\n";
  struct Case {
    std::string line;
    std::string what;
  };
  for (const Case& c : {Case{"{\"text\": \"a\", \"label\": \"benign\"", "not valid JSON"},
                        Case{"[1, 2]", "not a JSON object"},
                        Case{"{\"label\": \"benign\", \"source\": \"s\"}", "missing \"text\""},
                        Case{"{\"text\": 3, \"label\": \"benign\", \"source\": \"s\"}", "\"text\" is not a string"},
                        Case{"{\"text\": \"a\", \"label\": \"benign\"}", "missing \"source\""},
                        Case{"{\"text\": \"a\", \"label\": \"\", \"source\": \"s\"}", "empty \"label\""},
                        Case{"{\"text\": \"a\", \"label\": \"x\", \"source\": \"s\", \"category\": 1}",
                             "\"category\" is not a string"}}) {
    const auto file = dir.write("bad.jsonl", good + good + c.line + "\n" + good);
    auto rows = readLabelledRows(file, Part::All);
    ASSERT_FALSE(rows.ok()) << c.line;
    EXPECT_NE(rows.error().message.find(file.string() + ":3"), std::string::npos) << rows.error().message;
    EXPECT_NE(rows.error().message.find(c.what), std::string::npos) << rows.error().message;
  }
  auto missing = readLabelledRows(dir.write("x", "").parent_path() / "absent.jsonl", Part::All);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("absent.jsonl"), std::string::npos);
}

TEST(LabelledData, Sha256OfAFile) {
  TempDir dir;
  auto sha = fileSha256(dir.write("abc", "abc"));
  ASSERT_TRUE(sha.ok()) << sha.error().message;
  EXPECT_EQ(*sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto big = fileSha256(dir.write("big", std::string(200000, 'a')));
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->size(), 64u);
  EXPECT_NE(*big, *sha);
  EXPECT_FALSE(fileSha256(dir.write("y", "").parent_path() / "absent").ok());
}

}  // namespace
}  // namespace warden::tools
