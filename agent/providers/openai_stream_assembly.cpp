#include "providers/openai_stream_assembly.h"

#include <algorithm>

namespace warden::providers::openai {

void OrderedText::append(StreamKey key, std::string_view piece) {
  piece = budget_->admit(piece);
  if (!any_) {
    any_ = true;
    only_ = key;
  }
  if (!split_) {
    if (key == only_) {
      out_->append(piece);
      return;
    }
    split_ = true;
    pieces_[only_] = *out_;
  }
  std::string& slot = pieces_[key];
  slot.append(piece);
  // Appending to the last key keeps `out` in order without a rebuild.
  if (!stale_ && pieces_.rbegin()->first == key) {
    out_->append(piece);
  } else {
    stale_ = true;
  }
}

void OrderedText::replace(StreamKey key, std::string_view text) {
  const auto admitted = budget_->readmit(sizeOf(key), text);
  if (!admitted) return;
  text = *admitted;
  if (!any_) {
    any_ = true;
    only_ = key;
  }
  if (!split_ && key == only_) {
    out_->assign(text);
    return;
  }
  if (!split_) {
    split_ = true;
    pieces_[only_] = *out_;
  }
  pieces_[key].assign(text);
  stale_ = true;
}

size_t OrderedText::sizeOf(StreamKey key) const {
  if (!split_) return any_ && key == only_ ? out_->size() : 0;
  const auto it = pieces_.find(key);
  return it == pieces_.end() ? 0 : it->second.size();
}

void OrderedText::sync() const {
  if (!stale_) return;
  out_->clear();
  for (const auto& [key, piece] : pieces_) out_->append(piece);
  stale_ = false;
}

ToolCall& ToolCallAssembly::at(StreamKey key) {
  const auto it = std::lower_bound(keys_.begin(), keys_.end(), key);
  const auto index = static_cast<size_t>(it - keys_.begin());
  if (it != keys_.end() && *it == key) return (*out_)[index];
  keys_.insert(it, key);
  return *out_->insert(out_->begin() + static_cast<ptrdiff_t>(index), ToolCall{});
}

}  // namespace warden::providers::openai
