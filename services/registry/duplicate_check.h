// A duplicate check as the registry makes it on every registration (and the
// duplicates benchmark times it): the persons filed under the household's
// blocking keys, scored (FindSuspects). Where a key was crowded, someone's
// true match may be among those left unread: a household in which someone is
// suspected is then compared whole (its members that share a key), so that a
// family registered twice is found through its rarer names.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "domain/duplicates.h"
#include "storage/household_store.h"

namespace ankommen::registry {

struct DuplicateCheck {
  std::vector<Suspicion> suspects;
  size_t compared = 0;    // persons scored
  int crowded_keys = 0;   // keys under which more were filed than were read
};

absl::StatusOr<DuplicateCheck> CheckForDuplicates(HouseholdStore& store, const v1::Household& household,
                                                  int per_key);

}  // namespace ankommen::registry
