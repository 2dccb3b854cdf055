// Dates as the recipient reads them: in their language's own form (ICU's
// long date format, e.g. "2. Dezember 2026", "٢ ديسمبر ٢٠٢٦") and in the
// district's time zone, so that "answer by" means the same day everywhere.
#pragma once

#include <string>

#include "absl/time/time.h"

namespace ankommen::notifications {

// language: ISO 639 code ("de", "ar", "fa", "ti", ...); zone: an IANA name.
std::string FormatDate(absl::Time time, const std::string& language, const std::string& zone = "Europe/Berlin");

}  // namespace ankommen::notifications
