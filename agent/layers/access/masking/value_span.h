// Where the value to mask lies once a pattern has matched: Vectorscan
// reports whole matches only, so the pattern stops where the value starts
// and these readers find where it ends.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace warden::masking {

// The longest value valueAfter() reads: long enough for a token, a signed
// URL or a base64 key file assigned to a name (512 bytes left those in the
// clear), short enough that a pattern matching in prose does not mask pages.
inline constexpr size_t kMaxValueBytes = 4096;

struct ValueSpan {
  size_t offset = 0;
  size_t length = 0;
  bool quoted = false;
};

// The value starting at `from` (after `=`, `:`, `Bearer `...): inside quotes
// when it opens with one (or the match ended with one), else up to
// whitespace or a delimiter. Nothing when it is empty.
std::optional<ValueSpan> valueAfter(std::string_view text, size_t from);

// The password of "scheme://user:" + password + "@host": from `from` to the
// '@', which must come before whitespace, '/' or a quote.
std::optional<ValueSpan> urlPassword(std::string_view text, size_t from);

// A PEM / OpenSSH private key block from its BEGIN line at `begin`: through
// its END line, or, when cut off, through the base64 lines that follow.
// Nothing when the block has no body.
std::optional<ValueSpan> pemBlock(std::string_view text, size_t begin, size_t beginLineEnd);

}  // namespace warden::masking
