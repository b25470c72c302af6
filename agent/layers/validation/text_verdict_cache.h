// What inspecting one text found, remembered per thread. A conversation
// resends its system prompt, tool descriptions and whole history with every
// turn; only the texts not seen before need the engine. An entry is found by
// the whole text and its part, compared byte for byte (a hash picks the
// bucket only, keyed per process), so no crafted text can take another's
// result or crowd a bucket. Memory is bounded: two generations, the older
// dropped when the newer fills half the budget, so what is used keeps being
// carried over and what is not ages out.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/keyed_hash.h"
#include "layers/validation/prompt_inspector.h"

namespace warden::validation {

// One text's findings (textIndex 0; the caller sets its own) and report.
struct TextOutcome {
  std::vector<Detection> detections;
  TextReport report;
};

class TextVerdictCache {
 public:
  // `maxBytes`: texts, sanitised copies and findings together; 0 keeps nothing.
  explicit TextVerdictCache(size_t maxBytes = 0) : maxBytes_(maxBytes) {}

  // The outcome kept for this text in this part, or null. Valid until the
  // next call of any member: carrying an entry over from the older
  // generation may rotate the generations.
  const TextOutcome* find(MessagePart part, std::string_view text);
  // Keeps `outcome` unless it is too large to be worth a place; returns what
  // the caller should use (the kept copy or `outcome` itself).
  const TextOutcome* insert(MessagePart part, std::string_view text, TextOutcome&& outcome);
  void reset(size_t maxBytes);

  size_t entries() const { return current_.size() + previous_.size(); }

 private:
  struct Key {
    MessagePart part;
    std::string text;
  };
  struct KeyView {
    MessagePart part;
    std::string_view text;
  };
  struct Hash {
    using is_transparent = void;
    // Keyed per process: texts come from clients, who must not be able to
    // pile entries into one bucket.
    size_t operator()(const KeyView& k) const {
      return sipHash24(processSipKey(), k.text) ^ (static_cast<size_t>(k.part) * 0x9E3779B97F4A7C15ull);
    }
    size_t operator()(const Key& k) const { return (*this)(KeyView{k.part, k.text}); }
  };
  struct Equal {
    using is_transparent = void;
    static KeyView view(const Key& k) { return {k.part, k.text}; }
    static KeyView view(const KeyView& k) { return k; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return view(a).part == view(b).part && view(a).text == view(b).text;
    }
  };
  using Map = std::unordered_map<Key, TextOutcome, Hash, Equal>;

  static size_t costOf(std::string_view text, const TextOutcome& outcome);
  const TextOutcome* keep(Key key, TextOutcome&& outcome, size_t cost);

  size_t maxBytes_;
  Map current_;
  Map previous_;
  size_t currentBytes_ = 0;
  TextOutcome spare_;  // an outcome not kept, handed back by insert()
};

}  // namespace warden::validation
