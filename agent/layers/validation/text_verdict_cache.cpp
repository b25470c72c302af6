#include "layers/validation/text_verdict_cache.h"

namespace warden::validation {
namespace {

// A text larger than this share of the budget would push out many others.
constexpr size_t kLargestShare = 8;
// Bookkeeping of an entry (node, strings' headers, vectors) beyond its bytes.
constexpr size_t kEntryOverhead = 256;
constexpr size_t kDetectionOverhead = 160;

}  // namespace

size_t TextVerdictCache::costOf(std::string_view text, const TextOutcome& outcome) {
  size_t cost = kEntryOverhead + text.size() + outcome.report.sanitized.size();
  for (const Detection& d : outcome.detections) {
    cost += kDetectionOverhead + d.id.size() + d.category.size() + d.detail.size();
  }
  return cost;
}

const TextOutcome* TextVerdictCache::find(MessagePart part, std::string_view text) {
  if (maxBytes_ == 0) return nullptr;
  const KeyView key{part, text};
  if (auto it = current_.find(key); it != current_.end()) return &it->second;
  auto old = previous_.find(key);
  if (old == previous_.end()) return nullptr;
  // Still in use: carried into the current generation.
  auto node = previous_.extract(old);
  const size_t cost = costOf(text, node.mapped());
  return keep(std::move(node.key()), std::move(node.mapped()), cost);
}

const TextOutcome* TextVerdictCache::insert(MessagePart part, std::string_view text, TextOutcome&& outcome) {
  const size_t cost = costOf(text, outcome);
  if (maxBytes_ == 0 || cost > maxBytes_ / kLargestShare) {
    spare_ = std::move(outcome);
    return &spare_;
  }
  return keep(Key{part, std::string(text)}, std::move(outcome), cost);
}

const TextOutcome* TextVerdictCache::keep(Key key, TextOutcome&& outcome, size_t cost) {
  if (currentBytes_ + cost > maxBytes_ / 2) {
    previous_ = std::move(current_);
    current_.clear();
    currentBytes_ = 0;
  }
  currentBytes_ += cost;
  auto [it, added] = current_.insert_or_assign(std::move(key), std::move(outcome));
  return &it->second;
}

void TextVerdictCache::reset(size_t maxBytes) {
  maxBytes_ = maxBytes;
  current_.clear();
  previous_.clear();
  currentBytes_ = 0;
}

}  // namespace warden::validation
