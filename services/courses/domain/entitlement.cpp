#include "entitlement.h"

namespace ankommen::courses {

const char* CourseTypeName(CourseType type) {
  switch (type) {
    case CourseType::kIntegrationGeneral: return "integration_general";
    case CourseType::kIntegrationAlpha: return "integration_alpha";
    case CourseType::kIntegrationParents: return "integration_parents";
    case CourseType::kIntegrationYouth: return "integration_youth";
    case CourseType::kFirstOrientation: return "first_orientation";
    case CourseType::kJobLanguage: return "job_language";
    case CourseType::kVolunteer: return "volunteer";
  }
  return "unknown";
}

std::optional<Level> ParseLevel(const std::string& text) {
  static const char* kNames[] = {"A0", "A1", "A2", "B1", "B2", "C1", "C2"};
  if (text.empty()) return Level::kNone;
  for (int i = 0; i < 7; ++i) {
    if (text == kNames[i]) return static_cast<Level>(i);
  }
  return std::nullopt;
}

std::vector<Eligibility> Eligible(const Learner& l, const EntitlementRules& rules, absl::CivilDay today) {
  std::vector<Eligibility> out;
  const Eligibility volunteer{CourseType::kVolunteer, Access::kAdmissible, false, "volunteer courses are open to everyone"};
  if (SchoolObliged(l.age_years, rules.land)) {
    out.push_back(volunteer);
    return out;  // school age: German comes through DaZ classes
  }
  if (l.level >= rules.integration_goal) {
    out.push_back({CourseType::kJobLanguage, Access::kAdmissible, false,
                   "the integration course goal is reached: job-related German towards B2"});
    out.push_back(volunteer);
    return out;
  }
  const bool protected_or_permit =
      l.status == ResidenceStatus::kProtectionGranted || l.status == ResidenceStatus::kResidencePermit;
  const bool good_prospect_seeker = l.status == ResidenceStatus::kAsylumSeeker && l.prospect == StayProspect::kGood;
  Access access;
  std::string why;
  if (protected_or_permit || good_prospect_seeker) {
    access = Access::kEntitled;
    why = protected_or_permit ? "residence title" : "asylum seeker with a good stay prospect";
    if (protected_or_permit && l.first_permit.has_value() &&
        today - *l.first_permit > rules.entitlement_lapse_days) {
      access = Access::kAdmissible;
      why = "the entitlement lapsed a year after the first residence permit; admission where seats are free";
    }
  } else if (l.status == ResidenceStatus::kEuCitizen || l.status == ResidenceStatus::kTolerated ||
             l.status == ResidenceStatus::kOther) {
    access = Access::kAdmissible;
    why = "no entitlement; admission where seats are free";
  } else {
    // Asylum seekers with an unclear prospect (or not yet known): first orientation.
    out.push_back({CourseType::kFirstOrientation, Access::kEntitled, false, "asylum seeker without a good stay prospect"});
    out.push_back(volunteer);
    return out;
  }
  // § 44a: those entitled without enough German must attend; the office or
  // the Jobcenter can oblige others.
  const bool obliged = l.obligation_imposed || (access == Access::kEntitled && l.level < rules.obligation_below);
  auto integration = [&](CourseType type, const std::string& fit) {
    out.push_back({type, access, obliged, fit + "; " + why});
  };
  // The most fitting special course first; the general course always fits.
  if (!l.literate_latin) integration(CourseType::kIntegrationAlpha, "not literate in Latin script");
  if (l.needs_childcare) integration(CourseType::kIntegrationParents, "a parents' course with childcare");
  if (l.age_years <= rules.youth_max_age) integration(CourseType::kIntegrationYouth, "young adult");
  if (l.literate_latin) integration(CourseType::kIntegrationGeneral, "general integration course");
  if (l.status == ResidenceStatus::kTolerated) {
    out.push_back({CourseType::kFirstOrientation, Access::kAdmissible, false, "tolerated: first orientation"});
  }
  out.push_back(volunteer);
  return out;
}

}  // namespace ankommen::courses
