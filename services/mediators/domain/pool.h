// Language and culture mediators and the appointments that need one. Pure:
// no I/O; the service (to come) stores them and the matching (matching.h)
// proposes who goes where.
//
// Languages are ISO 639 codes: the two-letter 639-1 code where one exists
// (ar, fa, uk, ti), else the 639-3 code (prs Dari, kmr Kurmanji, ckb Sorani).
// A variety with a code of its own is a dialect of its language (apc
// Levantine Arabic, arz Egyptian Arabic): an appointment may ask for one, and
// a mediator who speaks it is preferred, not required.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "problem.h"

namespace ankommen::mediators {

// A code of the languages and dialects the district's newcomers speak.
bool IsKnownLanguage(std::string_view code);
// The language a dialect belongs to ("apc" -> "ar"), or empty when the code
// names no dialect ISO 639-3 lists under a macrolanguage we know.
std::string_view LanguageOfDialect(std::string_view code);

struct Skill {
  std::string language;  // ISO 639-1, or 639-3 where 639-1 has none
  std::string dialect;   // ISO 639-3 of a variety of `language`, or empty
};

// Between German and the language: both ways is what an appointment needs
// (spoken mediation); one way only is written translation.
enum class Direction { kBoth, kIntoGerman, kFromGerman };
enum class Qualification { kVolunteer, kTrained, kCertified };
enum class Gender { kUnspecified, kFemale, kMale, kDiverse };

// A weekly time the mediator can work, in the district's time zone.
struct WeeklyWindow {
  absl::Weekday day = absl::Weekday::monday;
  int from_minute = 0;  // minutes after midnight
  int to_minute = 0;    // exclusive, at most 24 * 60
};

// Days off, both ends included.
struct Absence {
  absl::CivilDay from;
  absl::CivilDay to;
};

// The farthest a mediator may travel to an appointment (ValidateMediator).
inline constexpr double kMaxTravelKm = 200;

struct Mediator {
  std::string id;  // pseudonymous: "med_…"; contact data stays in the service's store
  std::vector<Skill> skills;
  Direction direction = Direction::kBoth;
  Qualification qualification = Qualification::kVolunteer;
  Gender gender = Gender::kUnspecified;
  std::vector<std::string> areas;  // social areas they cover in person
  placement::GeoPoint home;
  double max_km = 30;              // how far they travel to an appointment
  bool remote = false;             // also by phone or video
  std::vector<WeeklyWindow> windows;
  std::vector<Absence> absences;
  int monthly_hours_cap = 0;
  // Never proposed to these households: their own, and relatives'.
  std::vector<std::string> related_household_ids;
};

enum class Topic { kHealth, kSchool, kAuthority, kSocialWork, kHousing };

// An office's request for a mediator at an appointment.
struct AppointmentRequest {
  std::string id;
  std::string person_id;     // the registry's id, when the appointment is for a registered person
  std::string household_id;  // the person's household (from the registry), for conflicts of interest
  std::string language;      // from the registry's preferred language, or given
  std::string dialect;       // optional
  bool remote = false;       // by phone or video; else in person at `place`
  placement::GeoPoint place;
  std::string area;          // the social area of the place
  absl::Time start;
  absl::Duration duration;
  Topic topic = Topic::kAuthority;
  Gender gender_wish = Gender::kUnspecified;
  bool urgent = false;
  absl::Time requested_at;
  // Mediators who cancelled it or were absent then: not proposed for it again.
  std::vector<std::string> passed_mediator_ids;
};

// INVALID_ARGUMENT naming every bad field, or OK. Unknown language codes,
// windows that end before they start, overlapping absences, a cap of no hours.
absl::Status ValidateMediator(const Mediator& m);
// The same for a request made at `now`: an appointment in the past, of no
// duration or longer than a day, with an unknown language or a dialect of
// another language.
absl::Status ValidateRequest(const AppointmentRequest& r, absl::Time now);

// Whether the mediator's week and absences allow [start, start + duration)
// in `zone`: one window must hold it whole, and no absence touch its day.
bool Available(const Mediator& m, absl::Time start, absl::Duration duration, absl::TimeZone zone);

}  // namespace ankommen::mediators
