// What a connection handler gets from the worker that accepted it.
#pragma once

#include "proxy/event_batcher.h"
#include "proxy/proxy_shared.h"
#include "proxy/upstream_pool.h"

namespace warden::proxy {

struct WorkerContext {
  ProxyShared& shared;
  UpstreamPool& pool;    // this worker's only
  EventBatcher& events;  // this worker's only: audit events leave through it
};

}  // namespace warden::proxy
