// How one non-ASCII character reads in the folded view: as the ASCII it is
// confusable with (Unicode's confusables data through ICU's spoof checker),
// or else case-folded.
#pragma once

#include <unicode/umachine.h>

#include <string>

namespace warden::validation {

struct CharFold {
  std::string text;  // UTF-8
  bool confusable = false;  // text is the ASCII look-alike of the character
};

// Cached per thread: a prompt repeats few distinct characters.
const CharFold& foldCharacter(UChar32 c);

}  // namespace warden::validation
