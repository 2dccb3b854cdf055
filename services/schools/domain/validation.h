// What the school service accepts. Pure functions over the request messages;
// each returns INVALID_ARGUMENT naming every bad field, or OK.
#pragma once

#include "absl/status/status.h"
#include "ankommen/schools/v1/schools.pb.h"
#include "domain/school_rules.h"

namespace ankommen::schools {

inline constexpr int kMaxClassSeats = 30;
inline constexpr int kMaxKitaPlaces = 500;
inline constexpr size_t kMaxImportBytes = 1 << 20;

absl::Status ValidateCreateSchool(const v1::CreateSchoolRequest& request);
absl::Status ValidateImport(const v1::ImportSchoolsRequest& request);
absl::Status ValidateUpdateClass(const v1::UpdateClassRequest& request);
absl::Status ValidateCreateKita(const v1::CreateKitaRequest& request);
absl::Status ValidateAdvancePhase(const v1::AdvancePhaseRequest& request);
absl::Status ValidateDeclineKita(const v1::DeclineKitaRequest& request);
absl::Status ValidateRequestKita(const v1::RequestKitaRequest& request, const AgeRules& rules);
absl::Status ValidateGetCapacity(const v1::GetCapacityRequest& request);
absl::Status ValidateId(const char* field, const std::string& id, const char* prefix);

inline constexpr char kSchoolIdPrefix[] = "sch";
inline constexpr int kMaxNoteLength = 500;  // code points
inline constexpr char kClassIdPrefix[] = "cl";
inline constexpr char kKitaIdPrefix[] = "kita";
inline constexpr char kPersonIdPrefix[] = "p";  // the registry's

// The schools office's decisions on proposals.
absl::Status ValidateConfirmPlacement(const v1::ConfirmPlacementRequest& request);
absl::Status ValidateRejectPlacement(const v1::RejectPlacementRequest& request);
absl::Status ValidatePlaceManually(const v1::PlaceManuallyRequest& request);

}  // namespace ankommen::schools
