// Readings of a text besides the normaliser's main views, for obfuscation
// the detectors would otherwise read past: emoji strewn between words,
// letters spelled out, payloads encoded in the text. (Leetspeak needs no
// reading: the rules scan the leet view, and the classifiers read every
// view through the leet table.) A
// detector takes the highest score over the readings; each is built only
// when the text shows the obfuscation it undoes, so plain prompts cost
// nothing extra. Readings carry the folded view only (leet and joined equal
// to it): the text's own leet and joined views are read already.
#pragma once

#include <optional>

#include "layers/validation/normalizer.h"

namespace warden::validation {

// The text without pictographic characters (emoji, flags, skin tones), with
// offsets into the original, so rules can scan it. None unless at least
// kMinPictographs of them stand between two words: emoji after a sentence
// or a few in a row do not hide words.
inline constexpr size_t kMinPictographs = 3;
std::optional<NormalizedText> withoutPictographs(const NormalizedText& text);

// The joined view (letters spelled out one by one put back together) as the
// text. None unless the joining took out at least kMinJoinedGaps separators
// and one byte in kJoinedShare of the text (a list "a, b, c" is no disguise).
inline constexpr size_t kMinJoinedGaps = 3;
inline constexpr size_t kJoinedShare = 20;
std::optional<NormalizedText> joinedRead(const NormalizedText& text);

// A decoded segment as a text of its own, so a payload is not diluted by the
// encoded bytes around it.
NormalizedText segmentRead(const DecodedSegment& segment);

}  // namespace warden::validation
