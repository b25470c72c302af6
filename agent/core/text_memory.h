// What an engine found in one text, remembered per thread. A conversation
// resends its system prompt, tool descriptions and whole history with every
// turn; only the texts not seen before need the engine. An entry is found by
// the whole text and a tag (what kind of text it is), compared byte for byte
// (a hash picks the bucket only, keyed per process), so no crafted text can
// take another's result or crowd a bucket. Memory is bounded: two
// generations, the older dropped when the newer fills half the budget, so
// what is used keeps being carried over and what is not ages out.
//
// CostOf(const Value&) gives the bytes a value holds beyond its text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/keyed_hash.h"

namespace warden {

template <class Value, class CostOf>
class TextMemory {
 public:
  // `maxBytes`: texts and values together; 0 keeps nothing.
  explicit TextMemory(size_t maxBytes = 0) : maxBytes_(maxBytes) {}

  // The value kept for this text with this tag, or null. Valid until the
  // next call of any member: carrying an entry over from the older
  // generation may rotate the generations.
  const Value* find(uint32_t tag, std::string_view text) {
    if (maxBytes_ == 0) return nullptr;
    const KeyView key{tag, text};
    if (auto it = current_.find(key); it != current_.end()) return &it->second;
    auto old = previous_.find(key);
    if (old == previous_.end()) return nullptr;
    // Still in use: carried into the current generation.
    auto node = previous_.extract(old);
    const size_t cost = costOf(text, node.mapped());
    return keep(std::move(node.key()), std::move(node.mapped()), cost);
  }

  // Keeps `value` unless it is too large to be worth a place; returns what
  // the caller should use (the kept copy or `value` itself).
  const Value* insert(uint32_t tag, std::string_view text, Value&& value) {
    const size_t cost = costOf(text, value);
    if (maxBytes_ == 0 || cost > maxBytes_ / kLargestShare) {
      spare_ = std::move(value);
      return &spare_;
    }
    return keep(Key{tag, std::string(text)}, std::move(value), cost);
  }

  void reset(size_t maxBytes) {
    maxBytes_ = maxBytes;
    current_.clear();
    previous_.clear();
    currentBytes_ = 0;
  }

  size_t entries() const { return current_.size() + previous_.size(); }

 private:
  // A text larger than this share of the budget would push out many others.
  static constexpr size_t kLargestShare = 8;
  // Bookkeeping of an entry (node, string header) beyond its bytes.
  static constexpr size_t kEntryOverhead = 256;

  struct Key {
    uint32_t tag;
    std::string text;
  };
  struct KeyView {
    uint32_t tag;
    std::string_view text;
  };
  struct Hash {
    using is_transparent = void;
    // Keyed per process: texts come from clients, who must not be able to
    // pile entries into one bucket.
    size_t operator()(const KeyView& k) const {
      return sipHash13(processSipKey(), k.text) ^ (static_cast<size_t>(k.tag) * 0x9E3779B97F4A7C15ull);
    }
    size_t operator()(const Key& k) const { return (*this)(KeyView{k.tag, k.text}); }
  };
  struct Equal {
    using is_transparent = void;
    static KeyView view(const Key& k) { return {k.tag, k.text}; }
    static KeyView view(const KeyView& k) { return k; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return view(a).tag == view(b).tag && view(a).text == view(b).text;
    }
  };
  using Map = std::unordered_map<Key, Value, Hash, Equal>;

  static size_t costOf(std::string_view text, const Value& value) {
    return kEntryOverhead + text.size() + CostOf{}(value);
  }

  const Value* keep(Key key, Value&& value, size_t cost) {
    if (currentBytes_ + cost > maxBytes_ / 2) {
      previous_ = std::move(current_);
      current_.clear();
      currentBytes_ = 0;
    }
    currentBytes_ += cost;
    auto [it, added] = current_.insert_or_assign(std::move(key), std::move(value));
    return &it->second;
  }

  size_t maxBytes_;
  Map current_;
  Map previous_;
  size_t currentBytes_ = 0;
  Value spare_{};  // a value not kept, handed back by insert()
};

}  // namespace warden
