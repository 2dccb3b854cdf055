#include "domain/ages.h"

#include <gtest/gtest.h>

namespace ankommen::registry {
namespace {

using absl::CivilDay;

v1::Household Family() {
  v1::Household h;
  auto add = [&](const char* id, const char* born) {
    auto* p = h.add_members();
    p->set_person_id(id);
    p->set_birth_date(born);
  };
  add("p_mother", "1990-01-20");
  add("p_infant", "2025-10-05");  // one on 5 October 2026
  add("p_five", "2020-06-01");    // six on 1 June 2026: school from August (Saxony)
  return h;
}

TEST(AgesTest, MembersWhoseAgeOrSchoolYearAgeChangedAreNamed) {
  const LandRules saxony;
  const v1::Household h = Family();
  EXPECT_TRUE(AgedMembers(h, CivilDay(2026, 3, 1), CivilDay(2026, 3, 2), saxony).empty());
  EXPECT_EQ(AgedMembers(h, CivilDay(2026, 5, 31), CivilDay(2026, 6, 1), saxony),
            std::vector<std::string>{"p_five"});
  EXPECT_EQ(AgedMembers(h, CivilDay(2026, 7, 31), CivilDay(2026, 8, 1), saxony),
            std::vector<std::string>{"p_five"}) << "the school year makes the six-year-old a pupil";
  EXPECT_EQ(AgedMembers(h, CivilDay(2026, 1, 1), CivilDay(2026, 12, 31), saxony),
            (std::vector<std::string>{"p_infant", "p_five"}))
      << "the mother's birthday changes nothing any rule looks at";
}

TEST(AgesTest, TheHouseholdIsDueOnItsMembersFirstChange) {
  const LandRules saxony;
  EXPECT_EQ(NextAgeChange(Family(), CivilDay(2026, 3, 1), saxony), CivilDay(2026, 6, 1));
  EXPECT_EQ(NextAgeChange(Family(), CivilDay(2026, 6, 1), saxony), CivilDay(2026, 8, 1));
  v1::Household adults;
  adults.add_members()->set_birth_date("1980-04-01");
  EXPECT_FALSE(NextAgeChange(adults, CivilDay(2026, 3, 1), saxony)) << "no birthday of theirs changes anything";
}

}  // namespace
}  // namespace ankommen::registry
