// Whether a Content-Encoding value leaves the body as it is: decoding it
// would only copy the bytes.
#pragma once

#include <boost/beast/core/string.hpp>

#include <string_view>

namespace warden::proxy {

inline bool isIdentityCoding(std::string_view contentEncoding) {
  const auto first = contentEncoding.find_first_not_of(" \t");
  if (first == std::string_view::npos) return true;
  const auto last = contentEncoding.find_last_not_of(" \t");
  return boost::beast::iequals(contentEncoding.substr(first, last - first + 1), "identity");
}

}  // namespace warden::proxy
