#include "layers/validation/encoded_runs.h"

#include <array>

#include "layers/validation/text_likeness.h"

namespace warden::validation {
namespace {

// Enough decoded bytes to reject random data before decoding all of it.
constexpr size_t kProbeBytes = 192;
constexpr size_t kMinPercentEscapes = 3;
constexpr size_t kMinByteEscapes = 4;

constexpr std::array<int8_t, 256> kBase64Values = [] {
  std::array<int8_t, 256> table{};
  table.fill(-1);
  for (int i = 0; i < 26; ++i) {
    table['A' + i] = static_cast<int8_t>(i);
    table['a' + i] = static_cast<int8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) table['0' + i] = static_cast<int8_t>(52 + i);
  table['+'] = table['-'] = 62;  // standard and URL-safe alphabets
  table['/'] = table['_'] = 63;
  return table;
}();

int hexValue(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isBase64(unsigned char c) { return kBase64Values[c] >= 0; }

// Decodes at most `maxBytes` bytes of base64 digits (no padding).
std::string decodeBase64(std::string_view digits, size_t maxBytes) {
  std::string out;
  out.reserve(std::min(maxBytes, digits.size() / 4 * 3 + 3));
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : digits) {
    if (out.size() >= maxBytes) break;
    buffer = (buffer << 6) | static_cast<uint32_t>(kBase64Values[c]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

std::string decodeHex(std::string_view digits, size_t maxBytes) {
  std::string out;
  for (size_t i = 0; i + 1 < digits.size() && out.size() < maxBytes; i += 2) {
    out.push_back(static_cast<char>(hexValue(digits[i]) << 4 | hexValue(digits[i + 1])));
  }
  return out;
}

class RunFinder {
 public:
  RunFinder(std::string_view text, size_t minRun, DecodeBudget& budget)
      : text_(text), minRun_(minRun), budget_(budget) {}

  std::vector<EncodedRun> find() {
    findAlphabetRuns();
    findByteEscapes();
    findPercentRuns();
    return std::move(runs_);
  }

 private:
  // Tries `decode(limit)` on a probe first; keeps the full decoding if both
  // read as text.
  template <class Decode>
  bool accept(Encoding encoding, size_t begin, size_t end, size_t decodedSize, Decode decode) {
    if (!looksLikeText(decode(kProbeBytes))) return false;
    const size_t granted = budget_.take(decodedSize);
    if (granted == 0) return true;  // it was text; the budget is what stopped it
    std::string decoded = decode(granted);
    if (!looksLikeText(decoded)) return false;
    runs_.push_back(EncodedRun{encoding, begin, end, std::move(decoded)});
    return true;
  }

  void findAlphabetRuns() {
    size_t at = 0;
    while (at < text_.size()) {
      if (!isBase64(static_cast<unsigned char>(text_[at]))) {
        ++at;
        continue;
      }
      const size_t begin = at;
      bool hex = true;
      while (at < text_.size() && isBase64(static_cast<unsigned char>(text_[at]))) {
        hex = hex && hexValue(static_cast<unsigned char>(text_[at])) >= 0;
        ++at;
      }
      const std::string_view digits = text_.substr(begin, at - begin);
      size_t end = at;
      while (end < text_.size() && end - at < 2 && text_[end] == '=') ++end;
      if (digits.size() < minRun_) continue;
      if (hex && digits.size() % 2 == 0 &&
          accept(Encoding::Hex, begin, end, digits.size() / 2,
                 [&](size_t limit) { return decodeHex(digits, limit); })) {
        continue;
      }
      const std::string_view usable = digits.size() % 4 == 1 ? digits.substr(0, digits.size() - 1) : digits;
      accept(Encoding::Base64, begin, end, usable.size() / 4 * 3 + 2,
             [&](size_t limit) { return decodeBase64(usable, limit); });
    }
  }

  bool byteEscapeAt(size_t at) const {
    return at + 3 < text_.size() && text_[at] == '\\' && text_[at + 1] == 'x' &&
           hexValue(static_cast<unsigned char>(text_[at + 2])) >= 0 &&
           hexValue(static_cast<unsigned char>(text_[at + 3])) >= 0;
  }

  // "\x69\x67\x6e..." as in C and Python string literals.
  void findByteEscapes() {
    for (size_t at = text_.find("\\x"); at != std::string_view::npos; at = text_.find("\\x", at + 1)) {
      if (!byteEscapeAt(at)) continue;
      const size_t begin = at;
      std::string digits;
      while (byteEscapeAt(at)) {
        digits.append(text_.substr(at + 2, 2));
        at += 4;
      }
      if (digits.size() / 2 >= kMinByteEscapes) {
        accept(Encoding::Hex, begin, at, digits.size() / 2, [&](size_t limit) { return decodeHex(digits, limit); });
      }
      if (at >= text_.size()) break;
    }
  }

  static bool endsPercentRun(unsigned char c) {
    return c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == 0x7F;
  }

  void findPercentRuns() {
    size_t at = 0;
    while ((at = text_.find('%', at)) != std::string_view::npos) {
      size_t begin = at;
      while (begin > 0 && !endsPercentRun(static_cast<unsigned char>(text_[begin - 1]))) --begin;
      size_t end = at;
      size_t escapes = 0;
      while (end < text_.size() && !endsPercentRun(static_cast<unsigned char>(text_[end]))) {
        if (text_[end] == '%' && end + 2 < text_.size() && hexValue(static_cast<unsigned char>(text_[end + 1])) >= 0 &&
            hexValue(static_cast<unsigned char>(text_[end + 2])) >= 0) {
          ++escapes;
          end += 3;
        } else {
          ++end;
        }
      }
      at = end;
      if (escapes < kMinPercentEscapes) continue;
      const std::string_view run = text_.substr(begin, end - begin);
      accept(Encoding::Percent, begin, end, run.size(), [&](size_t limit) {
        std::string out;
        for (size_t i = 0; i < run.size() && out.size() < limit; ++i) {
          if (run[i] == '%' && i + 2 < run.size() && hexValue(static_cast<unsigned char>(run[i + 1])) >= 0 &&
              hexValue(static_cast<unsigned char>(run[i + 2])) >= 0) {
            out.push_back(static_cast<char>(hexValue(static_cast<unsigned char>(run[i + 1])) << 4 |
                                            hexValue(static_cast<unsigned char>(run[i + 2]))));
            i += 2;
          } else {
            out.push_back(run[i]);
          }
        }
        return out;
      });
    }
  }

  std::string_view text_;
  size_t minRun_;
  DecodeBudget& budget_;
  std::vector<EncodedRun> runs_;
};

}  // namespace

size_t DecodeBudget::take(size_t wanted) {
  if (bytesLeft == 0 || segmentsLeft == 0) {
    ++skipped;
    return 0;
  }
  const size_t granted = std::min(wanted, bytesLeft);
  bytesLeft -= granted;
  --segmentsLeft;
  return granted;
}

std::vector<EncodedRun> findEncodedRuns(std::string_view text, size_t minRun, DecodeBudget& budget) {
  return RunFinder(text, minRun, budget).find();
}

}  // namespace warden::validation
