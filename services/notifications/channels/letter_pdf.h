// A printed letter as an A4 PDF, laid out for a window envelope (DIN 5008,
// form B): the return address line and the recipient in the address field,
// the date, the subject, the text in the person's language — right-to-left
// scripts shaped and set right to left by Pango — and the German text after
// it, so that whoever helps the person can read what the office wrote.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace ankommen::notifications {

struct Letter {
  std::string return_address;  // one line above the recipient, e.g. "Landratsamt Meißen · 01662 Meißen"
  std::string recipient;       // the address block, lines separated by '\n'
  std::string date;            // as printed, e.g. "4. Dezember 2026"
  std::string language;        // the text's, e.g. "ar"
  bool right_to_left = false;
  std::string subject;
  std::string body;
  // The German text after it; empty when the letter is German already.
  std::string german_subject;
  std::string german_body;
};

// Writes the letter to `path` (replacing a file there). INTERNAL with Cairo's
// reason when it cannot.
absl::Status WriteLetterPdf(const Letter& letter, const std::string& path);

}  // namespace ankommen::notifications
