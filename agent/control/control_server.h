// The agent's control socket (/run/warden/control.sock, mode 0600, root only).
// Protocol: one JSON object per line each way; request lines up to 64 KiB.
//   request:  {"command": "status"}
//   response: {"ok": true, "result": {...}}  or  {"ok": false, "error": "..."}
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "core/result.h"

namespace warden::control {

// A handler gets the whole request object and returns the result or an Error.
using Handler = std::function<Result<nlohmann::json>(const nlohmann::json& request)>;

class ControlServer {
 public:
  // Binds the socket (replacing a stale one) on `io`; handlers run on io's thread.
  static Result<std::unique_ptr<ControlServer>> start(boost::asio::io_context& io, const std::string& socketPath,
                                                      std::unordered_map<std::string, Handler> handlers);
  // Closes the socket and open sessions and unlinks the path. Destroy it on
  // io's thread or after io has stopped (Asio objects are not thread-safe),
  // and before io itself.
  ~ControlServer();

  struct Impl;

 private:
  explicit ControlServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace warden::control
