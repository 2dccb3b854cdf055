// A valid registration to vary in tests: a mother and her son from Syria in Riesa.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ankommen/registry/v1/registry.pb.h"

namespace ankommen::testing {

inline ankommen::registry::v1::RegisterHouseholdRequest SampleRegistration(const std::string& key = "key-1",
                                                                          const std::string& family = "Haddad") {
  ankommen::registry::v1::RegisterHouseholdRequest r;
  r.set_idempotency_key(key);
  auto* h = r.mutable_household();
  h->set_municipality_ags("14627230");
  h->set_social_area("Riesa");
  h->mutable_address()->set_street("Bahnhofstraße 1");
  h->mutable_address()->set_postal_code("01587");
  h->mutable_address()->set_city("Riesa");
  h->mutable_location()->set_lat(51.30781);
  h->mutable_location()->set_lon(13.29394);
  auto* a = h->add_members();
  a->set_given_names("Amina");
  a->set_family_name(family);
  a->set_birth_date("1991-04-12");
  a->set_relation(ankommen::registry::v1::RELATION_HEAD);
  a->set_nationality("SY");
  a->add_languages("ar");
  a->set_preferred_language("ar");
  a->set_cefr_level("A1");
  a->set_literate_latin(true);
  a->set_residence_status(ankommen::registry::v1::RESIDENCE_STATUS_ASYLUM_SEEKER);
  a->mutable_needs()->set_childcare(true);
  a->mutable_contact()->set_phone("+4915112345678");
  a->mutable_contact()->set_email("amina.haddad@example.org");
  auto* c = h->add_members();
  c->set_given_names("Yusuf");
  c->set_family_name(family);
  c->set_birth_date("2019-09-03");
  c->set_relation(ankommen::registry::v1::RELATION_CHILD);
  c->set_residence_status(ankommen::registry::v1::RESIDENCE_STATUS_ASYLUM_SEEKER);
  return r;
}

// The sample's mother with children born on the given dates (YYYY-MM-DD) instead of her son.
inline ankommen::registry::v1::RegisterHouseholdRequest SampleWithChildren(const std::string& key,
                                                                         const std::vector<std::string>& births) {
  auto r = SampleRegistration(key);
  r.mutable_household()->mutable_members()->RemoveLast();
  for (const auto& birth : births) {
    auto* c = r.mutable_household()->add_members();
    c->set_given_names("Kind");
    c->set_family_name("Haddad");
    c->set_birth_date(birth);
    c->set_relation(ankommen::registry::v1::RELATION_CHILD);
    c->set_residence_status(ankommen::registry::v1::RESIDENCE_STATUS_ASYLUM_SEEKER);
  }
  return r;
}

// Household i of a load: a parent entitled to an integration course (without
// childcare) and, for every other one, a school child; distinct names and
// birth dates so that no two look like one family.
inline ankommen::registry::v1::RegisterHouseholdRequest LoadHousehold(const std::string& key_prefix, int i) {
  const std::string family = absl::StrCat("Familie", std::string(1, static_cast<char>('A' + i % 26)),
                                          std::string(1, static_cast<char>('a' + (i / 26) % 26)),
                                          std::string(1, static_cast<char>('a' + (i / 676) % 26)));
  auto r = SampleRegistration(absl::StrCat(key_prefix, i), family);
  auto* h = r.mutable_household();
  h->mutable_members(0)->set_birth_date(absl::StrCat(1960 + i % 40, "-0", 1 + i % 9, "-1", i % 10));
  h->mutable_members(0)->set_residence_status(ankommen::registry::v1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  h->mutable_members(0)->mutable_needs()->set_childcare(false);
  h->mutable_members(1)->set_birth_date(absl::StrCat(2016 + i % 3, "-0", 1 + i % 9, "-2", i % 8));
  if (i % 2 == 1) h->mutable_members()->RemoveLast();
  return r;
}

}  // namespace ankommen::testing
