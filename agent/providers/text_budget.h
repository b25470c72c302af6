// A bound on the output a response reader keeps: Response::text and tool
// call arguments together. A reply that streams without end (a runaway
// generation, a hostile upstream) must not grow the agent's memory with it;
// the bytes are relayed regardless, only the inspected copy stops.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace warden::providers {

class TextBudget {
 public:
  static constexpr size_t kDefaultLimit = size_t{8} << 20;

  explicit TextBudget(size_t limit = kDefaultLimit) : limit_(limit) {}

  // The longest prefix of `piece` that fits, cut at a UTF-8 character
  // boundary. Once a piece does not fit whole the budget is spent: nothing
  // more is admitted, so the text kept is a prefix of the real one.
  std::string_view admit(std::string_view piece);
  // `text` in place of `replaced` bytes admitted before, which are given
  // back first; nullopt once spent (the text kept stays as it is).
  std::optional<std::string_view> readmit(size_t replaced, std::string_view text);

  void append(std::string& into, std::string_view piece) { into.append(admit(piece)); }
  void assign(std::string& into, std::string_view text);
  // Text already in place (read from a whole body) is cut to what fits.
  void charge(std::string& text) { text.resize(admit(text).size()); }

  bool spent() const { return spent_; }
  size_t limit() const { return limit_; }

 private:
  size_t limit_;
  size_t used_ = 0;
  bool spent_ = false;
};

}  // namespace warden::providers
