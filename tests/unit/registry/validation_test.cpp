#include "domain/validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "grpc/status.h"
#include "support/sample_households.h"

namespace ankommen::registry {
namespace {

using ::ankommen::testing::SampleRegistration;
const absl::CivilDay kToday(2026, 11, 23);

std::vector<std::string> BadFields(const absl::Status& s) {
  std::vector<std::string> fields;
  for (const auto& v : FieldViolationsOf(s)) fields.push_back(v.field);
  return fields;
}

TEST(ValidationTest, AValidHouseholdPasses) {
  EXPECT_TRUE(ValidateRegistration(SampleRegistration(), kToday).ok());
}

struct BadCase {
  const char* name;
  std::function<void(v1::RegisterHouseholdRequest&)> spoil;
  const char* field;
};

class BadRegistrationTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadRegistrationTest, NamesTheField) {
  auto request = SampleRegistration();
  GetParam().spoil(request);
  absl::Status s = ValidateRegistration(request, kToday);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(BadFields(s), ::testing::Contains(GetParam().field)) << s.message();
}

auto* M0(v1::RegisterHouseholdRequest& r) { return r.mutable_household()->mutable_members(0); }

INSTANTIATE_TEST_SUITE_P(
    Cases, BadRegistrationTest,
    ::testing::Values(
        BadCase{"EmptyGivenNames", [](auto& r) { M0(r)->set_given_names(""); }, "household.members[0].given_names"},
        BadCase{"BlankFamilyName", [](auto& r) { M0(r)->set_family_name("   "); }, "household.members[0].family_name"},
        BadCase{"TenMegabyteName", [](auto& r) { M0(r)->set_given_names(std::string(10 << 20, 'a')); },
                "household.members[0].given_names"},
        BadCase{"ControlCharacters", [](auto& r) { M0(r)->set_family_name("Had\ndad"); },
                "household.members[0].family_name"},
        BadCase{"BirthDateInTheFuture", [](auto& r) { M0(r)->set_birth_date("2027-01-01"); },
                "household.members[0].birth_date"},
        BadCase{"BirthDateNotADate", [](auto& r) { M0(r)->set_birth_date("2023-02-30"); },
                "household.members[0].birth_date"},
        BadCase{"BirthDateOtherFormat", [](auto& r) { M0(r)->set_birth_date("12.04.1991"); },
                "household.members[0].birth_date"},
        BadCase{"UnknownStatus", [](auto& r) { M0(r)->set_residence_status(static_cast<v1::ResidenceStatus>(99)); },
                "household.members[0].residence_status"},
        BadCase{"MissingStatus", [](auto& r) { M0(r)->set_residence_status(v1::RESIDENCE_STATUS_UNSPECIFIED); },
                "household.members[0].residence_status"},
        BadCase{"CefrZ9", [](auto& r) { M0(r)->set_cefr_level("Z9"); }, "household.members[0].cefr_level"},
        BadCase{"Nationality", [](auto& r) { M0(r)->set_nationality("Syria"); }, "household.members[0].nationality"},
        BadCase{"Language", [](auto& r) { M0(r)->set_languages(0, "Arabic"); }, "household.members[0].languages[0]"},
        BadCase{"Phone", [](auto& r) { M0(r)->mutable_contact()->set_phone("0351 123"); },
                "household.members[0].contact.phone"},
        BadCase{"Email", [](auto& r) { M0(r)->mutable_contact()->set_email("amina@"); },
                "household.members[0].contact.email"},
        BadCase{"AppPreferredWithoutTheApp",
                [](auto& r) { M0(r)->mutable_contact()->set_preferred_channel(v1::CHANNEL_APP); },
                "household.members[0].contact.preferred_channel"},
        BadCase{"PersonIdGivenByCaller", [](auto& r) { M0(r)->set_person_id("p_0000000000000000"); },
                "household.members[0].person_id"},
        BadCase{"NoMembers", [](auto& r) { r.mutable_household()->clear_members(); }, "household.members"},
        BadCase{"Ags", [](auto& r) { r.mutable_household()->set_municipality_ags("1462"); },
                "household.municipality_ags"},
        BadCase{"SocialAreaMissing", [](auto& r) { r.mutable_household()->set_social_area(""); },
                "household.social_area"},
        BadCase{"SocialAreaKeyChars", [](auto& r) { r.mutable_household()->set_social_area("Riesa:*"); },
                "household.social_area"},
        BadCase{"PostalCode", [](auto& r) { r.mutable_household()->mutable_address()->set_postal_code("1587"); },
                "household.address.postal_code"},
        BadCase{"Latitude", [](auto& r) { r.mutable_household()->mutable_location()->set_lat(123); },
                "household.location.lat"},
        BadCase{"FirstPermitWithoutATitle", [](auto& r) { M0(r)->set_first_permit_date("2026-01-10"); },
                "household.members[0].first_permit_date"},
        BadCase{"FirstPermitInTheFuture",
                [](auto& r) {
                  M0(r)->set_residence_status(v1::RESIDENCE_STATUS_RESIDENCE_PERMIT);
                  M0(r)->set_first_permit_date("2027-01-10");
                },
                "household.members[0].first_permit_date"},
        BadCase{"ObligationGivenAtRegistration",
                [](auto& r) { M0(r)->mutable_course_obligation()->set_decided_on("2026-01-10"); },
                "household.members[0].course_obligation"},
        BadCase{"KitaHoursBeyondADay", [](auto& r) { M0(r)->mutable_needs()->set_kita_hours(12); },
                "household.members[0].needs.kita_hours"},
        BadCase{"KitaFromNotADate", [](auto& r) { M0(r)->mutable_needs()->set_kita_from("next spring"); },
                "household.members[0].needs.kita_from"},
        BadCase{"IdempotencyKeyMissing", [](auto& r) { r.set_idempotency_key(""); }, "idempotency_key"},
        BadCase{"IdempotencyKeyTooLong", [](auto& r) { r.set_idempotency_key(std::string(129, 'k')); },
                "idempotency_key"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(ValidationTest, EveryBadFieldIsReportedAtOnce) {
  auto request = SampleRegistration();
  M0(request)->set_given_names("");
  M0(request)->set_cefr_level("Z9");
  request.mutable_household()->mutable_members(1)->set_birth_date("2030-01-01");
  auto fields = BadFields(ValidateRegistration(request, kToday));
  EXPECT_THAT(fields, ::testing::UnorderedElementsAre("household.members[0].given_names",
                                                      "household.members[0].cefr_level",
                                                      "household.members[1].birth_date"));
}

TEST(ValidationTest, NamesInEveryScriptAreAccepted) {
  auto request = SampleRegistration();
  M0(request)->set_given_names("محمد");
  M0(request)->set_family_name("Шевченко");
  request.mutable_household()->mutable_members(1)->set_given_names("ሰላም");
  EXPECT_TRUE(ValidateRegistration(request, kToday).ok());
}

TEST(ValidationTest, AnObligationNamesWhoWhenAndWhy) {
  v1::RecordCourseObligationRequest r;
  r.set_idempotency_key("k");
  r.set_person_id("p_0123456789abcdef");
  r.mutable_obligation()->set_authority(v1::OBLIGING_AUTHORITY_FOREIGNERS_OFFICE);
  r.mutable_obligation()->set_ground(v1::OBLIGATION_GROUND_NO_SIMPLE_GERMAN);
  r.mutable_obligation()->set_decided_on("2026-11-02");
  r.mutable_obligation()->set_reason("Az. 123-45");
  EXPECT_TRUE(ValidateObligation(r, kToday).ok());
  auto bad = r;
  bad.mutable_obligation()->clear_authority();
  bad.mutable_obligation()->set_decided_on("2026-12-24");
  bad.mutable_obligation()->clear_reason();
  EXPECT_THAT(BadFields(ValidateObligation(bad, kToday)),
              ::testing::ElementsAre("obligation.authority", "obligation.decided_on", "obligation.reason"));
  // SGB II grounds are the Jobcenter's, AsylbLG grounds the benefits office's.
  bad = r;
  bad.mutable_obligation()->set_ground(v1::OBLIGATION_GROUND_SGB_II);
  EXPECT_THAT(BadFields(ValidateObligation(bad, kToday)), ::testing::ElementsAre("obligation.authority"));
  bad.mutable_obligation()->set_authority(v1::OBLIGING_AUTHORITY_JOBCENTER);
  EXPECT_TRUE(ValidateObligation(bad, kToday).ok());
  // Lifting needs no ground, and takes none.
  auto lift = r;
  lift.set_lift(true);
  EXPECT_THAT(BadFields(ValidateObligation(lift, kToday)), ::testing::ElementsAre("obligation.ground"));
  lift.mutable_obligation()->clear_ground();
  EXPECT_TRUE(ValidateObligation(lift, kToday).ok());
}

TEST(ValidationTest, APermitsIssueDayIsForATitleAndNotInTheFuture) {
  v1::ChangeResidenceStatusRequest r;
  r.set_idempotency_key("k");
  r.set_person_id("p_0123456789abcdef");
  r.set_residence_status(v1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  r.set_permit_issued_on("2026-11-01");
  EXPECT_TRUE(ValidateStatusChange(r, kToday).ok());
  r.set_permit_issued_on("2026-11-31");
  EXPECT_THAT(BadFields(ValidateStatusChange(r, kToday)), ::testing::ElementsAre("permit_issued_on"));
  r.set_permit_issued_on("2026-11-01");
  r.set_residence_status(v1::RESIDENCE_STATUS_TOLERATED);
  EXPECT_THAT(BadFields(ValidateStatusChange(r, kToday)), ::testing::ElementsAre("permit_issued_on"));
}

TEST(ValidationTest, CommandsCheckIdsAndLevels) {
  v1::RecordLanguageLevelRequest level;
  level.set_idempotency_key("k");
  level.set_person_id("p_0123456789abcdef");
  level.set_cefr_level("B1");
  EXPECT_TRUE(ValidateLevel(level).ok());
  level.set_cefr_level("Z9");
  EXPECT_THAT(BadFields(ValidateLevel(level)), ::testing::ElementsAre("cefr_level"));
  level.set_cefr_level("B1");
  level.set_person_id("hh_0123456789abcdef");
  EXPECT_THAT(BadFields(ValidateLevel(level)), ::testing::ElementsAre("person_id"));

  v1::ErasePersonRequest erase;
  erase.set_idempotency_key("k");
  erase.set_person_id("p_0123456789abcdef");
  EXPECT_THAT(BadFields(ValidateErasure(erase)), ::testing::ElementsAre("reason"));

  v1::GetContactRequest contact;
  contact.set_person_id("p_0123456789abcdef");
  EXPECT_THAT(BadFields(ValidateContactRead(contact)), ::testing::ElementsAre("purpose"));

  v1::ListHouseholdsRequest list;
  list.set_social_area("Riesa");
  list.set_page_size(501);
  EXPECT_THAT(BadFields(ValidateList(list)), ::testing::ElementsAre("purpose", "page_size"));

  // Reads of personal data name their purpose, at most 200 characters.
  v1::GetPersonRequest person;
  person.set_person_id("p_0123456789abcdef");
  EXPECT_THAT(BadFields(ValidatePersonRead(person)), ::testing::ElementsAre("purpose"));
  person.set_purpose(std::string(201, 'x'));
  EXPECT_THAT(BadFields(ValidatePersonRead(person)), ::testing::ElementsAre("purpose"));
  person.set_purpose("Beratung");
  EXPECT_TRUE(ValidatePersonRead(person).ok());
  v1::GetHouseholdRequest household;
  household.set_household_id("p_0123456789abcdef");
  EXPECT_THAT(BadFields(ValidateHouseholdRead(household)), ::testing::ElementsAre("household_id", "purpose"));
}

TEST(ValidationTest, IsoDates) {
  absl::CivilDay d;
  EXPECT_TRUE(ParseIsoDate("2024-02-29", d));
  EXPECT_EQ(d, absl::CivilDay(2024, 2, 29));
  EXPECT_FALSE(ParseIsoDate("2023-02-29", d));
  EXPECT_FALSE(ParseIsoDate("2023-13-01", d));
  EXPECT_FALSE(ParseIsoDate("2023-1-01", d));
  EXPECT_FALSE(ParseIsoDate("", d));
}

}  // namespace
}  // namespace ankommen::registry
