#include "control/control_server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "core/unique_fd.h"

namespace warden::control {
namespace {

namespace fs = std::filesystem;

UniqueFd connectTo(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  timeval tv{5, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return UniqueFd();
  return fd;
}

void sendAll(int fd, const std::string& data) {
  for (size_t sent = 0; sent < data.size();) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    ASSERT_GT(n, 0) << std::strerror(errno);
    sent += static_cast<size_t>(n);
  }
}

// Reads one line; "" on EOF or timeout. `pending` keeps bytes past the line.
std::string readLine(int fd, std::string& pending) {
  while (pending.find('\n') == std::string::npos) {
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return "";
    pending.append(buf, static_cast<size_t>(n));
  }
  auto end = pending.find('\n');
  std::string line = pending.substr(0, end);
  pending.erase(0, end + 1);
  return line;
}

nlohmann::json ask(int fd, const std::string& line) {
  sendAll(fd, line + "\n");
  std::string pending;
  return nlohmann::json::parse(readLine(fd, pending));
}

class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/warden-control-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/run/warden/control.sock";
    handlers_ = {
        {"status", [](const nlohmann::json&) -> Result<nlohmann::json> { return nlohmann::json{{"pid", ::getpid()}}; }},
        {"echo", [](const nlohmann::json& r) -> Result<nlohmann::json> { return r; }},
        {"ca.export", [](const nlohmann::json&) -> Result<nlohmann::json> { return Error{"no CA"}; }},
    };
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    stopIo();
    server_.reset();
    fs::remove_all(dir_);
  }

  void stopIo() {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ = boost::asio::make_work_guard(io_);
  std::thread thread_;
  std::string dir_;
  std::string path_;
  std::unordered_map<std::string, Handler> handlers_;
  std::unique_ptr<ControlServer> server_;
};

TEST_F(ControlServerTest, AnswersCommandsOnARootOnlySocket) {
  auto server = ControlServer::start(io_, path_, handlers_);
  ASSERT_TRUE(server) << server.error().message;
  server_ = std::move(*server);

  struct stat st{};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir_ + "/run/warden").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);

  UniqueFd fd = connectTo(path_);
  ASSERT_TRUE(fd.valid());
  EXPECT_EQ(ask(fd.get(), R"({"command":"status"})"), (nlohmann::json{{"ok", true}, {"result", {{"pid", ::getpid()}}}}));
  EXPECT_EQ(ask(fd.get(), R"({"command":"echo","x":[1,2]})")["result"]["x"], nlohmann::json::array({1, 2}));
  EXPECT_EQ(ask(fd.get(), R"({"command":"ca.export"})"), (nlohmann::json{{"ok", false}, {"error", "no CA"}}));
  EXPECT_EQ(ask(fd.get(), R"({"command":"nope"})")["error"], "unknown command nope; known: ca.export, echo, status");
}

TEST_F(ControlServerTest, MalformedJsonLeavesTheConnectionUsable) {
  auto server = ControlServer::start(io_, path_, handlers_);
  ASSERT_TRUE(server) << server.error().message;
  server_ = std::move(*server);
  UniqueFd fd = connectTo(path_);
  ASSERT_TRUE(fd.valid());

  // Two requests in one write, the first broken, the second with CRLF.
  sendAll(fd.get(), "{\"command\": \n{\"command\":\"status\"}\r\n\n");
  std::string pending;
  auto first = nlohmann::json::parse(readLine(fd.get(), pending));
  EXPECT_EQ(first["ok"], false);
  EXPECT_NE(first["error"].get<std::string>().find("malformed request"), std::string::npos);
  auto second = nlohmann::json::parse(readLine(fd.get(), pending));
  EXPECT_EQ(second["ok"], true);
}

TEST_F(ControlServerTest, RequestLinesAreLimitedTo64KiB) {
  auto server = ControlServer::start(io_, path_, handlers_);
  ASSERT_TRUE(server) << server.error().message;
  server_ = std::move(*server);

  // Exactly at the limit: accepted.
  std::string request = R"({"command":"status"})";
  request.append(64 * 1024 - request.size(), ' ');
  UniqueFd ok = connectTo(path_);
  EXPECT_EQ(ask(ok.get(), request)["ok"], true);

  // Past it: one error answer, then the agent hangs up.
  UniqueFd fd = connectTo(path_);
  ASSERT_TRUE(fd.valid());
  sendAll(fd.get(), std::string(70 * 1024, 'x'));
  std::string pending;
  auto answer = nlohmann::json::parse(readLine(fd.get(), pending));
  EXPECT_EQ(answer, (nlohmann::json{{"ok", false}, {"error", "request line longer than 64 KiB; closing the connection"}}));
  EXPECT_EQ(readLine(fd.get(), pending), "");
}

TEST_F(ControlServerTest, RefusesToStartWhileAnotherAgentListens) {
  auto first = ControlServer::start(io_, path_, handlers_);
  ASSERT_TRUE(first) << first.error().message;
  server_ = std::move(*first);

  auto second = ControlServer::start(io_, path_, handlers_);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message,
            "control socket: another wardend is running (it accepts on " + path_ + "); stop it first");
  // The live agent's socket is untouched.
  UniqueFd fd = connectTo(path_);
  ASSERT_TRUE(fd.valid());
  EXPECT_EQ(ask(fd.get(), R"({"command":"status"})")["ok"], true);
}

TEST_F(ControlServerTest, ReplacesAStaleSocket) {
  fs::create_directories(fs::path(path_).parent_path());
  {  // what a crashed agent leaves: a socket file nobody listens on
    UniqueFd stale(::socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    ASSERT_EQ(::bind(stale.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  }
  ASSERT_TRUE(fs::is_socket(path_));

  auto server = ControlServer::start(io_, path_, handlers_);
  ASSERT_TRUE(server) << server.error().message;
  server_ = std::move(*server);
  UniqueFd fd = connectTo(path_);
  ASSERT_TRUE(fd.valid());
  EXPECT_EQ(ask(fd.get(), R"({"command":"status"})")["ok"], true);
}

TEST_F(ControlServerTest, RefusesToReplaceSomethingThatIsNotASocket) {
  fs::create_directories(fs::path(path_).parent_path());
  std::ofstream(path_) << "precious";
  auto server = ControlServer::start(io_, path_, handlers_);
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().message,
            "control socket: " + path_ + " exists and is not a socket; remove it or set another paths.runtime_dir");
  EXPECT_TRUE(fs::is_regular_file(path_));
}

TEST_F(ControlServerTest, DestructionUnlinksTheSocketAndClosesSessions) {
  auto server = ControlServer::start(io_, path_, handlers_);
  ASSERT_TRUE(server) << server.error().message;
  UniqueFd fd = connectTo(path_);
  ASSERT_TRUE(fd.valid());
  EXPECT_EQ(ask(fd.get(), R"({"command":"status"})")["ok"], true);

  // Destroy on the io thread, as the agent does during shutdown.
  std::promise<void> done;
  boost::asio::post(io_, [&] {
    server->reset();
    done.set_value();
  });
  done.get_future().wait();
  EXPECT_FALSE(fs::exists(path_));
  std::string pending;
  EXPECT_EQ(readLine(fd.get(), pending), "") << "open sessions are closed";
  EXPECT_FALSE(connectTo(path_).valid());
}

TEST_F(ControlServerTest, PathTooLongIsAnError) {
  auto server = ControlServer::start(io_, "/tmp/" + std::string(200, 'a') + "/control.sock", handlers_);
  ASSERT_FALSE(server);
  EXPECT_NE(server.error().message.find("must be 1-107 characters long"), std::string::npos) << server.error().message;
}

}  // namespace
}  // namespace warden::control
