#include "providers/json_edit.h"

#include <nlohmann/json.hpp>

namespace warden::providers {
namespace {

// Key order is kept so the forwarded body differs from the client's only in
// the edited strings (and whitespace).
using OrderedJson = nlohmann::ordered_json;

// Deep enough for any body the adapters accept; re-serialising recurses once
// per level, so the bound also keeps the stack small.
constexpr size_t kMaxEditDepth = 512;

struct TooDeep {};

Result<OrderedJson> parseOrdered(std::string_view body) {
  auto limit = [](int depth, OrderedJson::parse_event_t event, OrderedJson&) {
    if ((event == OrderedJson::parse_event_t::object_start || event == OrderedJson::parse_event_t::array_start) &&
        static_cast<size_t>(depth) >= kMaxEditDepth) {
      throw TooDeep{};
    }
    return true;
  };
  try {
    return OrderedJson::parse(body.begin(), body.end(), limit);
  } catch (const TooDeep&) {
    return Error{"body nested deeper than " + std::to_string(kMaxEditDepth) + " levels"};
  } catch (const OrderedJson::exception& e) {
    return Error{std::string("body is not valid JSON: ") + e.what()};
  }
}

}  // namespace

Result<std::string> applyEdits(std::string_view body, const std::vector<TextEdit>& edits) {
  auto parsed = parseOrdered(body);
  if (!parsed) return parsed.error().wrap("cannot edit request");
  OrderedJson& document = *parsed;

  for (const TextEdit& edit : edits) {
    const std::string what = "cannot edit request at \"" + edit.pointer + "\"";
    try {
      const OrderedJson::json_pointer pointer(edit.pointer);
      if (!document.contains(pointer)) return Error{what + ": no such value in the body"};
      OrderedJson& target = document.at(pointer);
      if (target.is_string()) {
        target = edit.text;
        continue;
      }
      if (!target.is_object() && !target.is_array()) {
        return Error{what + ": the value is a " + target.type_name() + ", not a string, object or array"};
      }
      // A tool call's arguments as an object (Anthropic's input, Gemini's
      // args): the adapters read them as their JSON text, so the edited text
      // goes back in as JSON, and must still be the same kind of value.
      auto value = parseOrdered(edit.text);
      if (!value) return Error{what + ": the edited " + target.type_name() + " is no longer JSON"};
      if (value->type() != target.type()) {
        return Error{what + ": the edited " + target.type_name() + " is now a JSON " + value->type_name()};
      }
      target = std::move(*value);
    } catch (const OrderedJson::exception& e) {
      return Error{what + ": " + e.what()};
    }
  }

  try {
    return document.dump();
  } catch (const OrderedJson::exception& e) {
    // Only an edit can bring invalid UTF-8 in: the parsed body was valid.
    return Error{std::string("cannot edit request: replacement text is not valid UTF-8 (") + e.what() + ")"};
  }
}

}  // namespace warden::providers
