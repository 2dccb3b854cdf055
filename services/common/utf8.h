#pragma once

#include <string_view>

namespace ankommen {

// True when text is well-formed UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Number of code points in well-formed UTF-8 text.
size_t Utf8Length(std::string_view text);

}  // namespace ankommen
