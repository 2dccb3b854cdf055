// Time moves people: what a date changes for a household. The birth dates
// stay here; the other services hear the ages they call for (facts.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "ankommen/registry/v1/registry.pb.h"
#include "rules/land.h"

namespace ankommen::registry {

// The members whose age or school-year age on `today` differs from that on
// `before`, while it still matters, in the household's order.
std::vector<std::string> AgedMembers(const v1::Household& household, absl::CivilDay before, absl::CivilDay today,
                                     const LandRules& land);

// The first day after `today` on which a member's age changes what it calls
// for; nullopt when none ever will (everyone past the ages that matter).
std::optional<absl::CivilDay> NextAgeChange(const v1::Household& household, absl::CivilDay today,
                                            const LandRules& land);

}  // namespace ankommen::registry
