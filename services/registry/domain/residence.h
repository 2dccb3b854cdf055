// Which residence status changes the law allows, and what follows from them.
#pragma once

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "ankommen/registry/v1/registry.pb.h"

namespace ankommen::registry {

// OK, or FAILED_PRECONDITION saying why the change is not possible (e.g.
// protection granted back to asylum seeker: a revocation leads to toleration,
// never back into the first procedure).
absl::Status CheckStatusTransition(v1::ResidenceStatus from, v1::ResidenceStatus to);

// Applies a validated, allowed change. Unspecified prospect and benefit regime
// follow from the new status: protection granted means a good prospect and the
// Jobcenter (SGB II); asylum seekers and tolerated persons get AsylbLG.
// A change to a residence title (protection granted, a residence permit)
// records the first permit, from which the entitlement to an integration
// course runs (§ 44 AufenthG), if the person had none: permit_issued_on, or
// `today`.
void ApplyStatusChange(const v1::ChangeResidenceStatusRequest& request, v1::Person& person, absl::CivilDay today);

// An office's obligation to attend (§ 44a), imposed (replacing an earlier
// decision) or lifted; lifting none is FAILED_PRECONDITION.
absl::Status ApplyObligation(const v1::RecordCourseObligationRequest& request, v1::Person& person);

}  // namespace ankommen::registry
