#include "proxy/hop_by_hop.h"

#include <boost/beast/core/string.hpp>

#include <string>
#include <vector>

namespace warden::proxy {

void removeHopByHopFields(http::fields& fields) {
  std::vector<std::string> named;
  auto [first, last] = fields.equal_range(http::field::connection);
  for (auto it = first; it != last; ++it) {
    for (auto token : http::token_list(it->value())) named.emplace_back(token);
  }
  for (const auto& name : named) {
    // Framing fields are ours to keep consistent with the body we forward.
    if (beast::iequals(name, "transfer-encoding") || beast::iequals(name, "content-length")) continue;
    fields.erase(name);
  }
  for (auto field : {http::field::connection, http::field::keep_alive, http::field::proxy_connection,
                     http::field::proxy_authenticate, http::field::proxy_authorization, http::field::te,
                     http::field::trailer, http::field::upgrade}) {
    fields.erase(field);
  }
}

}  // namespace warden::proxy
