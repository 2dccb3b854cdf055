// Contact data, read at the moment of sending and never stored here: a
// person's from the registry (an audited GetContact with its purpose), a
// language mediator's from the mediators service (GetMediatorContact, audited
// there too).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace ankommen::notifications {

struct Contact {
  std::string name;      // for a letter's address line
  std::string street, postal_code, city;  // the household's, for a letter
  std::string email;
  std::string phone;
  std::string language;  // preferred
  bool uses_app = false; // reached in the district's app by person id (webhook)
  enum class Prefers { kAny, kEmail, kSms, kLetter, kApp } prefers = Prefers::kAny;
};

class ContactBook {
 public:
  virtual ~ContactBook() = default;
  // NOT_FOUND when the person was erased (nothing may be sent then).
  virtual absl::StatusOr<Contact> Lookup(const std::string& person_id) = 0;
};

// The registry's GetContact over gRPC at `registry_addr`.
std::unique_ptr<ContactBook> MakeRegistryContactBook(const std::string& registry_addr);
// The mediators service's GetMediatorContact at `mediators_addr`, by mediator id
// (NOT_FOUND: the mediator left the pool).
std::unique_ptr<ContactBook> MakeMediatorContactBook(const std::string& mediators_addr);

}  // namespace ankommen::notifications
