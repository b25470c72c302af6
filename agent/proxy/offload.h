// Runs a CPU-heavy function (minting a certificate) on a helper pool and
// resumes the calling coroutine on its own worker, so the worker's event loop
// keeps serving other connections meanwhile.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <type_traits>
#include <utility>

#include "proxy/net_types.h"

namespace warden::proxy {

// fn must not throw; T is what it returns.
template <class F, class T = std::invoke_result_t<F>>
asio::awaitable<T> runOffLoop(asio::thread_pool& pool, F fn) {
  auto home = co_await asio::this_coro::executor;
  // A named object, not a temporary inside the co_await expression: GCC 12
  // mishandles lambda temporaries there (seen as a double free).
  auto initiation = [&pool, home, fn = std::move(fn)](auto handler) mutable {
    // The guard keeps the worker's loop alive while the job is away.
    auto guard = asio::make_work_guard(home);
    asio::post(pool, [handler = std::move(handler), guard = std::move(guard), fn = std::move(fn)]() mutable {
      T produced = fn();
      auto target = guard.get_executor();
      asio::post(target, [handler = std::move(handler), produced = std::move(produced)]() mutable {
        std::move(handler)(std::move(produced));
      });
      guard.reset();
    });
  };
  T result = co_await asio::async_initiate<decltype(asio::use_awaitable), void(T)>(initiation, asio::use_awaitable);
  co_return result;
}

}  // namespace warden::proxy
