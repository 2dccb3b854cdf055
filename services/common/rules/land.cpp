#include "rules/land.h"

#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ankommen {
namespace {

// The Länder whose cut-off the districts' concepts name (DOMAIN.md); others
// name theirs with ANKOMMEN_SCHOOL_CUTOFF.
const LandRules kLands[] = {
    {},  // Saxony, the default
    {.code = "RP", .school_cutoff = {8, 31}, .square_metres_per_person = 0},
};

bool ParseMonthDay(const std::string& text, MonthDay& out) {
  int month = 0, day = 0;
  if (text.size() != 5 || text[2] != '-' || !absl::SimpleAtoi(text.substr(0, 2), &month) ||
      !absl::SimpleAtoi(text.substr(3, 2), &day)) {
    return false;
  }
  // A day of a leap year, so that 02-29 is allowed; CivilDay normalises others.
  const absl::CivilDay d(2024, month, day);
  if (d.month() != month || d.day() != day) return false;
  out = {month, day};
  return true;
}

// The day in the given year; 29 February falls on 1 March in other years.
absl::CivilDay On(int64_t year, MonthDay md) { return absl::CivilDay(year, md.month, md.day); }

}  // namespace

absl::StatusOr<LandRules> LandRulesFor(const std::string& code, const std::string& school_cutoff) {
  std::optional<LandRules> rules;
  for (const auto& land : kLands) {
    if (land.code == code) rules = land;
  }
  if (!rules && school_cutoff.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ANKOMMEN_LAND: '", code, "' has no school cut-off here (SN, RP do); name it with ANKOMMEN_SCHOOL_CUTOFF=MM-DD"));
  }
  if (!rules) rules = LandRules{.code = code, .square_metres_per_person = 0};
  if (!school_cutoff.empty() && !ParseMonthDay(school_cutoff, rules->school_cutoff)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ANKOMMEN_SCHOOL_CUTOFF: '", school_cutoff, "' is not a day of the year as MM-DD"));
  }
  return *rules;
}

int AgeOn(absl::CivilDay birth, absl::CivilDay day) {
  int age = static_cast<int>(day.year() - birth.year());
  if (day.month() < birth.month() || (day.month() == birth.month() && day.day() < birth.day())) --age;
  return age < 0 ? 0 : age;
}

absl::CivilDay SchoolYearStart(absl::CivilDay day, const LandRules& land) {
  const absl::CivilDay this_year = On(day.year(), land.school_year_start);
  return day >= this_year ? this_year : On(day.year() - 1, land.school_year_start);
}

int SchoolYearAge(absl::CivilDay birth, absl::CivilDay day, const LandRules& land) {
  return AgeOn(birth, On(SchoolYearStart(day, land).year(), land.school_cutoff));
}

std::optional<absl::CivilDay> NextAgeChange(absl::CivilDay birth, absl::CivilDay today, const LandRules& land) {
  if (AgeOn(birth, today) >= kOldestAgeThatMatters) return std::nullopt;
  // The next birthday (a 29 February child's falls on 1 March in other years) ...
  absl::CivilDay birthday = On(today.year(), {birth.month(), birth.day()});
  if (birthday <= today) birthday = On(today.year() + 1, {birth.month(), birth.day()});
  // ... or the next school year's start, while the school-year age matters.
  const absl::CivilDay school_year = On(SchoolYearStart(today, land).year() + 1, land.school_year_start);
  if (SchoolYearAge(birth, today, land) >= land.school_obliged_until) return birthday;
  return std::min(birthday, school_year);
}

}  // namespace ankommen
