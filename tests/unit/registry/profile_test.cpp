// The compact profile a duplicate check reads of each candidate
// (storage/household_store.h): written and read back field for field.
#include <gtest/gtest.h>

#include "storage/household_store.h"

namespace ankommen::registry {
namespace {

v1::Household FamilyOfThree() {
  v1::Household h;
  h.set_household_id("hh_0a1");
  for (const auto& [id, given, family, born] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {"p_0a1", "Mohammad", "Ahmadi", "1995-01-01"}, {"p_0a2", "Zahra", "Ahmadi", "1997-03-04"},
           {"p_0a3", "Ali", "Ahmadi", "2019-05-06"}}) {
    auto* m = h.add_members();
    m->set_person_id(id);
    m->set_given_names(given);
    m->set_family_name(family);
    m->set_birth_date(born);
    m->set_nationality("AF");
  }
  return h;
}

TEST(ProfileTest, AProfileIsReadBackAsWrittenWithItsHousematesWhenAsked) {
  const v1::Household h = FamilyOfThree();
  const std::string stored = EncodeProfile(h.members(1), h);
  auto with = DecodeProfile("p_0a2", stored, /*with_housemates=*/true);
  ASSERT_TRUE(with.has_value());
  EXPECT_EQ(with->profile.person_id, "p_0a2");
  EXPECT_EQ(with->profile.household_id, "hh_0a1");
  EXPECT_EQ(with->profile.given_names, "Zahra");
  EXPECT_EQ(with->profile.family_name, "Ahmadi");
  EXPECT_EQ(with->profile.birth_date, "1997-03-04");
  EXPECT_EQ(with->profile.nationality, "AF");
  EXPECT_EQ(with->housemates, (std::vector<std::string>{"p_0a1", "p_0a3"}));
  auto without = DecodeProfile("p_0a2", stored, /*with_housemates=*/false);
  ASSERT_TRUE(without.has_value());
  EXPECT_EQ(without->profile.given_names, "Zahra");
  EXPECT_TRUE(without->housemates.empty());
}

TEST(ProfileTest, EmptyFieldsAreKeptAndATruncatedProfileIsNotRead) {
  v1::Household alone = FamilyOfThree();
  alone.mutable_members()->DeleteSubrange(1, 2);
  alone.mutable_members(0)->clear_nationality();
  auto read = DecodeProfile("p_0a1", EncodeProfile(alone.members(0), alone), true);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->profile.nationality, "");
  EXPECT_TRUE(read->housemates.empty());
  const std::string sep(1, '\x1f');
  EXPECT_FALSE(DecodeProfile("p_1", "hh_1" + sep + "A" + sep + "B" + sep + "1990-01-01", true).has_value());
  EXPECT_FALSE(DecodeProfile("p_1", sep + "A" + sep + "B" + sep + "1990-01-01" + sep + "AF", true).has_value());
  EXPECT_FALSE(DecodeProfile("p_1", "", false).has_value());
}

}  // namespace
}  // namespace ankommen::registry
