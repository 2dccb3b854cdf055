#include "domain/entitlement.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ankommen::courses {
namespace {

const absl::CivilDay kToday(2026, 11, 23);

Learner Adult(ResidenceStatus status, StayProspect prospect = StayProspect::kUnknown) {
  Learner l;
  l.status = status;
  l.prospect = prospect;
  l.age_years = 34;
  l.level = Level::kA1;
  return l;
}

std::vector<std::string> Types(const std::vector<Eligibility>& e) {
  std::vector<std::string> out;
  for (const auto& x : e) out.push_back(CourseTypeName(x.type));
  return out;
}

struct Case {
  const char* name;
  Learner learner;
  std::vector<std::string> types;  // in order, most fitting first
  Access first_access;
  bool first_obliged;
};

class EntitlementTableTest : public ::testing::TestWithParam<Case> {};

TEST_P(EntitlementTableTest, MatchesTheRules) {
  auto e = Eligible(GetParam().learner, EntitlementRules{}, kToday);
  EXPECT_EQ(Types(e), GetParam().types);
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e.front().access, GetParam().first_access);
  EXPECT_EQ(e.front().obliged, GetParam().first_obliged);
  for (const auto& x : e) EXPECT_FALSE(x.reason.empty());
}

Learner With(Learner l, std::function<void(Learner&)> f) {
  f(l);
  return l;
}

INSTANTIATE_TEST_SUITE_P(
    Table, EntitlementTableTest,
    ::testing::Values(
        Case{"UnclearProspectGetsFirstOrientation", Adult(ResidenceStatus::kAsylumSeeker, StayProspect::kUnclear),
             {"first_orientation", "volunteer"}, Access::kEntitled, false},
        Case{"GoodProspectIsAdmittedToIntegration", Adult(ResidenceStatus::kAsylumSeeker, StayProspect::kGood),
             {"integration_general", "integration_intensive", "volunteer"}, Access::kAdmissible, false},
        Case{"ProtectionGrantedIsEntitled", Adult(ResidenceStatus::kProtectionGranted),
             {"integration_general", "integration_intensive", "volunteer"}, Access::kEntitled, false},
        Case{"NoGermanObligesNobodyUntilAnOfficeSaysSo",
             With(Adult(ResidenceStatus::kProtectionGranted), [](auto& l) { l.level = Level::kNone; }),
             {"integration_general", "integration_intensive", "volunteer"}, Access::kEntitled, false},
        Case{"NotLiterateGetsAlphaOnly",
             With(Adult(ResidenceStatus::kResidencePermit), [](auto& l) { l.literate_latin = false; }),
             {"integration_alpha", "volunteer"}, Access::kEntitled, false},
        Case{"LiterateInAnotherScriptLearnsLatinAsASecondScript",
             With(Adult(ResidenceStatus::kResidencePermit),
                  [](auto& l) {
                    l.literate_latin = false;
                    l.literate_other_script = true;
                  }),
             {"integration_second_script", "integration_alpha", "volunteer"}, Access::kEntitled, false},
        Case{"ParentNeedingChildcare",
             With(Adult(ResidenceStatus::kProtectionGranted), [](auto& l) { l.needs_childcare = true; }),
             {"integration_parents", "integration_general", "integration_intensive", "volunteer"}, Access::kEntitled,
             false},
        Case{"YoungAdult", With(Adult(ResidenceStatus::kProtectionGranted), [](auto& l) { l.age_years = 19; }),
             {"integration_youth", "integration_general", "integration_intensive", "volunteer"}, Access::kEntitled,
             false},
        Case{"TwentySevenIsNoLongerYouth",
             With(Adult(ResidenceStatus::kProtectionGranted), [](auto& l) { l.age_years = 27; }),
             {"integration_general", "integration_intensive", "volunteer"}, Access::kEntitled, false},
        Case{"B1ReachedOpensJobLanguage",
             With(Adult(ResidenceStatus::kProtectionGranted), [](auto& l) { l.level = Level::kB1; }),
             {"job_language", "volunteer"}, Access::kAdmissible, false},
        Case{"SchoolAgeOnlyVolunteer", With(Adult(ResidenceStatus::kProtectionGranted), [](auto& l) { l.age_years = 12; }),
             {"volunteer"}, Access::kAdmissible, false},
        Case{"ToleratedMayBeAdmitted", Adult(ResidenceStatus::kTolerated),
             {"integration_general", "integration_intensive", "first_orientation", "volunteer"}, Access::kAdmissible,
             false},
        Case{"EuCitizenMayBeAdmitted", Adult(ResidenceStatus::kEuCitizen),
             {"integration_general", "integration_intensive", "volunteer"}, Access::kAdmissible, false},
        Case{"AnOfficesObligationBindsTheAdmissibleToo",
             With(Adult(ResidenceStatus::kEuCitizen), [](auto& l) { l.obliged = true; }),
             {"integration_general", "integration_intensive", "volunteer"}, Access::kAdmissible, true},
        Case{"EntitlementLapsesAfterAYear",
             With(Adult(ResidenceStatus::kResidencePermit), [](auto& l) { l.first_permit = absl::CivilDay(2025, 6, 1); }),
             {"integration_general", "integration_intensive", "volunteer"}, Access::kAdmissible, false},
        Case{"WithinTheYearStillEntitled",
             With(Adult(ResidenceStatus::kResidencePermit), [](auto& l) { l.first_permit = absl::CivilDay(2026, 3, 1); }),
             {"integration_general", "integration_intensive", "volunteer"}, Access::kEntitled, false},
        Case{"ACourseBelowB1AllowsOneRepeat",
             With(Adult(ResidenceStatus::kProtectionGranted), [](auto& l) { l.integration_courses_completed = 1; }),
             {"integration_general", "integration_intensive", "volunteer"}, Access::kEntitled, false},
        Case{"AfterTheRepeatJobLanguageContinues",
             With(Adult(ResidenceStatus::kProtectionGranted),
                  [](auto& l) {
                    l.integration_courses_completed = 2;
                    l.repeat_taken = true;
                  }),
             {"job_language", "volunteer"}, Access::kAdmissible, false}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

// § 44 (4): who the district proposes a course to, and who waits behind
// everyone entitled or obliged.
TEST(EntitlementTest, TheEntitledAndObligedGoFirstTheAdmittedTakeWhatIsLeft) {
  auto first = [](const Learner& l) { return Eligible(l, EntitlementRules{}, kToday).front(); };
  const Eligibility entitled = first(Adult(ResidenceStatus::kProtectionGranted));
  EXPECT_TRUE(entitled.proposed);
  EXPECT_FALSE(entitled.AdmittedIfFree());
  const Eligibility good_prospect = first(Adult(ResidenceStatus::kAsylumSeeker, StayProspect::kGood));
  EXPECT_TRUE(good_prospect.proposed) << "the district registers them for a course";
  EXPECT_TRUE(good_prospect.AdmittedIfFree()) << "but only to seats left free";
  const Eligibility tolerated = first(Adult(ResidenceStatus::kTolerated));
  EXPECT_FALSE(tolerated.proposed) << "on their own request only";
  EXPECT_TRUE(tolerated.AdmittedIfFree());
  const Eligibility obliged = first(With(Adult(ResidenceStatus::kAsylumSeeker, StayProspect::kGood),
                                         [](auto& l) { l.obliged = true; }));
  EXPECT_TRUE(obliged.proposed);
  EXPECT_FALSE(obliged.AdmittedIfFree()) << "an obligation ranks first";
  // An unclear prospect goes to first orientation, unless an office obliged the person.
  EXPECT_EQ(first(With(Adult(ResidenceStatus::kAsylumSeeker, StayProspect::kUnclear), [](auto& l) { l.obliged = true; }))
                .type,
            CourseType::kIntegrationGeneral);
}

TEST(EntitlementTest, TheIntensiveCourseIsTheLearnersChoiceNeverProposed) {
  for (const auto& e : Eligible(Adult(ResidenceStatus::kProtectionGranted), EntitlementRules{}, kToday)) {
    if (e.type == CourseType::kIntegrationIntensive) EXPECT_FALSE(e.proposed);
  }
}

TEST(EntitlementTest, TheRepeatIsMarkedAndOnlyOnce) {
  Learner l = Adult(ResidenceStatus::kProtectionGranted);
  EXPECT_FALSE(Eligible(l, EntitlementRules{}, kToday).front().repeat);
  l.integration_courses_completed = 1;
  const Eligibility repeat = Eligible(l, EntitlementRules{}, kToday).front();
  EXPECT_TRUE(repeat.repeat);
  EXPECT_THAT(repeat.reason, ::testing::HasSubstr("300 teaching units"));
  l.repeat_taken = true;
  EXPECT_NE(Eligible(l, EntitlementRules{}, kToday).front().type, CourseType::kIntegrationGeneral);
}

TEST(EntitlementTest, RulesAreConfiguration) {
  EntitlementRules rules;
  rules.youth_max_age = 30;
  auto l = Adult(ResidenceStatus::kProtectionGranted);
  l.age_years = 29;
  EXPECT_EQ(Eligible(l, rules, kToday).front().type, CourseType::kIntegrationYouth);
}

TEST(EntitlementTest, LevelsParse) {
  EXPECT_EQ(ParseLevel(""), Level::kNone);
  EXPECT_EQ(ParseLevel("A0"), Level::kNone);
  EXPECT_EQ(ParseLevel("B2"), Level::kB2);
  EXPECT_EQ(ParseLevel("Z9"), std::nullopt);
}

}  // namespace
}  // namespace ankommen::courses
