// Messages from templates: one template per kind of message and language,
// kept as files in the repository (services/notifications/templates/), each
// with a short header and a mustache body:
//
//   subject: Ihr Kursplatz: {{course_type}}
//   direction: ltr            (rtl for Arabic, Dari/Farsi; for channels that need it)
//   reviewed: yes             (no: not yet checked by a native speaker)
//   ---
//   Guten Tag, ...
//
// German is the fallback when a person's language has no template. Rendering
// fails (and sends nothing) when a value for a placeholder is missing, so that
// no one gets a message with a hole in it. Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ankommen::notifications {

inline constexpr char kFallbackLanguage[] = "de";

struct Template {
  std::string kind;      // e.g. "seat_offered"
  std::string language;  // ISO 639-1/-3, e.g. "ar", "ti"
  std::string subject;   // mustache
  std::string body;      // mustache
  bool right_to_left = false;
  bool reviewed = false;  // checked by a native speaker
  std::vector<std::string> placeholders;  // every {{name}} in subject and body, sorted, unique
};

// Parses one template file's text; INVALID_ARGUMENT saying what is wrong.
absl::StatusOr<Template> ParseTemplate(const std::string& kind, const std::string& language, const std::string& text);

struct Rendered {
  std::string kind;
  std::string language;  // the template's: the fallback's when the person's had none
  std::string subject;
  std::string body;
  bool right_to_left = false;
  bool fell_back = false;
};

using Values = std::map<std::string, std::string>;

class TemplateSet {
 public:
  // Every template must parse; every kind must have a German template.
  static absl::StatusOr<TemplateSet> Build(std::vector<Template> templates);

  // The person's language, or German; FAILED_PRECONDITION naming the
  // placeholders without a value; NOT_FOUND for an unknown kind.
  absl::StatusOr<Rendered> Render(const std::string& kind, const std::string& language, const Values& values) const;

  std::vector<std::string> Kinds() const;
  std::vector<std::string> Languages(const std::string& kind) const;
  const Template* Find(const std::string& kind, const std::string& language) const;

 private:
  std::map<std::pair<std::string, std::string>, Template> templates_;
};

}  // namespace ankommen::notifications
