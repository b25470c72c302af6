#include "layers/audit/sinks/file_sink.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "sink_test_support.h"

namespace warden::audit {
namespace {

using test::appendBytes;
using test::readFile;
using test::TempDir;

SinkConfig fileConfig(const std::string& path) {
  SinkConfig config;
  config.name = "local";
  config.type = SinkType::File;
  config.path = path;
  return config;
}

Status deliver(Sink& sink, const std::vector<std::string_view>& lines) { return sink.deliver(lines); }

mode_t modeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// The modes asked for, not narrowed by the environment's umask.
class FileSinkTest : public ::testing::Test {
 protected:
  void SetUp() override { umaskBefore_ = ::umask(022); }
  void TearDown() override { ::umask(umaskBefore_); }

 private:
  mode_t umaskBefore_ = 022;
};

TEST_F(FileSinkTest, AppendsLinesCreatingPrivateParentsAndFile) {
  TempDir dir;
  const std::string path = dir.path() + "/forward/sub/events.jsonl";
  auto sink = FileSink::open(fileConfig(path));
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  EXPECT_EQ((*sink)->describe(), "file " + path);
  EXPECT_EQ(modeOf(dir.path() + "/forward"), 0750u);
  EXPECT_EQ(modeOf(dir.path() + "/forward/sub"), 0750u);
  EXPECT_EQ(modeOf(path), 0640u);

  ASSERT_TRUE(deliver(**sink, {"{\"a\":1}", "{\"b\":2}"}).ok());
  ASSERT_TRUE(deliver(**sink, {"{\"c\":3}"}).ok());
  EXPECT_EQ(readFile(path), "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
}

TEST_F(FileSinkTest, KeepsWhatTheFileAlreadyHeld) {
  TempDir dir;
  const std::string path = dir.path() + "/events.jsonl";
  appendBytes(path, "{\"old\":1}\n");
  auto sink = FileSink::open(fileConfig(path));
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  ASSERT_TRUE(deliver(**sink, {"{\"new\":1}"}).ok());
  EXPECT_EQ(readFile(path), "{\"old\":1}\n{\"new\":1}\n");
}

TEST_F(FileSinkTest, FollowsRotationByRenameAndByDeletion) {
  TempDir dir;
  const std::string path = dir.path() + "/events.jsonl";
  auto sink = FileSink::open(fileConfig(path));
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  ASSERT_TRUE(deliver(**sink, {"{\"n\":1}"}).ok());

  std::filesystem::rename(path, path + ".1");  // logrotate's default
  ASSERT_TRUE(deliver(**sink, {"{\"n\":2}"}).ok());
  EXPECT_EQ(readFile(path + ".1"), "{\"n\":1}\n");
  EXPECT_EQ(readFile(path), "{\"n\":2}\n");
  EXPECT_EQ(modeOf(path), 0640u);

  std::filesystem::remove(path);
  ASSERT_TRUE(deliver(**sink, {"{\"n\":3}"}).ok());
  EXPECT_EQ(readFile(path), "{\"n\":3}\n");
}

TEST_F(FileSinkTest, HalfALineLeftInTheFileIsEndedBeforeTheNextLines) {
  TempDir dir;
  const std::string path = dir.path() + "/events.jsonl";
  appendBytes(path, "{\"cut\":");
  auto sink = FileSink::open(fileConfig(path));
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  ASSERT_TRUE(deliver(**sink, {"{\"n\":1}"}).ok());
  EXPECT_EQ(readFile(path), "{\"cut\":\n{\"n\":1}\n");
}

TEST_F(FileSinkTest, AFailedWriteIsAnErrorAndTheRetryAfterResetSucceeds) {
  TempDir dir;
  const std::string path = dir.path() + "/events.jsonl";
  auto sink = FileSink::open(fileConfig(path));
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  // Swap the file for a directory: reopening the path fails.
  std::filesystem::remove(path);
  std::filesystem::create_directory(path);
  Status failed = deliver(**sink, {"{\"n\":1}"});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find(path), std::string::npos) << failed.error().message;
  (*sink)->reset();
  std::filesystem::remove(path);
  ASSERT_TRUE(deliver(**sink, {"{\"n\":1}"}).ok());
  EXPECT_EQ(readFile(path), "{\"n\":1}\n");
}

TEST_F(FileSinkTest, OpeningNeedsAPathThatCanBeCreated) {
  TempDir dir;
  EXPECT_FALSE(FileSink::open(fileConfig("")).ok());
  appendBytes(dir.path() + "/plain", "x");
  auto blocked = FileSink::open(fileConfig(dir.path() + "/plain/events.jsonl"));
  ASSERT_FALSE(blocked.ok());
  EXPECT_NE(blocked.error().message.find("audit sink local"), std::string::npos) << blocked.error().message;
}

}  // namespace
}  // namespace warden::audit
