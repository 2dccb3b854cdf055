#include "text/field_checks.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "text/utf8.h"

namespace ankommen {
namespace {

bool HasControlChars(const std::string& text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

bool IsBlank(const std::string& text) {
  for (unsigned char c : text) {
    if (!absl::ascii_isspace(c)) return false;
  }
  return true;
}

}  // namespace

void CheckText(Violations& v, const std::string& field, const std::string& text, bool required, size_t max_chars) {
  // UTF-8 is already checked when the request is parsed; this catches the rest.
  if (text.size() > max_chars * 4 || Utf8Length(text) > max_chars) {
    v.Add(field, absl::StrCat("is longer than ", max_chars, " characters"));
  } else if (required && IsBlank(text)) {
    v.Add(field, "is required");
  } else if (HasControlChars(text)) {
    v.Add(field, "contains control characters");
  } else if (!IsValidUtf8(text)) {
    v.Add(field, "is not valid UTF-8 text");
  }
}

std::string PlainName(const std::string& text, size_t max_chars) {
  static constexpr std::string_view kKept = "-.,()/&+':";
  std::string out;
  size_t chars = 0;
  bool space = true;  // no leading space
  for (size_t i = 0; i < text.size() && chars < max_chars;) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (i + n > text.size()) break;
    const bool ascii_ok = c < 0x80 && (std::isalnum(c) || kKept.find(static_cast<char>(c)) != std::string_view::npos);
    // Beyond ASCII: the other scripts' letters and digits. Out go stray bytes,
    // U+0080–U+00BF (C1 controls, no-break space, « »), U+2000–U+206F (quotes,
    // zero-width and bidirectional controls, which can reorder what a letter
    // shows) and U+FEFF.
    const unsigned char c1 = n > 1 ? static_cast<unsigned char>(text[i + 1]) : 0;
    const unsigned char c2 = n > 2 ? static_cast<unsigned char>(text[i + 2]) : 0;
    const bool other_ok = c >= 0xC3 && !(c == 0xE2 && (c1 == 0x80 || c1 == 0x81)) &&
                          !(c == 0xEF && c1 == 0xBB && c2 == 0xBF);
    if (ascii_ok || other_ok) {
      out.append(text, i, n);
      space = false;
      ++chars;
    } else if (!space) {
      out.push_back(' ');
      space = true;
      ++chars;
    }
    i += n;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

void CheckName(Violations& v, const std::string& field, const std::string& text, bool required, size_t max_chars) {
  const size_t before = v.list().size();
  CheckText(v, field, text, required, max_chars);
  if (v.list().size() != before || text.empty()) return;
  if (PlainName(text, max_chars) != text) {
    v.Add(field, "may hold letters, digits, spaces and - . , ( ) / & + ' : only, single-spaced");
  } else if (absl::StrContains(absl::AsciiStrToLower(text), "www.") || text.find("://") != std::string::npos) {
    v.Add(field, "may not hold a link");
  }
}

bool IsLowerAlpha(const std::string& s, size_t min, size_t max) {
  if (s.size() < min || s.size() > max) return false;
  for (char c : s) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}

bool IsDigits(const std::string& s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void CheckIdempotencyKey(Violations& v, const std::string& key) {
  if (key.empty()) {
    v.Add("idempotency_key", "is required: a retry with the same key returns the first answer");
    return;
  }
  if (key.size() > kMaxIdempotencyKeyLength) {
    v.Add("idempotency_key", absl::StrCat("is longer than ", kMaxIdempotencyKeyLength, " characters"));
    return;
  }
  for (unsigned char c : key) {
    if (c <= 0x20 || c >= 0x7F) {
      v.Add("idempotency_key", "must be printable ASCII without spaces");
      return;
    }
  }
}

void CheckEnum(Violations& v, const std::string& field, int value, bool (*is_valid)(int), bool required) {
  if (!is_valid(value)) {
    v.Add(field, absl::StrCat("has unknown value ", value));
  } else if (required && value == 0) {
    v.Add(field, "is required");
  }
}

namespace {

// Written once at start, before any request is served; read-only after.
std::vector<std::string>& DistrictAreas() {
  static std::vector<std::string> areas;
  return areas;
}

}  // namespace

void SetDistrictSocialAreas(std::vector<std::string> areas) { DistrictAreas() = std::move(areas); }

void CheckSocialArea(Violations& v, const std::string& field, const std::string& area) {
  const size_t before = v.list().size();
  CheckText(v, field, area, /*required=*/true, 64);
  if (area.find_first_of(":{}*?[]") != std::string::npos) v.Add(field, "may not contain : { } * ? [ ]");
  const auto& known = DistrictAreas();
  if (v.list().size() == before && !known.empty() && std::find(known.begin(), known.end(), area) == known.end()) {
    v.Add(field, absl::StrCat("is not one of the district's social areas (", absl::StrJoin(known, ", "), ")"));
  }
}

void CheckCoordinates(Violations& v, const std::string& prefix, double lat, double lon) {
  if (!std::isfinite(lat) || lat < -90 || lat > 90) v.Add(prefix + "lat", "must be a latitude from -90 to 90");
  if (!std::isfinite(lon) || lon < -180 || lon > 180) v.Add(prefix + "lon", "must be a longitude from -180 to 180");
}

bool ParseIsoDate(const std::string& text, absl::CivilDay& day) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  int y = std::stoi(text.substr(0, 4));
  int m = std::stoi(text.substr(5, 2));
  int d = std::stoi(text.substr(8, 2));
  absl::CivilDay parsed(y, m, d);
  // CivilDay normalises 2023-02-30 to March: a real date survives unchanged.
  if (parsed.year() != y || parsed.month() != m || parsed.day() != d) return false;
  day = parsed;
  return true;
}

std::string FormatIsoDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

bool IsPhone(const std::string& phone) {
  if (phone.size() < 8 || phone.size() > 16 || phone[0] != '+') return false;
  for (size_t i = 1; i < phone.size(); ++i) {
    if (phone[i] < '0' || phone[i] > '9') return false;
  }
  return true;
}

bool IsEmail(const std::string& email) {
  auto at = email.find('@');
  if (email.size() > 254 || at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos) {
    return false;
  }
  auto dot = email.find('.', at);
  if (dot == std::string::npos || dot == at + 1 || dot == email.size() - 1) return false;
  for (unsigned char c : email) {
    if (c <= 0x20 || c >= 0x7F) return false;
  }
  return true;
}

}  // namespace ankommen
