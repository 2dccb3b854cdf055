// Who may take which language course, and who must (§§ 44, 44a AufenthG and
// the BAMF's rules as DOMAIN.md summarises them). Pure: plain structs in,
// plain structs out; every number is configuration because the circulars change.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "rules/land.h"

namespace ankommen::courses {

enum class CourseType {
  kIntegrationGeneral,  // Integrationskurs, aims at B1
  kIntegrationAlpha,    // for those not literate in Latin script
  kIntegrationParents,  // Eltern-/Frauenkurs, often with childcare
  kIntegrationYouth,    // Jugendintegrationskurs, young adults
  kFirstOrientation,    // Erstorientierungskurs (EOK), unclear stay prospect
  kJobLanguage,         // Berufssprachkurs (DeuFöV), from B1 towards B2+
  kVolunteer,           // ehrenamtlicher Sprachkurs: no entitlement needed
  kIntegrationIntensive,     // Intensivkurs: fast learners, on their own request
  kIntegrationSecondScript,  // Zweitschriftlernerkurs: literate in another script
};
const char* CourseTypeName(CourseType type);

enum class ResidenceStatus { kUnknown, kAsylumSeeker, kTolerated, kProtectionGranted, kResidencePermit, kEuCitizen, kOther };
enum class StayProspect { kUnknown, kGood, kUnclear };

// CEFR levels in order; kNone is A0 (no German yet).
enum class Level { kNone = 0, kA1, kA2, kB1, kB2, kC1, kC2 };
// "A0".."C2"; nullopt for anything else. An empty string means not assessed: kNone.
std::optional<Level> ParseLevel(const std::string& text);

struct Learner {
  ResidenceStatus status = ResidenceStatus::kUnknown;
  StayProspect prospect = StayProspect::kUnknown;
  int age_years = 0;
  bool literate_latin = true;
  bool literate_other_script = false;  // e.g. Arabic: Latin as a second script
  Level level = Level::kNone;
  bool needs_childcare = false;  // a child not yet at school: a parents' course fits
  // The first residence permit: the entitlement lapses a year after it.
  std::optional<absl::CivilDay> first_permit;
  // An office imposed attendance (§ 44a): the foreigners' office, the
  // Jobcenter or the benefits office. Never inferred from a status.
  bool obliged = false;
  // Integration courses completed, and whether the one repeat was among them.
  int integration_courses_completed = 0;
  bool repeat_taken = false;
};

struct EntitlementRules {
  LandRules land;          // while schooling is compulsory, school, not these courses
  int youth_max_age = 26;  // youth integration courses up to 27th birthday
  Level integration_goal = Level::kB1;  // reached: integration courses are done, job language opens
  int entitlement_lapse_days = 365;     // after the first residence permit
};

enum class Access {
  kEntitled,    // a legal claim: the course must be offered
  kAdmissible,  // § 44 (4): admitted to seats left free after those entitled or obliged
};

struct Eligibility {
  CourseType type;
  Access access;
  bool obliged = false;   // ranks first on the waiting list
  bool proposed = false;  // the district opens a request on its own (else only on the person's)
  bool repeat = false;    // the one repeat of up to 300 teaching units
  std::string reason;     // for the person and for audits
  // Waits behind everyone entitled or obliged.
  bool AdmittedIfFree() const { return access == Access::kAdmissible && !obliged; }
};

// The course types the learner may take, the most fitting first. A waiting
// request is moved to the first of its family, except an intensive course,
// which is the person's own choice.
std::vector<Eligibility> Eligible(const Learner& learner, const EntitlementRules& rules, absl::CivilDay today);

}  // namespace ankommen::courses
