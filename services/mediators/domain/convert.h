// From the API's messages (proto/ankommen/mediators/v1) to the domain's
// types, checked on the way: what cannot be read (an unspecified enum, a date
// not YYYY-MM-DD, a start without a time) and what ValidateMediator or
// ValidateRequest refuse come back together as one INVALID_ARGUMENT naming
// each field, so a caller corrects everything at once.
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ankommen/mediators/v1/mediators.pb.h"
#include "pool.h"

namespace ankommen::mediators {

absl::StatusOr<Mediator> MediatorFromProto(const v1::Mediator& m);

// A mediator's contact: both names, and a phone number or an e-mail address
// that a message can reach. INVALID_ARGUMENT naming each bad field (contact.…).
absl::Status ValidateContact(const v1::MediatorContact& contact);

// `household_id` is the registry's household of the request's person (empty
// when the request names a language instead), for conflicts of interest.
absl::StatusOr<AppointmentRequest> RequestFromProto(const v1::MediationRequest& r, const std::string& household_id,
                                                    absl::Time now);

}  // namespace ankommen::mediators
