// What of a person each role's answers carry (issue 23, items 1 and 5).
#include "domain/disclosure.h"

#include <gtest/gtest.h>

namespace ankommen::registry {
namespace {

v1::Household Sample() {
  v1::Household h;
  h.set_household_id("hh_0000000000000001");
  h.set_social_area("Riesa");
  h.mutable_address()->set_street("Lange Straße 3");
  auto* p = h.add_members();
  p->set_person_id("p_0000000000000001");
  p->set_household_id(h.household_id());
  p->set_given_names("Amina");
  p->set_family_name("Haddad");
  p->set_birth_date("1990-04-01");
  p->set_cefr_level("A2");
  p->set_literate_latin(true);
  p->set_residence_status(v1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  p->mutable_contact()->set_email("amina.haddad@example.org");
  return h;
}

TEST(DisclosureTest, EachRoleReadsWhatItMayCallAndNoMore) {
  EXPECT_TRUE(DisclosureFor({}).person) << "access control off (development): everything";
  EXPECT_TRUE(DisclosureFor({}).contact);
  EXPECT_TRUE(DisclosureFor({"district_admin"}).contact);
  const Disclosure office = DisclosureFor({"foreigners_office"});
  EXPECT_TRUE(office.person);
  EXPECT_FALSE(office.contact) << "GetContact is not the office's";
  const Disclosure integration = DisclosureFor({"integration_office"});
  EXPECT_FALSE(integration.person);
  EXPECT_FALSE(integration.contact);
  EXPECT_FALSE(CarriesPersonalData(integration));
  EXPECT_TRUE(DisclosureFor({"notifications"}).contact);
}

TEST(DisclosureTest, ACaseworkerGetsThePersonWithoutTheContact) {
  v1::Household h = Sample();
  Disclose(h, DisclosureFor({"caseworker"}));
  EXPECT_EQ(h.members(0).given_names(), "Amina");
  EXPECT_FALSE(h.members(0).has_contact());
  EXPECT_TRUE(h.has_address());
}

TEST(DisclosureTest, TheIntegrationOfficeGetsIdsAndTheLevelItRecorded) {
  v1::Household h = Sample();
  Disclose(h, DisclosureFor({"integration_office"}));
  const v1::Person& p = h.members(0);
  EXPECT_EQ(p.person_id(), "p_0000000000000001");
  EXPECT_EQ(p.cefr_level(), "A2");
  EXPECT_TRUE(p.literate_latin());
  EXPECT_TRUE(p.given_names().empty());
  EXPECT_TRUE(p.family_name().empty());
  EXPECT_TRUE(p.birth_date().empty());
  EXPECT_EQ(p.residence_status(), v1::RESIDENCE_STATUS_UNSPECIFIED);
  EXPECT_FALSE(p.has_contact());
  EXPECT_FALSE(h.has_address());
  EXPECT_EQ(h.social_area(), "Riesa");
}

}  // namespace
}  // namespace ankommen::registry
