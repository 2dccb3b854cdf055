#include "rules/land.h"

#include <gtest/gtest.h>

namespace ankommen {
namespace {

using absl::CivilDay;

TEST(LandTest, AgeIsWholeYearsOnTheDay) {
  EXPECT_EQ(AgeOn(CivilDay(2020, 5, 10), CivilDay(2021, 5, 9)), 0);
  EXPECT_EQ(AgeOn(CivilDay(2020, 5, 10), CivilDay(2021, 5, 10)), 1) << "a year old on the birthday";
  EXPECT_EQ(AgeOn(CivilDay(2020, 2, 29), CivilDay(2021, 2, 28)), 0);
  EXPECT_EQ(AgeOn(CivilDay(2020, 2, 29), CivilDay(2021, 3, 1)), 1) << "a 29 February child ages on 1 March";
  EXPECT_EQ(AgeOn(CivilDay(2030, 1, 1), CivilDay(2026, 1, 1)), 0) << "never negative";
}

TEST(LandTest, SchoolEntryFollowsTheLandsCutOff) {
  const LandRules saxony = *LandRulesFor("SN");
  const LandRules rhineland_palatinate = *LandRulesFor("RP");
  // Six on 15 July 2026: after Saxony's 30 June, before Rhineland-Palatinate's 31 August.
  const CivilDay july_child(2020, 7, 15);
  EXPECT_EQ(SchoolYearAge(july_child, CivilDay(2026, 7, 31), saxony), 4)
      << "the school year 2025/26 is in force: its cut-off was 30 June 2025";
  EXPECT_EQ(SchoolYearAge(july_child, CivilDay(2026, 8, 1), saxony), 5) << "Saxony: school from August 2027";
  EXPECT_EQ(SchoolYearAge(july_child, CivilDay(2027, 8, 1), saxony), 6);
  EXPECT_EQ(SchoolYearAge(july_child, CivilDay(2026, 8, 1), rhineland_palatinate), 6) << "RP: school from August 2026";
  // Six on 30 June 2026 itself: school in Saxony that August.
  EXPECT_EQ(SchoolYearAge(CivilDay(2020, 6, 30), CivilDay(2026, 8, 1), saxony), 6);
  EXPECT_EQ(SchoolYearStart(CivilDay(2027, 3, 1), saxony), CivilDay(2026, 8, 1));
}

TEST(LandTest, TheNextChangeIsABirthdayOrASchoolYearWhileEitherMatters) {
  const LandRules saxony;
  EXPECT_EQ(NextAgeChange(CivilDay(2025, 11, 10), CivilDay(2026, 3, 1), saxony), CivilDay(2026, 8, 1))
      << "the school-year age moves on 1 August before the next birthday";
  EXPECT_EQ(NextAgeChange(CivilDay(2025, 5, 10), CivilDay(2026, 3, 1), saxony), CivilDay(2026, 5, 10));
  EXPECT_EQ(NextAgeChange(CivilDay(2000, 5, 10), CivilDay(2026, 3, 1), saxony), CivilDay(2026, 5, 10))
      << "the 26-year-old's 27th birthday ends the youth course; no school year matters any more";
  EXPECT_FALSE(NextAgeChange(CivilDay(1999, 5, 10), CivilDay(2026, 6, 1), saxony)) << "27: nothing changes any more";
  EXPECT_EQ(NextAgeChange(CivilDay(2024, 2, 29), CivilDay(2026, 3, 2), saxony), CivilDay(2026, 8, 1));
  EXPECT_EQ(NextAgeChange(CivilDay(2024, 2, 29), CivilDay(2026, 9, 1), saxony), CivilDay(2027, 3, 1));
}

TEST(LandTest, CompulsorySchoolingEndsOnTheLandsBirthday) {
  const LandRules saxony;
  EXPECT_TRUE(SchoolObliged(17, saxony));
  EXPECT_FALSE(SchoolObliged(18, saxony));
}

TEST(LandTest, TheHousingStandardIsTheLandsWhereTheTableKnowsIt) {
  EXPECT_EQ(LandRulesFor("SN")->square_metres_per_person, 6) << "Saxony's 6 m² per person";
  EXPECT_EQ(LandRulesFor("RP")->square_metres_per_person, 0) << "not in the table: the district names it";
  EXPECT_EQ(LandRulesFor("BW", "06-30")->square_metres_per_person, 0);
}

TEST(LandTest, AnUnknownLandNeedsItsCutOffAndABadDayIsRefused) {
  EXPECT_FALSE(LandRulesFor("XX").ok());
  auto named = LandRulesFor("BW", "06-30");
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(named->school_cutoff.month, 6);
  EXPECT_EQ(LandRulesFor("SN", "09-30")->school_cutoff.month, 9) << "a setting replaces the table";
  for (const char* bad : {"6-30", "06-31", "13-01", "06/30", "ab-cd"}) {
    EXPECT_FALSE(LandRulesFor("SN", bad).ok()) << bad;
  }
  EXPECT_TRUE(LandRulesFor("SN", "02-29").ok());
}

}  // namespace
}  // namespace ankommen
