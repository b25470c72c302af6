#include "providers/json_body.h"

namespace warden::providers {
namespace {

struct TooDeep {};

}  // namespace

Result<Json> parseJsonBody(std::string_view body, size_t maxDepth) {
  // The callback sees every object and array as it opens, at its depth: the
  // deep one is refused before the parser recurses into it.
  auto limit = [maxDepth](int depth, Json::parse_event_t event, Json&) {
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        static_cast<size_t>(depth) >= maxDepth) {
      throw TooDeep{};
    }
    return true;
  };
  try {
    return Json::parse(body.begin(), body.end(), limit);
  } catch (const TooDeep&) {
    return Error{"JSON nested deeper than " + std::to_string(maxDepth) + " levels"};
  } catch (const Json::exception& e) {
    return Error{std::string("malformed JSON: ") + e.what()};
  }
}

std::string pointerAppend(std::string_view base, std::string_view key) {
  std::string out(base);
  out += '/';
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string pointerAppend(std::string_view base, size_t index) {
  return std::string(base) + '/' + std::to_string(index);
}

}  // namespace warden::providers
