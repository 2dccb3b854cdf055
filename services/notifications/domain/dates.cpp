#include "domain/dates.h"

#include <memory>

#include <unicode/datefmt.h>
#include <unicode/locid.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

namespace ankommen::notifications {

namespace {

// ISO 639-3 codes the templates use, as ICU's locales name them; always the
// Gregorian calendar, so that a date reads as the same day as on the German
// papers (Persian and Dari locales would otherwise write the solar calendar).
std::string LocaleOf(const std::string& language) {
  std::string locale = language;
  if (language == "prs") locale = "fa_AF";  // Dari: Persian as Afghanistan writes it
  if (language == "kmr") locale = "ku";     // Kurmanji: ICU's Kurdish
  return locale + "@calendar=gregorian";
}

}  // namespace

std::string FormatDate(absl::Time time, const std::string& language, const std::string& zone) {
  std::unique_ptr<icu::DateFormat> format(
      icu::DateFormat::createDateInstance(icu::DateFormat::kLong, icu::Locale(LocaleOf(language).c_str())));
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
