#include "proxy/hop_by_hop.h"

#include <boost/beast/core/string.hpp>

#include <string>
#include <vector>

namespace warden::proxy {
namespace {

bool isHopByHop(http::field field) {
  switch (field) {
    case http::field::connection:
    case http::field::keep_alive:
    case http::field::proxy_connection:
    case http::field::proxy_authenticate:
    case http::field::proxy_authorization:
    case http::field::te:
    case http::field::trailer:
    case http::field::upgrade: return true;
    default: return false;
  }
}

template <class FieldsType>
void removeFrom(FieldsType& fields) {
  std::vector<std::string> named;  // allocates only when Connection names fields
  auto [first, last] = fields.equal_range(http::field::connection);
  for (auto it = first; it != last; ++it) {
    for (auto token : http::token_list(it->value())) named.emplace_back(token);
  }
  for (const auto& name : named) {
    // Framing fields are ours to keep consistent with the body we forward.
    if (beast::iequals(name, "transfer-encoding") || beast::iequals(name, "content-length")) continue;
    fields.erase(name);
  }
  // One pass over the fields rather than a lookup per hop-by-hop name: this
  // runs for every request and response.
  for (auto it = fields.begin(); it != fields.end();) {
    it = isHopByHop(it->name()) ? fields.erase(it) : std::next(it);
  }
}

}  // namespace

void removeHopByHopFields(http::fields& fields) { removeFrom(fields); }
void removeHopByHopFields(Fields& fields) { removeFrom(fields); }

}  // namespace warden::proxy
