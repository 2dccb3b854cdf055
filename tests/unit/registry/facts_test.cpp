#include "domain/facts.h"

#include <gtest/gtest.h>

#include "support/sample_households.h"

namespace ankommen::registry {
namespace {

TEST(FactsTest, AgeInWholeYears) {
  EXPECT_EQ(AgeInYears("2020-11-23", absl::CivilDay(2026, 11, 23)), 6);
  EXPECT_EQ(AgeInYears("2020-11-24", absl::CivilDay(2026, 11, 23)), 5);
  EXPECT_EQ(AgeInYears("2020-02-29", absl::CivilDay(2021, 2, 28)), 0);
  EXPECT_EQ(AgeInYears("2020-02-29", absl::CivilDay(2021, 3, 1)), 1);
  EXPECT_EQ(AgeInYears("garbage", absl::CivilDay(2021, 3, 1)), 0);
}

TEST(FactsTest, LocationIsCoarsenedToAboutAKilometre) {
  v1::GeoPoint p;
  p.set_lat(51.30781);
  p.set_lon(13.29394);
  auto approx = Coarsen(p);
  EXPECT_DOUBLE_EQ(approx.lat(), 51.31);
  EXPECT_DOUBLE_EQ(approx.lon(), 13.29);
}

TEST(FactsTest, RegisteredEventCarriesNoPersonalData) {
  auto household = ::ankommen::testing::SampleRegistration().household();
  household.set_household_id("hh_0123456789abcdef");
  household.mutable_members(0)->set_person_id("p_0123456789abcdef");
  auto event = MakeHouseholdRegistered(household, {"ev_1", absl::FromUnixSeconds(1795000000), "corr"},
                                       absl::CivilDay(2026, 11, 23), LandRules{});
  std::string bytes = event.SerializeAsString();
  for (const char* personal : {"Amina", "Haddad", "1991-04-12", "Bahnhofstraße", "01587", "+4915112345678",
                               "amina.haddad@example.org", "51.30781"}) {
    EXPECT_EQ(bytes.find(personal), std::string::npos) << personal;
  }
  ASSERT_EQ(event.members_size(), 2);
  EXPECT_EQ(event.members(0).age_years(), 35);
  EXPECT_EQ(event.members(1).age_years(), 7);
  // Born 3 September 2019: six on Saxony's cut-off, 30 June 2026, of the school year begun 1 August.
  EXPECT_EQ(event.members(1).school_year_age(), 6);
  EXPECT_EQ(event.members(0).cefr_level(), "A1");
  EXPECT_TRUE(event.members(0).needs().childcare());
  EXPECT_EQ(event.social_area(), "Riesa");
  EXPECT_EQ(event.meta().event_id(), "ev_1");
}

// What § 44 and § 44a decide on travels as facts; the office's reason does not.
TEST(FactsTest, ThePermitAndAnObligationTravelTheOfficesReasonStays) {
  v1::Person person;
  person.set_person_id("p_0123456789abcdef");
  person.set_birth_date("1990-01-01");
  person.set_first_permit_date("2026-03-01");
  person.set_literate_other_script(true);
  person.mutable_course_obligation()->set_authority(v1::OBLIGING_AUTHORITY_JOBCENTER);
  person.mutable_course_obligation()->set_ground(v1::OBLIGATION_GROUND_SGB_II);
  person.mutable_course_obligation()->set_decided_on("2026-11-02");
  person.mutable_course_obligation()->set_reason("Eingliederungsvereinbarung Az. 4711");
  const v1::PersonFacts facts = FactsOf(person, absl::CivilDay(2026, 12, 4), LandRules{});
  EXPECT_EQ(facts.first_permit_date(), "2026-03-01");
  EXPECT_TRUE(facts.obliged());
  EXPECT_EQ(facts.obliged_since(), "2026-11-02");
  EXPECT_TRUE(facts.literate_other_script());
  EXPECT_EQ(facts.SerializeAsString().find("4711"), std::string::npos);
  v1::RecordCourseObligationRequest request;
  *request.mutable_obligation() = person.course_obligation();
  const auto event = MakeObligationChanged(person, request, {"ev_2", absl::FromUnixSeconds(1795000000), ""});
  EXPECT_TRUE(event.obliged());
  EXPECT_EQ(event.authority(), v1::OBLIGING_AUTHORITY_JOBCENTER);
  EXPECT_EQ(event.SerializeAsString().find("4711"), std::string::npos);
}

TEST(FactsTest, EventMessagesHaveNoPersonalFields) {
  // A new field on an event must not carry personal data: this list is the
  // review point when someone adds one.
  for (const auto* descriptor : {v1::HouseholdRegistered::descriptor(), v1::PersonFacts::descriptor(),
                                 v1::PersonStatusChanged::descriptor(), v1::HouseholdRelocated::descriptor(),
                                 v1::PersonLevelRecorded::descriptor(), v1::PersonErased::descriptor(),
                                 v1::PersonObligationChanged::descriptor(), v1::HouseholdAged::descriptor()}) {
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const std::string& name = descriptor->field(i)->name();
      for (const char* personal : {"name", "birth", "address", "street", "phone", "email", "contact", "reason"}) {
        EXPECT_EQ(name.find(personal), std::string::npos) << descriptor->full_name() << "." << name;
      }
    }
  }
}

}  // namespace
}  // namespace ankommen::registry
