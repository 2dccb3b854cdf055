#include "domain/dates.h"

#include <memory>

#include <unicode/datefmt.h>
#include <unicode/locid.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

namespace ankommen::notifications {

std::string FormatDate(absl::Time time, const std::string& language, const std::string& zone) {
  std::unique_ptr<icu::DateFormat> format(
      icu::DateFormat::createDateInstance(icu::DateFormat::kLong, icu::Locale(language.c_str())));
  if (format == nullptr) {
    format.reset(icu::DateFormat::createDateInstance(icu::DateFormat::kLong, icu::Locale("de")));
  }
  format->adoptTimeZone(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(zone)));
  icu::UnicodeString text;
  format->format(static_cast<UDate>(absl::ToUnixMillis(time)), text);
  std::string out;
  text.toUTF8String(out);
  return out;
}

}  // namespace ankommen::notifications
