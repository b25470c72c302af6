// OpenSSL reports failures in a thread-local queue, not in return values:
// turn the queue into one Error so callers get the real reason.
#pragma once

#include <string>

#include "core/result.h"

namespace warden::proxy {

// Drains the calling thread's OpenSSL error queue into "what: reason; reason".
Error sslError(const std::string& what);

}  // namespace warden::proxy
