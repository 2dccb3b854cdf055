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
    case CourseType::kIntegrationIntensive: return "integration_intensive";
    case CourseType::kIntegrationSecondScript: return "integration_second_script";
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
  const Eligibility volunteer{CourseType::kVolunteer, Access::kAdmissible, false, false, false,
                              "volunteer courses are open to everyone"};
  if (SchoolObliged(l.age_years, rules.land)) {
    out.push_back(volunteer);
    return out;  // school age: German comes through DaZ classes
  }
  if (l.level >= rules.integration_goal) {
    out.push_back({CourseType::kJobLanguage, Access::kAdmissible, false, false, false,
                   "the integration course goal is reached: job-related German towards B2"});
    out.push_back(volunteer);
    return out;
  }
  if (l.repeat_taken || l.integration_courses_completed >= 2) {
    // § 5 (4) IntV allows one repeat; below B1 after it, the DeuFöV's special courses continue.
    out.push_back({CourseType::kJobLanguage, Access::kAdmissible, false, false, false,
                   "the integration course and its one repeat are done below B1: job-related German (DeuFöV)"});
    out.push_back(volunteer);
    return out;
  }
  const bool protected_or_permit =
      l.status == ResidenceStatus::kProtectionGranted || l.status == ResidenceStatus::kResidencePermit;
  const bool good_prospect_seeker = l.status == ResidenceStatus::kAsylumSeeker && l.prospect == StayProspect::kGood;
  const bool asylum_seeker_unclear = l.status == ResidenceStatus::kAsylumSeeker && !good_prospect_seeker;
  if ((asylum_seeker_unclear || l.status == ResidenceStatus::kUnknown) && !l.obliged) {
    // Asylum seekers with an unclear prospect (or not yet known): first orientation.
    out.push_back({CourseType::kFirstOrientation, Access::kEntitled, false, true, false,
                   "asylum seeker without a good stay prospect"});
    out.push_back(volunteer);
    return out;
  }
  Access access = Access::kAdmissible;
  bool proposed = false;
  std::string why;
  if (protected_or_permit) {
    access = Access::kEntitled;
    proposed = true;
    why = "residence title (§ 44 AufenthG)";
    if (l.first_permit.has_value() && today - *l.first_permit > rules.entitlement_lapse_days) {
      access = Access::kAdmissible;
      proposed = false;
      why = "the entitlement lapsed a year after the first residence permit; admitted to seats left free (§ 44 (4))";
    }
  } else if (good_prospect_seeker) {
    // § 44 (4): admitted where seats are free; the district proposes them, as their courses are meant for them.
    proposed = true;
    why = "asylum seeker with a good stay prospect: admitted to seats left free after those entitled or obliged (§ 44 (4))";
  } else {
    why = "no entitlement: admitted to seats left free after those entitled or obliged (§ 44 (4))";
  }
  // § 44a: only what an office imposed obliges; it ranks first.
  if (l.obliged) {
    proposed = true;
    why += "; obliged to attend by an office (§ 44a)";
  }
  const bool repeat = l.integration_courses_completed == 1;
  if (repeat) why = "one repeat of up to 300 teaching units after an integration course below B1 (§ 5 (4) IntV); " + why;
  auto integration = [&](CourseType type, const std::string& fit, bool proposable = true) {
    out.push_back({type, access, l.obliged, proposed && proposable, repeat, fit + "; " + why});
  };
  // The most fitting special course first; the general course always fits the literate.
  if (!l.literate_latin && l.literate_other_script) {
    integration(CourseType::kIntegrationSecondScript, "literate in another script: Latin as a second script");
  }
  if (!l.literate_latin) integration(CourseType::kIntegrationAlpha, "not literate in Latin script");
  if (l.needs_childcare) integration(CourseType::kIntegrationParents, "a parents' course with childcare");
  if (l.age_years <= rules.youth_max_age) integration(CourseType::kIntegrationYouth, "young adult");
  if (l.literate_latin) {
    integration(CourseType::kIntegrationGeneral, "general integration course");
    // Fast learners, placed there by the provider's test: on the person's own request only.
    integration(CourseType::kIntegrationIntensive, "intensive course for fast learners", /*proposable=*/false);
  }
  if (l.status == ResidenceStatus::kTolerated) {
    out.push_back({CourseType::kFirstOrientation, Access::kAdmissible, false, false, false,
                   "tolerated: first orientation"});
  }
  out.push_back(volunteer);
  return out;
}

}  // namespace ankommen::courses
