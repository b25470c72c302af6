// The JSON answers of the control socket's read-only commands.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kernel/bpf_redirector.h"
#include "proxy/proxy.h"

namespace warden::app {

nlohmann::json toJson(const kernel::KernelCounters& counters);
nlohmann::json toJson(const proxy::ProxyCounters& counters);

}  // namespace warden::app
