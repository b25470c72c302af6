#include "layers/audit/sinks/receiver_lookup.h"

#include <memory>

namespace warden::audit {

namespace asio = boost::asio;
using Tcp = asio::ip::tcp;

Result<std::vector<Tcp::endpoint>> lookUpReceiver(asio::io_context& io, const std::string& host, uint16_t port,
                                                  std::chrono::steady_clock::time_point deadline,
                                                  const std::string& what) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (!ec) return std::vector<Tcp::endpoint>{Tcp::endpoint(address, port)};

  // Shared with the handler: after the deadline the lookup finishes on its
  // own and its late answer must land somewhere harmless.
  struct Lookup {
    bool done = false;
    boost::system::error_code ec;
    std::vector<Tcp::endpoint> endpoints;
  };
  auto lookup = std::make_shared<Lookup>();
  Tcp::resolver resolver(io);
  resolver.async_resolve(host, std::to_string(port),
                         [lookup](const boost::system::error_code& e, const Tcp::resolver::results_type& results) {
                           lookup->ec = e;
                           for (const auto& entry : results) lookup->endpoints.push_back(entry.endpoint());
                           lookup->done = true;
                         });
  io.restart();
  while (!lookup->done && std::chrono::steady_clock::now() < deadline) {
    if (io.run_one_until(deadline) == 0 && io.stopped()) break;
  }
  if (!lookup->done) {
    resolver.cancel();
    return Error{"resolve " + what + " " + host + ": no answer in time (is the DNS server reachable?)"};
  }
  if (lookup->ec) return Error{"resolve " + what + " " + host + ": " + lookup->ec.message()};
  if (lookup->endpoints.empty()) return Error{"resolve " + what + " " + host + ": no addresses"};
  return lookup->endpoints;
}

}  // namespace warden::audit
