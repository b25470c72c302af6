#include "cli/control_client.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <cstring>

#include "core/unique_fd.h"

namespace warden::cli {
namespace {

// A status answer is a few KiB; anything near this is not wardend talking.
constexpr size_t kMaxResponse = 16 << 20;

Error ioError(const std::string& socketPath, const std::string& what, int err, std::chrono::milliseconds timeout) {
  if (err == EAGAIN || err == EWOULDBLOCK) {
    std::string limit = timeout.count() % 1000 == 0 ? std::to_string(timeout.count() / 1000) + " s"
                                                    : std::to_string(timeout.count()) + " ms";
    return Error{"wardend did not answer within " + limit + " on " + socketPath + " (is it stuck? check its log)"};
  }
  return errnoError(what + " " + socketPath, err);
}

Error connectError(const std::string& socketPath, int err, std::chrono::milliseconds timeout) {
  if (err == EACCES || err == EPERM) {
    return Error{"permission denied on " + socketPath + ": run as root (the control socket is root-only)"};
  }
  if (err == ENOENT || err == ECONNREFUSED || err == ENOTDIR) {
    return Error{"wardend is not running (cannot connect to " + socketPath + ": " + std::strerror(err) + ")"};
  }
  return ioError(socketPath, "cannot connect to", err, timeout);
}

}  // namespace

Result<nlohmann::json> callAgent(const std::string& socketPath, const nlohmann::json& request,
                                 std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  if (socketPath.empty() || socketPath.size() >= sizeof(addr.sun_path)) {
    return Error{"socket path '" + socketPath + "' is too long for a unix socket"};
  }
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errnoError("create socket");
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  // On unix sockets the send timeout also bounds connect() to a full backlog.
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socketPath.c_str(), socketPath.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    return connectError(socketPath, errno, timeout);
  }

  std::string out = request.dump() + "\n";
  for (size_t sent = 0; sent < out.size();) {
    ssize_t n = ::send(fd.get(), out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError(socketPath, "send request to", errno, timeout);
    sent += static_cast<size_t>(n);
  }

  std::string in;
  char buf[16384];
  while (in.find('\n') == std::string::npos) {
    ssize_t n = ::recv(fd.get(), buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError(socketPath, "read answer from", errno, timeout);
    if (n == 0) return Error{"wardend closed the connection on " + socketPath + " without answering"};
    in.append(buf, static_cast<size_t>(n));
    if (in.size() > kMaxResponse) return Error{"answer from " + socketPath + " is too large; is it wardend?"};
  }
  in.resize(in.find('\n'));

  nlohmann::json response = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!response.is_object() || !response.contains("ok") || !response["ok"].is_boolean()) {
    return Error{"unexpected answer from " + socketPath + " (not a wardend control socket?)"};
  }
  if (!response["ok"].get<bool>()) {
    const auto& error = response["error"];
    return Error{"wardend: " + (error.is_string() ? error.get<std::string>() : std::string("refused the request"))};
  }
  return response.contains("result") ? response["result"] : nlohmann::json::object();
}

}  // namespace warden::cli
