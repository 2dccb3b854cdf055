#include "domain/ages.h"

#include <algorithm>

#include "domain/validation.h"

namespace ankommen::registry {

std::vector<std::string> AgedMembers(const v1::Household& household, absl::CivilDay before, absl::CivilDay today,
                                     const LandRules& land) {
  std::vector<std::string> aged;
  for (const auto& person : household.members()) {
    absl::CivilDay birth;
    if (!ParseIsoDate(person.birth_date(), birth)) continue;
    // As NextAgeChange (land.h): only while an age still matters.
    const int age = AgeOn(birth, before), school_year_age = SchoolYearAge(birth, before, land);
    if (age >= kOldestAgeThatMatters) continue;
    if (age != AgeOn(birth, today) ||
        (school_year_age < land.school_obliged_until && school_year_age != SchoolYearAge(birth, today, land))) {
      aged.push_back(person.person_id());
    }
  }
  return aged;
}

std::optional<absl::CivilDay> NextAgeChange(const v1::Household& household, absl::CivilDay today,
                                            const LandRules& land) {
  std::optional<absl::CivilDay> next;
  for (const auto& person : household.members()) {
    absl::CivilDay birth;
    if (!ParseIsoDate(person.birth_date(), birth)) continue;
    auto day = ankommen::NextAgeChange(birth, today, land);
    if (day && (!next || *day < *next)) next = day;
  }
  return next;
}

}  // namespace ankommen::registry
