// ankommen-letters: a sample letter of one kind in every language the
// templates speak, as the post room would print it (A4 PDF, window envelope,
// the German text after the person's) — for the people who review the
// translations and for the district's print shop.
//
//   ankommen-letters [--out var/letters] [--kind seat_offered]
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "channels/letter_pdf.h"
#include "domain/dates.h"
#include "template_files.h"

int main(int argc, char** argv) {
  using namespace ankommen::notifications;
  std::string out = "var/letters", kind = "seat_offered", templates_dir = ANKOMMEN_DEFAULT_TEMPLATES_DIR;
  std::string sender = "Landratsamt Meißen · Brauhausstraße 21 · 01662 Meißen";
  CLI::App app{"sample letters in every language of a message kind"};
  app.add_option("--out", out, "folder for the PDFs");
  app.add_option("--kind", kind, "the message kind, e.g. seat_offered, school_placed, housing_offered");
  app.add_option("--templates", templates_dir, "the template folder");
  app.add_option("--sender", sender, "the return address line");
  CLI11_PARSE(app, argc, argv);

  auto templates = LoadTemplates(templates_dir);
  if (!templates.ok()) {
    std::cerr << "ankommen-letters: " << templates.status().message() << "\n";
    return 2;
  }
  const auto languages = templates->Languages(kind);
  if (languages.empty()) {
    std::cerr << "ankommen-letters: no templates for the kind '" << kind << "'\n";
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  const absl::TimeZone zone = absl::UTCTimeZone();
  const absl::Time start = absl::FromCivil(absl::CivilDay(2027, 1, 11), zone);
  const absl::Time deadline = absl::FromCivil(absl::CivilDay(2026, 12, 11), zone);
  auto values_in = [&](const std::string& language) {
    return Values{{"course", "Integrationskurs Riesa-Mitte"},
                  {"school", "Oberschule Riesa"},
                  {"kita", "Kita Sonnenschein Riesa"},
                  {"accommodation", "Wohnung Bahnhofstraße 3"},
                  {"social_area", "Riesa"},
                  {"start_date", FormatDate(start, language, "Europe/Berlin")},
                  {"deadline", FormatDate(deadline, language, "Europe/Berlin")}};
  };
  auto german = templates->Render(kind, kFallbackLanguage, values_in(kFallbackLanguage));
  if (!german.ok()) {
    std::cerr << "ankommen-letters: " << german.status().message() << "\n";
    return 2;
  }
  for (const auto& language : languages) {
    auto rendered = templates->Render(kind, language, values_in(language));
    if (!rendered.ok()) {
      std::cerr << "ankommen-letters: " << language << ": " << rendered.status().message() << "\n";
      return 1;
    }
    Letter letter;
    letter.return_address = sender;
    letter.recipient = "Amina Haddad\nBahnhofstraße 1\n01587 Riesa";
    letter.date = FormatDate(absl::Now(), kFallbackLanguage, "Europe/Berlin");
    letter.language = rendered->language;
    letter.right_to_left = rendered->right_to_left;
    letter.subject = rendered->subject;
    letter.body = rendered->body;
    if (language != kFallbackLanguage) {
      letter.german_subject = german->subject;
      letter.german_body = german->body;
    }
    const std::string path = out + "/" + kind + "-" + language + ".pdf";
    if (auto s = WriteLetterPdf(letter, path); !s.ok()) {
      std::cerr << "ankommen-letters: " << path << ": " << s.message() << "\n";
      return 1;
    }
    std::cout << path << (rendered->right_to_left ? "  (right to left)" : "") << "\n";
  }
  return 0;
}
