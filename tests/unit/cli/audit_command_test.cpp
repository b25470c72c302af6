#include "cli/audit_command.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "layers/audit/hash_chain.h"

namespace warden::cli {
namespace {

namespace fs = std::filesystem;

class AuditCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("warden-audit-cli-" + std::to_string(::getpid()))).string();
    fs::create_directories(dir_);
    file_ = dir_ + "/events.jsonl";
  }
  void TearDown() override { fs::remove_all(dir_); }

  void writeLog(size_t count, size_t alter = 0) {
    audit::HashChain chain = audit::HashChain::after("");
    std::ofstream out(file_);
    for (size_t i = 0; i < count; ++i) {
      std::string line = "{\"n\":" + std::to_string(i) + "}\n";
      chain.seal(line, 0);
      if (alter != 0 && i + 1 == alter) line.replace(1, 3, "\"m\"");
      out << line;
    }
  }

  int run(const std::vector<std::string>& args) {
    out_.str("");
    err_.str("");
    auto options = parseArgs(args, std::nullopt);
    EXPECT_TRUE(options) << options.error().message;
    if (!options) return kExitUsage;
    return runCommand(*options, out_, err_);
  }

  std::string dir_;
  std::string file_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(AuditCommandTest, AnUntouchedLogPasses) {
  writeLog(3);
  EXPECT_EQ(run({"audit", "verify", file_}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), file_ + ": chain intact, 3 events (seq 0 to 2)\n");
}

TEST_F(AuditCommandTest, AnEditedLineIsNamed) {
  writeLog(4, /*alter=*/2);
  EXPECT_EQ(run({"audit", "verify", file_}), kExitFailure);
  EXPECT_EQ(out_.str().rfind(file_ + ":3: chain broken: prev does not match the SHA-256 of line 2", 0), 0u)
      << out_.str();
  EXPECT_EQ(run({"--json", "audit", "verify", file_}), kExitFailure);
  EXPECT_NE(out_.str().find("\"problem_line\": 3"), std::string::npos) << out_.str();
}

TEST_F(AuditCommandTest, TheFileDefaultsToTheConfiguredEventsFile) {
  writeLog(2);
  std::ofstream(dir_ + "/warden.yaml") << "paths:\n  events_file: " << file_ << "\n";
  EXPECT_EQ(run({"audit", "verify", "--config", dir_ + "/warden.yaml"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), file_ + ": chain intact, 2 events (seq 0 to 1)\n");
  EXPECT_EQ(run({"audit", "verify", dir_ + "/absent.jsonl"}), kExitFailure);
  EXPECT_NE(err_.str().find("cannot read the event log " + dir_ + "/absent.jsonl"), std::string::npos) << err_.str();
}

TEST(AuditOptionsTest, ParsesAuditVerify) {
  auto o = parseArgs({"audit", "verify"}, std::nullopt);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->action, Action::AuditVerify);
  EXPECT_EQ(o->audit.file, "");
  EXPECT_EQ(parseArgs({"audit"}, std::nullopt).error().message, "audit needs a subcommand: verify");
  EXPECT_EQ(parseArgs({"audit", "check"}, std::nullopt).error().message, "unknown audit subcommand check");
  EXPECT_EQ(parseArgs({"audit", "verify", "a", "b"}, std::nullopt).error().message, "audit verify takes one FILE");
}

}  // namespace
}  // namespace warden::cli
