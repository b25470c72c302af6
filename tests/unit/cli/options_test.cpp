#include "cli/options.h"

#include <gtest/gtest.h>

namespace warden::cli {
namespace {

Result<Options> parse(std::vector<std::string> args, std::optional<std::string> env = std::nullopt) {
  return parseArgs(args, env);
}

TEST(OptionsTest, StatusWithDefaults) {
  auto o = parse({"status"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->action, Action::Status);
  EXPECT_EQ(o->socketPath, "/run/warden/control.sock");
  EXPECT_FALSE(o->json);
}

TEST(OptionsTest, SocketFromEnvironmentThenFlag) {
  EXPECT_EQ(parse({"status"}, "/tmp/env.sock")->socketPath, "/tmp/env.sock");
  EXPECT_EQ(parse({"status"}, "")->socketPath, "/run/warden/control.sock");
  EXPECT_EQ(parse({"--socket", "/tmp/flag.sock", "status"}, "/tmp/env.sock")->socketPath, "/tmp/flag.sock");
  EXPECT_EQ(parse({"status", "--socket=/tmp/eq.sock"})->socketPath, "/tmp/eq.sock");
}

TEST(OptionsTest, Identities) {
  auto o = parse({"identities", "--json"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->action, Action::Identities);
  EXPECT_TRUE(o->json);
  EXPECT_FALSE(parse({"identities", "all"}));
}

TEST(OptionsTest, PolicyReload) {
  auto o = parse({"--socket", "/tmp/s.sock", "policy", "reload"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->action, Action::Policy);
  EXPECT_EQ(o->policy.command, PolicyOptions::Command::Reload);
  EXPECT_EQ(o->socketPath, "/tmp/s.sock");
  EXPECT_FALSE(parse({"policy", "reload", "now"}));
}

TEST(OptionsTest, JsonAndCaExport) {
  auto o = parse({"ca", "export", "--json"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->action, Action::CaExport);
  EXPECT_TRUE(o->json);
}

TEST(OptionsTest, HelpAndVersion) {
  for (auto args : std::vector<std::vector<std::string>>{{"--help"}, {"-h"}, {"help"}, {"status", "--help"}}) {
    auto o = parse(args);
    ASSERT_TRUE(o) << args[0];
    EXPECT_EQ(o->action, Action::Help) << args[0];
  }
  EXPECT_EQ(parse({"--version"})->action, Action::Version);
  EXPECT_NE(usage().find("usage: wardenctl [--socket PATH] [--json] COMMAND"), std::string::npos);
}

TEST(OptionsTest, UsageErrors) {
  EXPECT_EQ(parse({}).error().message, "no command given");
  EXPECT_EQ(parse({"--json"}).error().message, "no command given");
  EXPECT_EQ(parse({"--bogus", "status"}).error().message, "unknown option --bogus");
  EXPECT_EQ(parse({"stats"}).error().message, "unknown command stats");
  EXPECT_EQ(parse({"ca"}).error().message, "ca needs a subcommand: export");
  EXPECT_EQ(parse({"ca", "import"}).error().message, "unknown ca subcommand import");
  EXPECT_EQ(parse({"status", "now"}).error().message, "status takes no arguments");
  EXPECT_EQ(parse({"status", "--socket"}).error().message, "--socket needs a path");
  EXPECT_EQ(parse({"--socket=", "status"}).error().message, "--socket needs a path");
}

}  // namespace
}  // namespace warden::cli
