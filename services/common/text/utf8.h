#pragma once

#include <string>
#include <string_view>

namespace ankommen {

// The bytes of the well-formed code point at `at` (1 to 4), or 0 when the
// bytes there are not one (no overlongs, no surrogates, ≤ U+10FFFF).
size_t Utf8SequenceLength(std::string_view text, size_t at);

// True when text is well-formed UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Number of code points in well-formed UTF-8 text.
size_t Utf8Length(std::string_view text);

// At most `max_bytes` of `text`, cut before a code point that would not fit
// and then marked with "…" (so at most max_bytes + 3 bytes): for echoing a
// value a caller sent, which may be of any size.
std::string BoundUtf8(std::string_view text, size_t max_bytes);

}  // namespace ankommen
