#include "proxy/openssl_error.h"

#include <openssl/err.h>

namespace warden::proxy {

Error sslError(const std::string& what) {
  std::string detail;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!detail.empty()) detail += "; ";
    detail += buf;
  }
  return Error{what + ": " + (detail.empty() ? "unknown OpenSSL error" : detail)};
}

}  // namespace warden::proxy
