#include "domain/disclosure.h"

namespace ankommen::registry {

Disclosure DisclosureFor(const std::set<std::string>& roles) {
  if (roles.empty() || roles.contains("district_admin")) return {};
  auto any = [&](std::initializer_list<const char*> names) {
    for (const char* n : names) {
      if (roles.contains(n)) return true;
    }
    return false;
  };
  return {any({"foreigners_office", "caseworker"}), any({"notifications", "registry_admin"})};
}

void Disclose(v1::Person& person, Disclosure d) {
  if (!d.person) {
    v1::Person kept;
    kept.set_person_id(person.person_id());
    kept.set_household_id(person.household_id());
    kept.set_cefr_level(person.cefr_level());
    kept.set_literate_latin(person.literate_latin());
    kept.set_literate_other_script(person.literate_other_script());
    // An office that obliges a person reads the decision back, without the reason.
    if (person.has_course_obligation()) {
      *kept.mutable_course_obligation() = person.course_obligation();
      kept.mutable_course_obligation()->clear_reason();
    }
    if (d.contact) *kept.mutable_contact() = person.contact();
    person = std::move(kept);
    return;
  }
  if (!d.contact) person.clear_contact();
}

void Disclose(v1::Household& household, Disclosure d) {
  for (auto& m : *household.mutable_members()) Disclose(m, d);
  if (!d.person) {
    household.clear_address();
    household.clear_location();
  }
}

bool CarriesPersonalData(Disclosure d) { return d.person || d.contact; }

}  // namespace ankommen::registry
