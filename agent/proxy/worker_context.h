// What a connection handler gets from the worker that accepted it.
#pragma once

#include "proxy/proxy_shared.h"
#include "proxy/upstream_pool.h"

namespace warden::proxy {

struct WorkerContext {
  ProxyShared& shared;
  UpstreamPool& pool;  // this worker's only
};

}  // namespace warden::proxy
