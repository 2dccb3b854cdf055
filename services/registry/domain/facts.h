// What leaves the registry: events with pseudonymous ids and only the facts
// other services need. Everything personal (names, birth date, address,
// contact) is left out here, in one place.
#pragma once

#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/registry/v1/registry.pb.h"
#include "bus/streams.h"
#include "rules/land.h"

namespace ankommen::registry {

// Whole years between birth and the given day (0 for an unparsable date).
int AgeInYears(const std::string& birth_date, absl::CivilDay today);

// Two decimal places of a degree: about 1 km, enough for "near home".
ankommen::common::v1::ApproxLocation Coarsen(const v1::GeoPoint& point);

// The facts on `today`, ages by the Land's school calendar.
v1::PersonFacts FactsOf(const v1::Person& person, absl::CivilDay today, const LandRules& land);

// Subjects of the registry's events (streams.h holds the catalogue).
using streams::kHouseholdRegistered;
using streams::kPersonErased;
using streams::kPersonMerged;
using streams::kHouseholdCaseClosed;
using streams::kPersonLevelRecorded;
using streams::kPersonStatusChanged;
using streams::kHouseholdRelocated;
using streams::kHouseholdAged;
using streams::kPersonObligationChanged;

struct EventContext {
  std::string event_id;
  absl::Time now;
  std::string correlation_id;
};

v1::HouseholdRegistered MakeHouseholdRegistered(const v1::Household& household, const EventContext& ctx,
                                                absl::CivilDay today, const LandRules& land);
v1::HouseholdAged MakeHouseholdAged(const v1::Household& household, const std::vector<std::string>& aged_person_ids,
                                    const EventContext& ctx, absl::CivilDay today, const LandRules& land);
v1::PersonStatusChanged MakeStatusChanged(const v1::Person& before, const v1::Person& after, const EventContext& ctx);
v1::PersonLevelRecorded MakeLevelRecorded(const v1::Person& person, const EventContext& ctx);
// Who decided and when, on which ground; the office's reason stays here.
v1::PersonObligationChanged MakeObligationChanged(const v1::Person& person,
                                                  const v1::RecordCourseObligationRequest& request,
                                                  const EventContext& ctx);
v1::HouseholdRelocated MakeRelocated(const v1::Household& household, const EventContext& ctx);
v1::PersonErased MakeErased(const std::string& person_id, const std::string& household_id, const EventContext& ctx);
v1::HouseholdCaseClosed MakeCaseClosed(const v1::Household& household, const EventContext& ctx);
v1::PersonMerged MakeMerged(const std::string& person_id, const std::string& household_id,
                            const v1::Person& surviving, const EventContext& ctx);

}  // namespace ankommen::registry
