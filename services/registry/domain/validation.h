// What the registry accepts. Pure functions over the request messages; each
// returns INVALID_ARGUMENT naming every bad field, or OK.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "ankommen/registry/v1/registry.pb.h"
#include "text/field_checks.h"

namespace ankommen::registry {

inline constexpr int kMaxMembers = 30;
inline constexpr int kMaxNameLength = 200;  // code points
inline constexpr int kMaxTextLength = 200;
inline constexpr int kMaxPageSize = 500;
inline constexpr int kDefaultPageSize = 50;

// A new household: members, dates, codes, contact data and location.
absl::Status ValidateRegistration(const v1::RegisterHouseholdRequest& request, absl::CivilDay today);
absl::Status ValidateStatusChange(const v1::ChangeResidenceStatusRequest& request, absl::CivilDay today);
// An office's obligation to attend a course (§ 44a), imposed or lifted.
absl::Status ValidateObligation(const v1::RecordCourseObligationRequest& request, absl::CivilDay today);
absl::Status ValidateLevel(const v1::RecordLanguageLevelRequest& request);
absl::Status ValidateRelocation(const v1::RelocateHouseholdRequest& request);
absl::Status ValidateErasure(const v1::ErasePersonRequest& request);
absl::Status ValidateContactRead(const v1::GetContactRequest& request);
// Reads of personal data name their purpose (audited; at most kMaxTextLength).
absl::Status ValidatePersonRead(const v1::GetPersonRequest& request);
absl::Status ValidateHouseholdRead(const v1::GetHouseholdRequest& request);
absl::Status ValidateList(const v1::ListHouseholdsRequest& request);
absl::Status ValidateHeldList(const v1::ListSuspectedDuplicatesRequest& request);
absl::Status ValidateResolution(const v1::ResolveDuplicateRequest& request);
absl::Status ValidateCloseCase(const v1::CloseCaseRequest& request);
absl::Status ValidateAuditQuery(const v1::QueryAuditRequest& request);
// For reads by id: the id must be well-formed.
absl::Status ValidatePersonId(const std::string& field, const std::string& id);
absl::Status ValidateHouseholdId(const std::string& field, const std::string& id);

bool IsCefrLevel(const std::string& level);

inline constexpr char kHouseholdIdPrefix[] = "hh";
inline constexpr char kPersonIdPrefix[] = "p";

}  // namespace ankommen::registry
