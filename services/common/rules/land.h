// What differs between the Länder and moves people by date: when a child
// starts school and when compulsory schooling ends; and the Land's housing standard. One table, applied the same
// way by every service (ANKOMMEN_LAND), so that a person is never school age
// to one service and a course learner to another.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace ankommen {

struct MonthDay {
  int month = 1;
  int day = 1;
};

struct LandRules {
  std::string code = "SN";  // ISO 3166-2:DE without the prefix: "SN", "RP"
  // A child who is six on this day starts school at the next school year
  // (Saxony 30 June, Rhineland-Palatinate 31 August) ...
  MonthDay school_cutoff{6, 30};
  // ... which starts on this day (1 August in every Land's school law).
  MonthDay school_year_start{8, 1};
  // Compulsory schooling, vocational school included, ends on this birthday:
  // until then a person goes to school, from then to courses. One rule for
  // both services.
  int school_obliged_until = 18;
  // The least living space per person in the Land's accommodation standard
  // (Saxony 6 m²; DOMAIN.md); 0 where the table has none: the housing service
  // then needs ANKOMMEN_HOUSING_M2_PER_PERSON.
  int square_metres_per_person = 6;
};

// The Land's rules. `school_cutoff` ("MM-DD", may be empty) replaces the
// table's cut-off, and names one for a Land the table lacks; INVALID_ARGUMENT
// for an unknown Land without one, or a day that does not exist.
absl::StatusOr<LandRules> LandRulesFor(const std::string& code, const std::string& school_cutoff = "");

// Whole years between birth and the day.
int AgeOn(absl::CivilDay birth, absl::CivilDay day);

// The first day of the school year in force on the day.
absl::CivilDay SchoolYearStart(absl::CivilDay day, const LandRules& land);

// The age that decides the school type: the age on the cut-off day of the
// school year in force. It changes only when a school year starts.
int SchoolYearAge(absl::CivilDay birth, absl::CivilDay day, const LandRules& land);

// School while obliged, courses after: the one rule for 16-20-year-olds.
inline bool SchoolObliged(int age_years, const LandRules& land) { return age_years < land.school_obliged_until; }

// Ages beyond this change nothing any rule looks at (the youth integration
// course ends at the 27th birthday, school well before): later birthdays are
// not announced.
inline constexpr int kOldestAgeThatMatters = 27;

// The next day after `today` on which the age or the school-year age of a
// person born on `birth` changes, while either still matters; nullopt after.
std::optional<absl::CivilDay> NextAgeChange(absl::CivilDay birth, absl::CivilDay today, const LandRules& land);

}  // namespace ankommen
