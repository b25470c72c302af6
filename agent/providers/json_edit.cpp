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

// Whether `edited` differs from `original` only in the text of strings: the
// same keys in the same order, the same lengths, the same numbers, booleans
// and nulls. Masking works on the value's JSON text, where a quoted secret
// can run past the end of its JSON string and swallow the members after it
// and still leave valid JSON behind; such a value must not go out. Both come
// from parseOrdered(), so the recursion is bounded by kMaxEditDepth.
bool onlyStringsDiffer(const OrderedJson& original, const OrderedJson& edited) {
  if (original.type() != edited.type()) return false;
  if (original.is_string()) return true;
  if (original.is_array()) {
    if (original.size() != edited.size()) return false;
    for (size_t i = 0; i < original.size(); ++i) {
      if (!onlyStringsDiffer(original[i], edited[i])) return false;
    }
    return true;
  }
  if (original.is_object()) {
    if (original.size() != edited.size()) return false;
    auto a = original.begin();
    auto b = edited.begin();
    for (; a != original.end(); ++a, ++b) {
      if (a.key() != b.key() || !onlyStringsDiffer(a.value(), b.value())) return false;
    }
    return true;
  }
  return original == edited;
}

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
      // goes back in as JSON, and may differ only inside its strings.
      auto value = parseOrdered(edit.text);
      if (!value) return Error{what + ": the edited " + target.type_name() + " is no longer JSON"};
      if (!onlyStringsDiffer(target, *value)) {
        return Error{what + ": the edit changes the " + std::string(target.type_name()) +
                     "'s structure, not only the text of its strings"};
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
