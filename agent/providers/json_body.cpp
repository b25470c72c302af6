#include "providers/json_body.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace warden::providers {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Parsers kept per thread for reuse: a parser keeps its buffers sized to
// the largest document it has read, so a few are enough and a parser grown
// by a rare huge body is let go rather than kept.
constexpr size_t kPooledParsers = 4;
constexpr size_t kPooledCapacity = size_t{1} << 20;

std::vector<std::unique_ptr<simdjson::dom::parser>>& parserPool() {
  thread_local std::vector<std::unique_ptr<simdjson::dom::parser>> pool;
  return pool;
}

std::unique_ptr<simdjson::dom::parser> borrowParser() {
  auto& pool = parserPool();
  if (pool.empty()) return std::make_unique<simdjson::dom::parser>();
  auto parser = std::move(pool.back());
  pool.pop_back();
  return parser;
}

void returnParser(std::unique_ptr<simdjson::dom::parser> parser) {
  auto& pool = parserPool();
  if (parser && pool.size() < kPooledParsers && parser->capacity() <= kPooledCapacity) {
    pool.push_back(std::move(parser));
  }
}

// The first key named twice in any object of the document, if one is.
std::optional<std::string_view> duplicateKey(element value) {
  if (value.is_array()) {
    for (element item : simdjson::dom::array(value)) {
      if (auto key = duplicateKey(item)) return key;
    }
    return std::nullopt;
  }
  if (!value.is_object()) return std::nullopt;
  const simdjson::dom::object object(value);
  // Request objects have a handful of members: compare pairwise below a
  // size where sorting pays.
  constexpr size_t kPairwise = 16;
  std::vector<std::string_view> keys;
  if (object.size() > kPairwise) keys.reserve(object.size());
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string_view key = it.key();
    if (object.size() <= kPairwise) {
      for (auto earlier = object.begin(); earlier != it; ++earlier) {
        if (earlier.key() == key) return key;
      }
    } else {
      keys.push_back(key);
    }
    if (auto inner = duplicateKey(it.value())) return inner;
  }
  std::sort(keys.begin(), keys.end());
  const auto twice = std::adjacent_find(keys.begin(), keys.end());
  if (twice != keys.end()) return *twice;
  return std::nullopt;
}

}  // namespace

bool JsonValue::isCount() const {
  int64_t signedValue = 0;
  if (element_.get_int64().get(signedValue) == simdjson::SUCCESS) return signedValue >= 0;
  return element_.is_uint64();
}

std::string_view JsonValue::string() const {
  std::string_view out;
  return element_.get_string().get(out) == simdjson::SUCCESS ? out : std::string_view{};
}

bool JsonValue::boolean() const {
  bool out = false;
  return element_.get_bool().get(out) == simdjson::SUCCESS && out;
}

double JsonValue::number() const {
  double out = 0;
  return element_.get_double().get(out) == simdjson::SUCCESS ? out : 0;
}

std::optional<uint64_t> JsonValue::count() const {
  if (!isCount()) return std::nullopt;
  uint64_t out = 0;
  if (element_.get_uint64().get(out) != simdjson::SUCCESS) return std::nullopt;
  return out;
}

std::optional<int64_t> JsonValue::integer() const {
  int64_t out = 0;
  if (element_.get_int64().get(out) != simdjson::SUCCESS) return std::nullopt;
  return out;
}

size_t JsonValue::size() const {
  simdjson::dom::array array;
  if (element_.get_array().get(array) == simdjson::SUCCESS) return array.size();
  simdjson::dom::object object;
  if (element_.get_object().get(object) == simdjson::SUCCESS) return object.size();
  return 0;
}

std::optional<JsonValue> JsonValue::find(std::string_view key) const {
  simdjson::dom::object object;
  if (element_.get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
  element value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
  return JsonValue(value);
}

std::optional<JsonValue> JsonValue::atPointer(std::string_view pointer) const {
  element value;
  if (element_.at_pointer(pointer).get(value) != simdjson::SUCCESS) return std::nullopt;
  return JsonValue(value);
}

std::string JsonValue::toJson() const { return simdjson::minify(element_); }

const char* JsonValue::typeName() const {
  switch (element_.type()) {
    case element_type::OBJECT:
      return "object";
    case element_type::ARRAY:
      return "array";
    case element_type::STRING:
      return "string";
    case element_type::BOOL:
      return "boolean";
    case element_type::NULL_VALUE:
      return "null";
    default:
      return "number";
  }
}

JsonValue::Range<JsonValue::ElementIterator> JsonValue::elements() const {
  simdjson::dom::array array;
  if (element_.get_array().get(array) != simdjson::SUCCESS) return {};
  return {ElementIterator(array.begin()), ElementIterator(array.end())};
}

JsonValue::Range<JsonValue::MemberIterator> JsonValue::members() const {
  simdjson::dom::object object;
  if (element_.get_object().get(object) != simdjson::SUCCESS) return {};
  return {MemberIterator(object.begin()), MemberIterator(object.end())};
}

JsonDocument::JsonDocument(std::unique_ptr<simdjson::dom::parser> parser, JsonValue root)
    : parser_(std::move(parser)), root_(root) {}

JsonDocument::JsonDocument(JsonDocument&&) noexcept = default;
JsonDocument& JsonDocument::operator=(JsonDocument&& other) noexcept {
  if (this != &other) {
    returnParser(std::move(parser_));
    parser_ = std::move(other.parser_);
    root_ = other.root_;
  }
  return *this;
}

JsonDocument::~JsonDocument() { returnParser(std::move(parser_)); }

Result<JsonDocument> parseJsonBody(std::string_view body, size_t maxDepth) {
  auto parser = borrowParser();
  if (parser->max_depth() != maxDepth) {
    if (parser->allocate(std::max(body.size(), parser->capacity()), maxDepth) != simdjson::SUCCESS) {
      return Error{"out of memory parsing JSON"};
    }
  }
  element root;
  const auto error = parser->parse(body.data(), body.size()).get(root);
  if (error == simdjson::DEPTH_ERROR) {
    return Error{"JSON nested deeper than " + std::to_string(maxDepth) + " levels"};
  }
  if (error != simdjson::SUCCESS) return Error{std::string("malformed JSON: ") + simdjson::error_message(error)};
  if (auto key = duplicateKey(root)) {
    return Error{"malformed JSON: member \"" + std::string(*key) + "\" given twice in one object"};
  }
  return JsonDocument(std::move(parser), JsonValue(root));
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
