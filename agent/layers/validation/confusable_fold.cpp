#include "layers/validation/confusable_fold.h"

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/uspoof.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <array>
#include <unordered_map>

#include "core/log.h"

namespace warden::validation {
namespace {

constexpr size_t kMaxCachedCharacters = 1 << 16;

// The checker is only read after it is opened, which ICU allows from any
// thread.
const USpoofChecker* spoofChecker() {
  static const USpoofChecker* checker = [] {
    UErrorCode status = U_ZERO_ERROR;
    USpoofChecker* opened = uspoof_open(&status);
    if (U_FAILURE(status)) {
      logger("validation")->error("ICU spoof checker unavailable ({}); confusable characters are not folded. "
                                  "Check that the ICU data library (libicu72) is installed",
                                  u_errorName(status));
      return static_cast<USpoofChecker*>(nullptr);
    }
    return opened;
  }();
  return checker;
}

std::string toUtf8(UChar32 c) {
  char buf[4];
  int32_t len = 0;
  U8_APPEND_UNSAFE(buf, len, c);  // c came from U8_NEXT: a valid scalar value
  return std::string(buf, static_cast<size_t>(len));
}

// The ASCII the skeleton of c reads as once its accents are dropped, or "".
std::string asciiSkeleton(UChar32 c) {
  const USpoofChecker* checker = spoofChecker();
  if (checker == nullptr) return {};
  const std::string utf8 = toUtf8(c);
  std::array<char, 64> skeleton{};
  UErrorCode status = U_ZERO_ERROR;
  const int32_t len = uspoof_getSkeletonUTF8(checker, 0, utf8.data(), static_cast<int32_t>(utf8.size()),
                                             skeleton.data(), static_cast<int32_t>(skeleton.size()), &status);
  if (U_FAILURE(status) || len <= 0) return {};
  std::string ascii;
  for (int32_t at = 0; at < len;) {
    UChar32 s = 0;
    U8_NEXT(skeleton.data(), at, len, s);
    if (s >= 0x21 && s <= 0x7E) {
      ascii.push_back(static_cast<char>(s >= 'A' && s <= 'Z' ? s - 'A' + 'a' : s));
    } else if (s < 0 || u_charType(s) != U_NON_SPACING_MARK) {
      return {};
    }
  }
  // Skeletons write I and l alike (as l); an upper-case letter meant I.
  if (ascii == "l" && u_isupper(c)) ascii = "i";
  return ascii;
}

std::string caseFolded(UChar32 c) {
  std::array<UChar, 2> source{};
  int32_t sourceLen = 0;
  U16_APPEND_UNSAFE(source.data(), sourceLen, c);
  std::array<UChar, 8> folded{};
  UErrorCode status = U_ZERO_ERROR;
  const int32_t foldedLen = u_strFoldCase(folded.data(), static_cast<int32_t>(folded.size()), source.data(),
                                          sourceLen, U_FOLD_CASE_DEFAULT, &status);
  if (U_FAILURE(status)) return toUtf8(c);
  std::array<char, 32> utf8{};
  int32_t utf8Len = 0;
  u_strToUTF8(utf8.data(), static_cast<int32_t>(utf8.size()), &utf8Len, folded.data(), foldedLen, &status);
  if (U_FAILURE(status)) return toUtf8(c);
  return std::string(utf8.data(), static_cast<size_t>(utf8Len));
}

}  // namespace

const CharFold& foldCharacter(UChar32 c) {
  thread_local std::unordered_map<UChar32, CharFold> cache;
  if (auto found = cache.find(c); found != cache.end()) return found->second;
  if (cache.size() >= kMaxCachedCharacters) cache.clear();
  CharFold fold;
  fold.text = asciiSkeleton(c);
  fold.confusable = !fold.text.empty();
  if (!fold.confusable) fold.text = caseFolded(c);
  return cache.emplace(c, std::move(fold)).first->second;
}

}  // namespace warden::validation
