#include "load_client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "proxy/net_types.h"

namespace warden::bench {
namespace {

namespace http = boost::beast::http;
namespace asio = proxy::asio;
using proxy::kUseTuple;
using proxy::Tcp;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kChatRequest =
    R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a concise assistant for the )"
    R"(finance team."},{"role":"user","content":"Please summarise the quarterly report and list the risks )"
    R"(for our customers in three short bullet points."}],"temperature":0.2,"max_tokens":200})";

http::request<http::string_body> chatRequest() {
  http::request<http::string_body> request{http::verb::post, "/v1/chat/completions", 11};
  request.set(http::field::host, "api.openai.com");
  request.set(http::field::content_type, "application/json");
  request.set(http::field::authorization, "Bearer sk-bench-not-a-real-key");
  request.set(http::field::user_agent, "warden-audit-bench/1");
  request.keep_alive(true);
  request.body() = kChatRequest;
  request.prepare_payload();
  return request;
}

asio::awaitable<void> connectionLoop(uint16_t port, Clock::time_point deadline, LoadFigures& figures) {
  auto executor = co_await asio::this_coro::executor;
  const auto request = chatRequest();
  const Tcp::endpoint proxy(asio::ip::address_v4::loopback(), port);
  while (Clock::now() < deadline) {
    Tcp::socket socket(executor);
    auto [cec] = co_await socket.async_connect(proxy, kUseTuple);
    if (cec) {
      ++figures.errors;
      continue;
    }
    socket.set_option(Tcp::no_delay(true));
    boost::beast::flat_buffer buffer;
    while (Clock::now() < deadline) {
      const auto sent = Clock::now();
      auto [wec, wn] = co_await http::async_write(socket, request, kUseTuple);
      http::response<http::string_body> response;
      if (!wec) {
        auto [rec, rn] = co_await http::async_read(socket, buffer, response, kUseTuple);
        wec = rec;
      }
      if (wec || response.result_int() != 200) {
        ++figures.errors;
        break;  // a new connection
      }
      figures.latencyMicros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - sent).count());
      if (!response.keep_alive()) break;
    }
  }
}

}  // namespace

void LoadFigures::add(const LoadFigures& other) {
  latencyMicros.insert(latencyMicros.end(), other.latencyMicros.begin(), other.latencyMicros.end());
  seconds += other.seconds;
  errors += other.errors;
}

double LoadFigures::requestsPerSecond() const {
  return seconds > 0 ? static_cast<double>(latencyMicros.size()) / seconds : 0;
}

double LoadFigures::percentile(double p) const {
  if (latencyMicros.empty()) return 0;
  std::vector<double> sorted = latencyMicros;
  const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  const size_t index = std::clamp<size_t>(rank, 1, sorted.size()) - 1;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(index), sorted.end());
  return sorted[index];
}

LoadFigures driveLoad(uint16_t proxyPort, unsigned connections, std::chrono::duration<double> duration) {
  asio::io_context io;
  std::vector<LoadFigures> perConnection(connections);
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(duration);
  for (auto& figures : perConnection) asio::co_spawn(io, connectionLoop(proxyPort, deadline, figures), asio::detached);
  io.run();
  LoadFigures total;
  for (const auto& figures : perConnection) total.add(figures);
  total.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return total;
}

}  // namespace warden::bench
