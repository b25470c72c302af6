#include "providers/text_budget.h"

#include <algorithm>

namespace warden::providers {
namespace {

bool isContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string_view TextBudget::admit(std::string_view piece) {
  if (spent_) return {};
  if (piece.size() <= limit_ - used_) {
    used_ += piece.size();
    return piece;
  }
  spent_ = true;
  size_t cut = limit_ - used_;
  // Layers read the text as UTF-8: half a character would be a fault of ours.
  while (cut > 0 && isContinuationByte(piece[cut])) --cut;
  used_ += cut;
  return piece.substr(0, cut);
}

std::optional<std::string_view> TextBudget::readmit(size_t replaced, std::string_view text) {
  if (spent_) return std::nullopt;
  used_ -= std::min(replaced, used_);
  return admit(text);
}

void TextBudget::assign(std::string& into, std::string_view text) {
  if (const auto admitted = readmit(into.size(), text)) into.assign(*admitted);
}

}  // namespace warden::providers
