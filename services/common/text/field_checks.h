// Checks of request fields that every service's validation shares: free
// text, idempotency keys, enums, social areas, dates and coordinates. Each
// adds a violation naming the field (status.h) and never throws.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "grpc/status.h"

namespace ankommen {

inline constexpr size_t kMaxIdempotencyKeyLength = 128;

// A free-text field: at most max_chars code points, no control characters.
void CheckText(Violations& v, const std::string& field, const std::string& text, bool required, size_t max_chars);

// A name that goes into letters to a person (a course's title): text as
// PlainName leaves it, with no link in it — so whoever sets it cannot add
// wording, markup or a link to what the district writes.
void CheckName(Violations& v, const std::string& field, const std::string& text, bool required, size_t max_chars);

// `text` as a plain name: letters and digits of any script, spaces and
// - . , ( ) / & + ' : kept; anything else (markup, quotes, braces, control
// characters, line breaks) becomes a space; spaces collapsed; at most
// max_chars code points, cut on a character's boundary. For what a service
// puts into a message from another's event.
std::string PlainName(const std::string& text, size_t max_chars);

// Printable ASCII, 1 to kMaxIdempotencyKeyLength characters.
void CheckIdempotencyKey(Violations& v, const std::string& key);

// A protobuf enum value: known, and not UNSPECIFIED (0) when required.
void CheckEnum(Violations& v, const std::string& field, int value, bool (*is_valid)(int), bool required);

// A social area name (Sozialraum); it becomes part of Redis keys and metric
// labels, so once the district's areas are known (SetDistrictSocialAreas),
// only those.
void CheckSocialArea(Violations& v, const std::string& field, const std::string& area);

// The district's social areas (ANKOMMEN_SOCIAL_AREAS), set once at a service's
// start before it serves; empty: any well-formed name (development, tests).
void SetDistrictSocialAreas(std::vector<std::string> areas);

// A latitude and longitude that exist.
void CheckCoordinates(Violations& v, const std::string& prefix, double lat, double lon);

// A phone number in international form (+4935211234567).
bool IsPhone(const std::string& phone);
// An e-mail address as far as it can be told without sending to it.
bool IsEmail(const std::string& email);
bool IsLowerAlpha(const std::string& s, size_t min, size_t max);
bool IsDigits(const std::string& s, size_t n);

// "YYYY-MM-DD" that is a real calendar date.
bool ParseIsoDate(const std::string& text, absl::CivilDay& day);
std::string FormatIsoDate(absl::CivilDay day);

}  // namespace ankommen
