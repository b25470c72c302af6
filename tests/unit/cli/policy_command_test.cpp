#include "cli/policy_command.h"

#include <gtest/gtest.h>

#include <sstream>

#include "../access/access_test_support.h"
#include "cli/commands.h"
#include "cli/options.h"

namespace warden::cli {
namespace {

using access::testing::policyDocument;
using access::testing::TempDir;

struct CommandRun {
  int status;
  std::string out;
  std::string err;
};

CommandRun run(const std::vector<std::string>& args) {
  auto options = parseArgs(args, std::nullopt);
  if (!options) return {kExitUsage, "", options.error().message};
  std::istringstream in;
  std::ostringstream out, err;
  int status = runCommand(*options, in, out, err);
  return {status, out.str(), err.str()};
}

const std::string kRules = policyDocument("p", R"(  rules:
    - id: no-gpt4o
      match: { model: ["gpt-4o"] }
      action: deny
      reason: gpt-4o is not approved
  budgets:
    - id: b
      requestsPerDay: 10
)");

TEST(PolicyCommandTest, CheckReportsCountsOrPositionedErrors) {
  TempDir dir;
  const std::string good = dir.write("good.yaml", kRules);
  const std::string bad = dir.write("bad.yaml", policyDocument("q", "  rules:\n    - id: x\n      action: block\n"));
  CommandRun ok = run({"policy", "check", good});
  EXPECT_EQ(ok.status, kExitOk);
  EXPECT_EQ(ok.out, good + ": ok (1 rule, 1 budget, 0 keys)\n");
  CommandRun failed = run({"policy", "check", good, bad});
  EXPECT_EQ(failed.status, kExitFailure);
  EXPECT_EQ(failed.out, good + ": ok (1 rule, 1 budget, 0 keys)\n" + bad +
                            ":8:15: spec.rules[0].action: unknown action 'block' (allow, deny, monitor or redact)\n");
}

TEST(PolicyCommandTest, CheckFindsClashesBetweenFiles) {
  TempDir dir;
  const std::string a = dir.write("a.yaml", kRules);
  const std::string b = dir.write("b.yaml", kRules);
  CommandRun clash = run({"policy", "check", a, b});
  EXPECT_EQ(clash.status, kExitFailure);
  EXPECT_NE(clash.out.find(b + ":7:11: spec.rules[0].id: rule id 'no-gpt4o' is already defined at " + a + ":7:11"),
            std::string::npos)
      << clash.out;
}

TEST(PolicyCommandTest, ExplainShowsDecisionAndTrace) {
  TempDir dir;
  dir.write("p/rules.yaml", kRules);
  CommandRun r = run({"policy", "explain", "--policies", dir.path() + "/p", "--unit", "system.slice/a.service", "--model",
               "gpt-4o-mini"});
  EXPECT_EQ(r.status, kExitOk) << r.err;
  EXPECT_NE(r.out.find("decision: monitor\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1. no-gpt4o (" + dir.path() + "/p/rules.yaml:7:7): no: model 'gpt-4o-mini' not in [gpt-4o]"),
            std::string::npos)
      << r.out;
  CommandRun denied = run({"policy", "explain", "--policies=" + dir.path() + "/p", "--model", "gpt-4o"});
  EXPECT_NE(denied.out.find("decision: deny\nrule: no-gpt4o (policy p, "), std::string::npos) << denied.out;
  EXPECT_NE(denied.out.find("reason: gpt-4o is not approved\nflags: unknown_workload\nbudgets: b\n"), std::string::npos)
      << denied.out;
}

TEST(PolicyCommandTest, UsageErrors) {
  EXPECT_EQ(run({"policy"}).err, "policy needs a subcommand: check, explain or reload");
  EXPECT_EQ(run({"policy", "check"}).err, "policy check needs at least one FILE (or directory)");
  EXPECT_EQ(run({"policy", "lint"}).err, "unknown policy subcommand lint");
  EXPECT_EQ(run({"policy", "explain", "--uid", "root"}).err, "--uid needs a number, not root");
  EXPECT_EQ(run({"policy", "explain", "--risk", "3"}).err, "--risk needs a number from 0 to 1, not 3");
  EXPECT_EQ(run({"policy", "explain", "--colour", "red"}).err, "unknown policy explain option --colour");
  auto help = parseArgs({"policy", "check", "--help"}, std::nullopt);
  ASSERT_TRUE(help.ok());
  EXPECT_EQ(help->action, Action::Help);
  EXPECT_NE(usage().find("policy check FILE..."), std::string::npos);
}

TEST(PolicyCommandTest, DefaultPathsAreTheInstalledOnes) {
  const auto paths = defaultPolicyPaths();
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[0], std::string(WARDEN_DATA_DIR) + "/access");
  EXPECT_EQ(paths[1], "/etc/warden/policies.d");
}

}  // namespace
}  // namespace warden::cli
