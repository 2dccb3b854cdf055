#include "indicators.h"

#include <gtest/gtest.h>

namespace ankommen::monitoring {
namespace {

TEST(IndicatorsTest, EveryIndicatorSaysWhatItCountsAndWhichWayIsBetter) {
  ASSERT_GE(Catalogue().size(), 12u);
  for (const auto& i : Catalogue()) {
    EXPECT_GT(i.definition.size(), 60u) << i.id;
    EXPECT_FALSE(i.field_of_action.empty()) << i.id;
    EXPECT_EQ(FindIndicator(i.id), &i);
  }
  EXPECT_EQ(FindIndicator("happiness"), nullptr);
  EXPECT_EQ(FindIndicator("caseload_per_social_worker")->better, Better::kLower);
  EXPECT_EQ(FindIndicator("language_a2_within_12_months")->unit, Unit::kShare);
}

TEST(IndicatorsTest, ADistrictsTargetsAreReadAsItsPlanHasThem) {
  auto loaded = ParseTargets(
      "indicator,social_area,baseline,target,from,to\n"
      "caseload_per_social_worker,,150,80,2027-01-01,2028-12-31\n"
      "course_waiting_time_days,Riesa,,42,2027-01-01,2027-12-31\n"
      "language_a2_within_12_months,,,60,2027-01-01,2027-12-31\n",
      {"Riesa", "Meißen"});
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems[0].message;
  ASSERT_EQ(loaded.targets.size(), 3u);
  EXPECT_EQ(loaded.targets[0].baseline, 150);
  EXPECT_EQ(loaded.targets[0].target, 80);
  EXPECT_EQ(loaded.targets[0].to, absl::CivilDay(2028, 12, 31));
  EXPECT_EQ(loaded.targets[1].social_area, "Riesa");
  EXPECT_FALSE(loaded.targets[1].baseline.has_value());
}

TEST(IndicatorsTest, EachMistakeIsNamedByLineAndFieldAndNoBadRowIsKept) {
  auto loaded = ParseTargets(
      "indicator,social_area,baseline,target,from,to\n"
      "happiness,,,80,2027-01-01,2027-12-31\n"
      "households_in_flats,,,120,2027-01-01,2027-12-31\n"
      "course_access_time_days,Riesa,,42,2027-12-31,2027-01-01\n"
      "places_below_standard,Atlantis,-1,0,2027-01-01,2027-12-31\n"
      "households_in_flats,,,70,2027-01-01,2027-12-31\n"
      "households_in_flats,,,75,2027-01-01,2027-12-31\n",
      {"Riesa"});
  auto has = [&](int line, const std::string& field) {
    for (const auto& p : loaded.problems) {
      if (p.line == line && p.field == field) return true;
    }
    return false;
  };
  EXPECT_TRUE(has(2, "indicator"));    // unknown indicator
  EXPECT_TRUE(has(3, "target"));       // a share above 100 %
  EXPECT_TRUE(has(4, "to"));           // ends before it starts
  EXPECT_TRUE(has(5, "social_area"));  // not the district's
  EXPECT_TRUE(has(5, "baseline"));     // negative
  EXPECT_TRUE(has(7, "indicator"));    // the same indicator, area and period twice
  EXPECT_FALSE(has(6, "indicator"));
  ASSERT_EQ(loaded.targets.size(), 1u) << "only line 6 is good";
  EXPECT_EQ(loaded.targets[0].target, 70);

  EXPECT_EQ(ParseTargets("indicator,target\n").problems.size(), 4u) << "four columns missing";
}

TEST(IndicatorsTest, TheLightFollowsWhichWayIsBetter) {
  const Indicator& caseload = *FindIndicator("caseload_per_social_worker");
  EXPECT_EQ(Status(caseload, 80, 80), Light::kGreen);
  EXPECT_EQ(Status(caseload, 87, 80), Light::kAmber);   // within a tenth of the target
  EXPECT_EQ(Status(caseload, 150, 80), Light::kRed);
  const Indicator& flats = *FindIndicator("households_in_flats");
  EXPECT_EQ(Status(flats, 75, 70), Light::kGreen);
  EXPECT_EQ(Status(flats, 61, 70), Light::kAmber);      // within 10 percentage points
  EXPECT_EQ(Status(flats, 59, 70), Light::kRed);
  EXPECT_STREQ(LightName(Light::kAmber), "amber");
}

}  // namespace
}  // namespace ankommen::monitoring
