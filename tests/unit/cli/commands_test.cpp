// wardenctl against a real control socket served by the agent's ControlServer.
#include "cli/commands.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "cli/control_client.h"
#include "control/control_server.h"
#include "core/unique_fd.h"

namespace warden::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/warden-cli-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    options_.socketPath = dir_ + "/control.sock";
  }
  void TearDown() override {
    if (thread_.joinable()) {
      work_.reset();
      io_.stop();
      thread_.join();
    }
    server_.reset();
    fs::remove_all(dir_);
  }

  void serve() {
    std::unordered_map<std::string, control::Handler> handlers = {
        {"status",
         [](const nlohmann::json&) -> Result<nlohmann::json> {
           return nlohmann::json{{"version", "0.1.0"}, {"pid", 99}, {"fail_mode", "closed"}};
         }},
        {"ca.export", [](const nlohmann::json&) -> Result<nlohmann::json> { return nlohmann::json{{"pem", kPem}}; }},
        {"policy.reload",
         [](const nlohmann::json&) -> Result<nlohmann::json> {
           return nlohmann::json{{"rules", 3}, {"budgets", 1}, {"keys", 0}, {"files", {"/a.yaml", "/b.yaml"}}};
         }},
        {"identities",
         [](const nlohmann::json&) -> Result<nlohmann::json> {
           return nlohmann::json{
               {"workloads",
                {{{"key", "unit:system.slice/bot.service"},
                  {"user", "bot"},
                  {"executable", "/usr/bin/node"},
                  {"executable_sha256", "0123456789abcdef0123"},
                  {"connections", 3},
                  {"requests", 7},
                  {"denied", 1},
                  {"risk", 0.503},
                  {"last_decision", "deny"},
                  {"last_seen", "2026-11-23T10:00:00.000000000Z"}},
                 {{"key", "comm:curl"},
                  {"user", ""},
                  {"executable", ""},
                  {"connections", 1},
                  {"requests", 0},
                  {"denied", 0},
                  {"last_decision", ""},
                  {"last_seen", "2026-11-23T09:00:00.000000000Z"}}}}};
         }},
    };
    auto server = control::ControlServer::start(io_, options_.socketPath, handlers);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    thread_ = std::thread([this] { io_.run(); });
  }

  int run(Action action, bool json = false) {
    options_.action = action;
    options_.json = json;
    out_.str("");
    err_.str("");
    return runCommand(options_, out_, err_);
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ = boost::asio::make_work_guard(io_);
  std::thread thread_;
  std::unique_ptr<control::ControlServer> server_;
  std::string dir_;
  Options options_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(CommandsTest, StatusRendersTheAgentsAnswer) {
  serve();
  EXPECT_EQ(run(Action::Status), kExitOk);
  EXPECT_EQ(out_.str(), "wardend 0.1.0 (pid 99)\n\n  fail mode  closed\n");
  EXPECT_EQ(err_.str(), "");

  EXPECT_EQ(run(Action::Status, /*json=*/true), kExitOk);
  EXPECT_EQ(nlohmann::json::parse(out_.str()),
            (nlohmann::json{{"version", "0.1.0"}, {"pid", 99}, {"fail_mode", "closed"}}));
}

TEST_F(CommandsTest, CaExportPrintsThePem) {
  serve();
  EXPECT_EQ(run(Action::CaExport), kExitOk);
  EXPECT_EQ(out_.str(), std::string(kPem) + "\n");
}

TEST_F(CommandsTest, IdentitiesListsTheWorkloadsAsATable) {
  serve();
  EXPECT_EQ(run(Action::Identities), kExitOk);
  EXPECT_EQ(out_.str(),
            "WORKLOAD                       USER  EXECUTABLE                           CONNS  REQUESTS  DENIED  RISK  "
            "LAST DECISION  LAST SEEN\n"
            "unit:system.slice/bot.service  bot   /usr/bin/node (sha256 0123456789ab)  3      7         1       0.50  "
            "deny           2026-11-23T10:00:00.000000000Z\n"
            "comm:curl                      -     -                                    1      0         0       -     "
            "-              2026-11-23T09:00:00.000000000Z\n");
  EXPECT_EQ(run(Action::Identities, /*json=*/true), kExitOk);
  EXPECT_EQ(nlohmann::json::parse(out_.str())["workloads"][0]["requests"], 7);
}

TEST_F(CommandsTest, PolicyReloadAsksTheAgent) {
  serve();
  options_.policy.command = PolicyOptions::Command::Reload;
  EXPECT_EQ(run(Action::Policy), kExitOk);
  EXPECT_EQ(out_.str(), "policies reloaded: 3 rules, 1 budgets, 0 keys from 2 file(s)\n");
}

TEST_F(CommandsTest, AgentNotRunning) {
  EXPECT_EQ(run(Action::Status), kExitFailure);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(), "wardenctl: wardend is not running (cannot connect to " + options_.socketPath +
                            ": No such file or directory)\n");

  // A socket file left behind, nobody listening.
  UniqueFd stale(::socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, options_.socketPath.c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(::bind(stale.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(run(Action::CaExport), kExitFailure);
  EXPECT_EQ(err_.str(), "wardenctl: wardend is not running (cannot connect to " + options_.socketPath +
                            ": Connection refused)\n");
}

TEST_F(CommandsTest, AgentErrorIsReported) {
  serve();
  auto result = callAgent(options_.socketPath, {{"command", "no.such"}});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "wardend: unknown command no.such; known: ca.export, identities, policy.reload, status");
}

TEST_F(CommandsTest, SilentAgentTimesOut) {
  // Listening but never accepting: connect succeeds, no answer ever comes.
  UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, options_.socketPath.c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener.get(), 4), 0);
  auto start = std::chrono::steady_clock::now();
  auto result = callAgent(options_.socketPath, {{"command", "status"}}, std::chrono::milliseconds(200));
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "wardend did not answer within 200 ms on " + options_.socketPath +
                                        " (is it stuck? check its log)");
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST_F(CommandsTest, HelpAndVersionNeedNoAgent) {
  EXPECT_EQ(run(Action::Help), kExitOk);
  EXPECT_EQ(out_.str(), usage());
  EXPECT_EQ(run(Action::Version), kExitOk);
  EXPECT_EQ(out_.str().rfind("wardenctl ", 0), 0u);
}

}  // namespace
}  // namespace warden::cli
