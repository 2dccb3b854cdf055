// What of a person an answer may carry to its caller: every answer that holds
// a person or a household — reads and the answers of commands alike — passes
// through here, so a role never gets more than it may read (the access policy,
// services/common/grpc/auth.cpp: GetPerson for the person, GetContact for the
// contact data).
#pragma once

#include <set>
#include <string>

#include "ankommen/registry/v1/registry.pb.h"

namespace ankommen::registry {

struct Disclosure {
  bool person = true;   // names, birth date, status, needs, address: who may call GetPerson
  bool contact = true;  // e-mail, phone, post address: who may call GetContact
};

// From the token's roles. No roles at all is access control off (development
// only): everything.
Disclosure DisclosureFor(const std::set<std::string>& roles);

// Strips what `d` does not allow. Without `person`, a person keeps only its
// ids, language level and literacy (what the integration office records) and
// an obligation to attend without its reason (what an office decides), a household
// only its ids, area and members' ids.
void Disclose(v1::Person& person, Disclosure d);
void Disclose(v1::Household& household, Disclosure d);

// Whether an answer so disclosed carries anything personal (a retried
// command's answer is then audited as a read is).
bool CarriesPersonalData(Disclosure d);

}  // namespace ankommen::registry
