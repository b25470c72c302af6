#include "cli/audit_command.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "layers/audit/checkpoint_signer.h"
#include "layers/audit/event_log.h"
#include "layers/audit/hash_chain.h"

namespace warden::cli {
namespace {

namespace fs = std::filesystem;

class AuditCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("warden-audit-cli-" + std::to_string(::getpid()))).string();
    fs::create_directories(dir_);
    spool_ = dir_ + "/spool";
    fs::create_directories(spool_);
    file_ = audit::segmentPath(spool_, 1);
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

  // wardenctl looks for audit.pub in the configured state directory.
  std::vector<std::string> withConfig(std::vector<std::string> args) {
    std::ofstream(dir_ + "/warden.yaml") << "audit:\n  spool: {dir: " << spool_ << "}\npaths:\n  state_dir: " << dir_
                                         << "\n";
    args.push_back("--config");
    args.push_back(dir_ + "/warden.yaml");
    return args;
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
  std::string spool_;
  std::string file_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(AuditCommandTest, AnUntouchedLogPasses) {
  writeLog(3);
  EXPECT_EQ(run(withConfig({"audit", "verify", file_})), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), file_ + ": chain intact, 3 lines (seq 0 to 2)\n" +
                            "  0 checkpoint(s) not verified: no public key (--key audit.pub)\n");
}

TEST_F(AuditCommandTest, AnEditedLineIsNamed) {
  writeLog(4, /*alter=*/2);
  EXPECT_EQ(run(withConfig({"audit", "verify", file_})), kExitFailure);
  EXPECT_EQ(out_.str().rfind(file_ + ":3: chain broken: prev does not match the SHA-256 of line 2", 0), 0u)
      << out_.str();
  EXPECT_EQ(run(withConfig({"--json", "audit", "verify", file_})), kExitFailure);
  EXPECT_NE(out_.str().find("\"problem_line\": 3"), std::string::npos) << out_.str();
}

TEST_F(AuditCommandTest, ThePathDefaultsToTheConfiguredSpool) {
  writeLog(2);
  EXPECT_EQ(run(withConfig({"audit", "verify"})), kExitOk) << err_.str();
  EXPECT_EQ(out_.str().rfind(spool_ + ": chain intact, 2 lines (seq 0 to 1)\n", 0), 0u) << out_.str();
  EXPECT_EQ(run(withConfig({"audit", "verify", dir_ + "/absent.jsonl"})), kExitFailure);
  EXPECT_NE(err_.str().find("cannot read the event log " + dir_ + "/absent.jsonl"), std::string::npos) << err_.str();
}

// The log wardend writes: checkpoints signed with the key in the state
// directory verify; a stretch rewritten and re-sealed before a checkpoint
// does not; another key does not.
TEST_F(AuditCommandTest, SignedCheckpointsVerifyAndARewriteBeforeOneIsCaught) {
  auto signer = audit::CheckpointSigner::loadOrCreate(dir_);
  ASSERT_TRUE(signer) << signer.error().message;
  {
    audit::SpoolOptions options;
    options.dir = spool_;
    auto log = audit::EventLog::open(options, *signer);
    ASSERT_TRUE(log) << log.error().message;
    for (int i = 0; i < 3; ++i) {
      audit::Event e;
      e.method = "POST";
      e.path = "/v1/chat/completions";
      (*log)->submit(std::move(e));
    }
  }  // closing writes the last checkpoint
  EXPECT_EQ(run(withConfig({"audit", "verify"})), kExitOk) << err_.str() << out_.str();
  EXPECT_NE(out_.str().find("1 checkpoint(s) signed with key " + (*signer)->keyId() + " verified"), std::string::npos)
      << out_.str();

  // Someone who can write the file edits line 2 and re-seals the chain after it.
  std::vector<std::string> lines;
  {
    std::ifstream in(file_);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  ASSERT_EQ(lines.size(), 4u);
  auto strip = [](const std::string& line) { return line.substr(0, line.rfind(",\"chain\":")) + "}\n"; };
  audit::HashChain chain = audit::HashChain::after(lines[0]);
  std::ofstream rewritten(file_, std::ios::trunc);
  rewritten << lines[0] << "\n";
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string line = strip(lines[i]);
    if (i == 1) line.replace(line.find("/v1/chat/completions"), 20, "/v1/embeddings/xxxx");
    if (i == 3) {  // the checkpoint made to name the new head; its signature cannot follow
      auto checkpoint = nlohmann::json::parse(line);
      checkpoint["checkpoint"]["head"] = audit::toHex(chain.head());
      line = checkpoint.dump() + "\n";
    }
    chain.seal(line, 0);
    rewritten << line;
  }
  rewritten.close();
  EXPECT_EQ(run(withConfig({"audit", "verify"})), kExitFailure);
  EXPECT_NE(out_.str().find(":4: chain broken: the checkpoint's signature does not verify"), std::string::npos)
      << out_.str();

  // Another host's key.
  const std::string other = dir_ + "/other";
  fs::create_directories(other);
  ASSERT_TRUE(audit::CheckpointSigner::loadOrCreate(other));
  EXPECT_EQ(run({"audit", "verify", "--key", other + "/audit.pub", file_}), kExitFailure);
}

TEST(AuditOptionsTest, ParsesAuditVerify) {
  auto o = parseArgs({"audit", "verify"}, std::nullopt);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->action, Action::AuditVerify);
  EXPECT_EQ(o->audit.file, "");
  EXPECT_EQ(parseArgs({"audit"}, std::nullopt).error().message, "audit needs a subcommand: verify");
  EXPECT_EQ(parseArgs({"audit", "check"}, std::nullopt).error().message, "unknown audit subcommand check");
  EXPECT_EQ(parseArgs({"audit", "verify", "a", "b"}, std::nullopt).error().message, "audit verify takes one PATH");
  o = parseArgs({"audit", "verify", "--key", "/k.pub", "/log"}, std::nullopt);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->audit.key, "/k.pub");
  EXPECT_EQ(o->audit.file, "/log");
  EXPECT_EQ(parseArgs({"status", "--key", "/k.pub"}, std::nullopt).error().message, "--key is an option of audit verify");
}

}  // namespace
}  // namespace warden::cli
