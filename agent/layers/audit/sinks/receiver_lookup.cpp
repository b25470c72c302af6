#include "layers/audit/sinks/receiver_lookup.h"

#include <netdb.h>
#include <sys/socket.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace warden::audit {

namespace asio = boost::asio;
using Tcp = asio::ip::tcp;

// Shared by the sink and the lookup's thread, which may outlive the sink.
struct ReceiverLookup::Pending {
  std::mutex mutex;
  std::condition_variable done;
  std::optional<Result<ReceiverAddresses>> answer;
};

Result<ReceiverAddresses> ReceiverLookup::systemResolve(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) return Error{::gai_strerror(rc)};
  ReceiverAddresses addresses;
  for (const addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    Tcp::endpoint endpoint;
    if (entry->ai_addrlen > endpoint.capacity()) continue;
    std::memcpy(endpoint.data(), entry->ai_addr, entry->ai_addrlen);
    endpoint.resize(entry->ai_addrlen);
    addresses.push_back(endpoint);
  }
  ::freeaddrinfo(found);
  return addresses;
}

ReceiverLookup::ReceiverLookup(std::string host, uint16_t port, std::string what, Resolve resolve)
    : host_(std::move(host)), port_(port), what_(std::move(what)), resolve_(std::move(resolve)) {}

Result<ReceiverAddresses> ReceiverLookup::addresses(std::chrono::steady_clock::time_point deadline) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host_, ec);
  if (!ec) return ReceiverAddresses{Tcp::endpoint(address, port_)};

  if (!pending_) {
    auto pending = std::make_shared<Pending>();
    try {
      std::thread([pending, resolve = resolve_, host = host_, port = port_] {
        // Nothing may escape a detached thread: it would end the agent.
        Result<ReceiverAddresses> answer = Error{"the lookup failed"};
        try {
          answer = resolve(host, port);
        } catch (const std::exception& e) {
          answer = Error{std::string("the lookup failed: ") + e.what()};
        } catch (...) {
          // answer says only that it failed
        }
        std::lock_guard lock(pending->mutex);
        pending->answer = std::move(answer);
        pending->done.notify_all();
      }).detach();
    } catch (const std::system_error& e) {
      // Out of threads: this attempt fails like an unanswered lookup, and
      // the sink's next attempt tries again. (Out of memory, bad_alloc goes
      // to the sink's runner, which catches what a delivery throws.)
      return Error{"resolve " + what_ + " " + host_ + ": cannot start the lookup: " + e.what()};
    }
    pending_ = std::move(pending);
  }
  std::unique_lock lock(pending_->mutex);
  if (!pending_->done.wait_until(lock, deadline, [this] { return pending_->answer.has_value(); })) {
    return Error{"resolve " + what_ + " " + host_ + ": no answer in time (is the DNS server reachable?)"};
  }
  Result<ReceiverAddresses> answer = std::move(*pending_->answer);
  lock.unlock();
  pending_.reset();  // the next attempt looks the name up again
  if (!answer) return Error{"resolve " + what_ + " " + host_ + ": " + answer.error().message};
  if (answer->empty()) return Error{"resolve " + what_ + " " + host_ + ": no addresses"};
  return answer;
}

}  // namespace warden::audit
