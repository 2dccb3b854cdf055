// Shared by the files of the registry's use cases (registry.cpp,
// duplicates.cpp): how a person is found in, and leaves, a household's
// record. Not for other services.
#pragma once

#include <algorithm>
#include <string>

#include "ankommen/registry/v1/registry.pb.h"

namespace ankommen::registry {

inline v1::Person* FindMember(v1::Household& household, const std::string& person_id) {
  for (auto& p : *household.mutable_members()) {
    if (p.person_id() == person_id) return &p;
  }
  return nullptr;
}

// A person leaves the household's record (erased or merged away); with the
// last one go the address and location, which were theirs too.
inline void RemoveMember(v1::Household& household, const std::string& person_id) {
  auto* members = household.mutable_members();
  members->erase(std::remove_if(members->begin(), members->end(),
                                [&](const v1::Person& p) { return p.person_id() == person_id; }),
                 members->end());
  if (household.members_size() == 0) {
    household.clear_address();
    household.clear_location();
  }
}

}  // namespace ankommen::registry
