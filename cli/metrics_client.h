// Fetches wardend's metrics page over HTTP from its loopback endpoint.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace warden::cli {

// GET http://127.0.0.1:<port>/metrics; the body of a 200 answer. Errors are
// ready to print: nothing listening (wardend not running, or metrics on
// another port), no answer within `timeout`, or an answer other than 200.
Result<std::string> fetchMetrics(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace warden::cli
