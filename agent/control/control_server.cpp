#include "control/control_server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <list>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "control/request_dispatcher.h"
#include "control/socket_path.h"
#include "core/log.h"

namespace warden::control {
namespace {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;
using boost::system::error_code;

constexpr size_t kMaxRequestLine = 64 * 1024;

std::shared_ptr<spdlog::logger> controlLog() { return logger("control"); }

std::string encode(const nlohmann::json& response) {
  return response.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// The socket file is 0600 already; this also refuses a same-path socket
// passed around by another user's process.
bool peerAllowed(Socket& socket) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
  return cred.uid == 0 || cred.uid == ::geteuid();
}

}  // namespace

// Shared with the coroutines, which may outlive the ControlServer object by
// the time io_context gets to run their cancellation.
struct ServerState {
  explicit ServerState(asio::io_context& io) : acceptor(io) {}
  asio::local::stream_protocol::acceptor acceptor;
  std::string path;
  FileId boundFile;
  HandlerMap handlers;
  std::list<std::weak_ptr<Socket>> sessions;
  bool closed = false;
};

struct ControlServer::Impl {
  std::shared_ptr<ServerState> state;
};

namespace {

asio::awaitable<void> serve(std::shared_ptr<ServerState> state, std::shared_ptr<Socket> socket) {
  std::string buffer;
  for (;;) {
    error_code ec;
    size_t n = co_await asio::async_read_until(*socket, asio::dynamic_buffer(buffer, kMaxRequestLine + 1), '\n',
                                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::not_found) {
      // No way to find the next request's start: answer, then hang up.
      std::string reply = encode(errorResponse("request line longer than 64 KiB; closing the connection"));
      co_await asio::async_write(*socket, asio::buffer(reply), asio::redirect_error(asio::use_awaitable, ec));
      co_return;
    }
    if (ec || state->closed) co_return;
    std::string_view line(buffer.data(), n - 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string reply;
    if (line.find_first_not_of(" \t") != std::string_view::npos) reply = encode(dispatchRequest(line, state->handlers));
    buffer.erase(0, n);
    if (reply.empty()) continue;
    co_await asio::async_write(*socket, asio::buffer(reply), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
  }
}

asio::awaitable<void> acceptLoop(std::shared_ptr<ServerState> state) {
  for (;;) {
    error_code ec;
    Socket accepted = co_await state->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (state->closed || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Typically EMFILE: pause instead of spinning on the same error.
      controlLog()->warn("accept on {}: {}", state->path, ec.message());
      asio::steady_timer pause(state->acceptor.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    auto socket = std::make_shared<Socket>(std::move(accepted));
    if (!peerAllowed(*socket)) {
      controlLog()->warn("refused a control connection from another user on {}", state->path);
      continue;
    }
    state->sessions.remove_if([](const std::weak_ptr<Socket>& s) { return s.expired(); });
    state->sessions.push_back(socket);
    asio::co_spawn(state->acceptor.get_executor(), serve(state, socket), asio::detached);
  }
}

}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::start(boost::asio::io_context& io, const std::string& socketPath,
                                                            std::unordered_map<std::string, Handler> handlers) {
  if (auto ready = prepareSocketPath(socketPath); !ready) return ready.error().wrap("control socket");
  auto state = std::make_shared<ServerState>(io);
  state->path = socketPath;
  state->handlers = std::move(handlers);

  asio::local::stream_protocol::endpoint endpoint(socketPath);
  error_code ec;
  state->acceptor.open(endpoint.protocol(), ec);
  if (ec) return Error{"control socket: create: " + ec.message()};
  // The umask closes the window between bind() and chmod() in which the
  // socket would carry the default mode; chmod then makes 0600 explicit.
  mode_t oldMask = ::umask(0177);
  state->acceptor.bind(endpoint, ec);
  ::umask(oldMask);
  if (ec) return Error{"control socket: bind " + socketPath + ": " + ec.message()};
  auto cleanupOnError = [&](Error error) {
    ::unlink(socketPath.c_str());
    return error;
  };
  if (::chmod(socketPath.c_str(), 0600) != 0) return cleanupOnError(errnoError("control socket: chmod " + socketPath));
  auto id = fileIdOf(socketPath);
  if (!id) return cleanupOnError(id.error().wrap("control socket"));
  state->boundFile = *id;
  state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return cleanupOnError(Error{"control socket: listen on " + socketPath + ": " + ec.message()});

  asio::co_spawn(io, acceptLoop(state), asio::detached);
  controlLog()->info("control socket listening on {}", socketPath);
  return std::unique_ptr<ControlServer>(new ControlServer(std::make_unique<Impl>(Impl{state})));
}

ControlServer::ControlServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ControlServer::~ControlServer() {
  auto& state = *impl_->state;
  state.closed = true;
  error_code ec;
  state.acceptor.close(ec);
  for (auto& weak : state.sessions) {
    if (auto socket = weak.lock()) socket->close(ec);
  }
  auto id = fileIdOf(state.path);
  if (id && *id == state.boundFile) ::unlink(state.path.c_str());
}

}  // namespace warden::control
