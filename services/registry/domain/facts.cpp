#include "facts.h"

#include <cmath>

#include "validation.h"

namespace ankommen::registry {
namespace {

void FillMeta(ankommen::common::v1::EventMeta& meta, const EventContext& ctx) {
  meta.set_event_id(ctx.event_id);
  meta.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(ctx.now));
  meta.set_correlation_id(ctx.correlation_id);
  meta.set_producer("registry");
}

}  // namespace

int AgeInYears(const std::string& birth_date, absl::CivilDay today) {
  absl::CivilDay birth;
  if (!ParseIsoDate(birth_date, birth)) return 0;
  return AgeOn(birth, today);
}

ankommen::common::v1::ApproxLocation Coarsen(const v1::GeoPoint& point) {
  ankommen::common::v1::ApproxLocation out;
  out.set_lat(std::round(point.lat() * 100.0) / 100.0);
  out.set_lon(std::round(point.lon() * 100.0) / 100.0);
  return out;
}

v1::PersonFacts FactsOf(const v1::Person& person, absl::CivilDay today, const LandRules& land) {
  v1::PersonFacts facts;
  facts.set_person_id(person.person_id());
  absl::CivilDay birth;
  if (ParseIsoDate(person.birth_date(), birth)) {
    facts.set_age_years(AgeOn(birth, today));
    facts.set_school_year_age(SchoolYearAge(birth, today, land));
  }
  facts.set_relation(person.relation());
  facts.set_cefr_level(person.cefr_level());
  facts.set_literate_latin(person.literate_latin());
  facts.set_residence_status(person.residence_status());
  facts.set_stay_prospect(person.stay_prospect());
  facts.set_benefit_regime(person.benefit_regime());
  facts.set_unaccompanied_minor(person.unaccompanied_minor());
  *facts.mutable_needs() = person.needs();
  facts.set_preferred_language(person.preferred_language());
  facts.set_first_permit_date(person.first_permit_date());
  facts.set_obliged(person.has_course_obligation());
  facts.set_obliged_since(person.course_obligation().decided_on());
  facts.set_literate_other_script(person.literate_other_script());
  return facts;
}

namespace {

// HouseholdRegistered and HouseholdAged share fields 1-6.
template <typename Event>
Event HouseholdFacts(const v1::Household& household, const EventContext& ctx, absl::CivilDay today,
                     const LandRules& land) {
  Event event;
  FillMeta(*event.mutable_meta(), ctx);
  event.set_household_id(household.household_id());
  event.set_municipality_ags(household.municipality_ags());
  event.set_social_area(household.social_area());
  if (household.has_location()) *event.mutable_approx_location() = Coarsen(household.location());
  for (const auto& person : household.members()) *event.add_members() = FactsOf(person, today, land);
  return event;
}

}  // namespace

v1::HouseholdRegistered MakeHouseholdRegistered(const v1::Household& household, const EventContext& ctx,
                                                absl::CivilDay today, const LandRules& land) {
  return HouseholdFacts<v1::HouseholdRegistered>(household, ctx, today, land);
}

v1::HouseholdAged MakeHouseholdAged(const v1::Household& household, const std::vector<std::string>& aged_person_ids,
                                    const EventContext& ctx, absl::CivilDay today, const LandRules& land) {
  auto event = HouseholdFacts<v1::HouseholdAged>(household, ctx, today, land);
  for (const auto& id : aged_person_ids) event.add_aged_person_ids(id);
  return event;
}

v1::PersonStatusChanged MakeStatusChanged(const v1::Person& before, const v1::Person& after, const EventContext& ctx) {
  v1::PersonStatusChanged event;
  FillMeta(*event.mutable_meta(), ctx);
  event.set_person_id(after.person_id());
  event.set_household_id(after.household_id());
  event.set_previous_status(before.residence_status());
  event.set_residence_status(after.residence_status());
  event.set_stay_prospect(after.stay_prospect());
  event.set_benefit_regime(after.benefit_regime());
  event.set_first_permit_date(after.first_permit_date());
  return event;
}

v1::PersonLevelRecorded MakeLevelRecorded(const v1::Person& person, const EventContext& ctx) {
  v1::PersonLevelRecorded event;
  FillMeta(*event.mutable_meta(), ctx);
  event.set_person_id(person.person_id());
  event.set_household_id(person.household_id());
  event.set_cefr_level(person.cefr_level());
  event.set_literate_latin(person.literate_latin());
  event.set_literate_other_script(person.literate_other_script());
  return event;
}

v1::PersonObligationChanged MakeObligationChanged(const v1::Person& person,
                                                  const v1::RecordCourseObligationRequest& request,
                                                  const EventContext& ctx) {
  v1::PersonObligationChanged event;
  FillMeta(*event.mutable_meta(), ctx);
  event.set_person_id(person.person_id());
  event.set_household_id(person.household_id());
  event.set_obliged(!request.lift());
  event.set_authority(request.obligation().authority());
  event.set_ground(request.obligation().ground());
  event.set_decided_on(request.obligation().decided_on());
  return event;
}

v1::HouseholdRelocated MakeRelocated(const v1::Household& household, const EventContext& ctx) {
  v1::HouseholdRelocated event;
  FillMeta(*event.mutable_meta(), ctx);
  event.set_household_id(household.household_id());
  event.set_municipality_ags(household.municipality_ags());
  event.set_social_area(household.social_area());
  if (household.has_location()) *event.mutable_approx_location() = Coarsen(household.location());
  return event;
}

v1::PersonErased MakeErased(const std::string& person_id, const std::string& household_id, const EventContext& ctx) {
  v1::PersonErased event;
  FillMeta(*event.mutable_meta(), ctx);
  event.set_person_id(person_id);
  event.set_household_id(household_id);
  return event;
}

v1::HouseholdCaseClosed MakeCaseClosed(const v1::Household& household, const EventContext& ctx) {
  v1::HouseholdCaseClosed event;
  FillMeta(*event.mutable_meta(), ctx);
  event.set_household_id(household.household_id());
  for (const auto& p : household.members()) event.add_person_ids(p.person_id());
  event.set_closure(household.case_closure());
  return event;
}

v1::PersonMerged MakeMerged(const std::string& person_id, const std::string& household_id,
                            const v1::Person& surviving, const EventContext& ctx) {
  v1::PersonMerged event;
  FillMeta(*event.mutable_meta(), ctx);
  event.set_person_id(person_id);
  event.set_household_id(household_id);
  event.set_surviving_person_id(surviving.person_id());
  event.set_surviving_household_id(surviving.household_id());
  return event;
}

}  // namespace ankommen::registry
