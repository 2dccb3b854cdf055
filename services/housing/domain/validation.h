// What the housing service accepts. Pure functions over the request messages;
// each returns INVALID_ARGUMENT naming every bad field, or OK.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ankommen/housing/v1/housing.pb.h"
#include "text/csv.h"

namespace ankommen::housing {

inline constexpr char kAccommodationIdPrefix[] = "acc";
inline constexpr char kOfferIdPrefix[] = "ho";
inline constexpr char kHouseholdIdPrefix[] = "hh";  // the registry's
inline constexpr int kMaxBeds = 2000;
inline constexpr int kMaxSquareMetres = 100'000;

absl::Status ValidateCreateAccommodation(const v1::CreateAccommodationRequest& request);
absl::Status ValidateImport(const v1::ImportAccommodationsRequest& request);
absl::Status ValidateReportVacancy(const v1::ReportVacancyRequest& request);
absl::Status ValidateKeyAndId(const std::string& idempotency_key, const char* field, const std::string& id,
                              const char* prefix);
absl::Status ValidateId(const char* field, const std::string& id, const char* prefix);

// One row of an accommodation table as an accommodation, or INVALID_ARGUMENT
// naming every bad column.
absl::StatusOr<v1::Accommodation> AccommodationFromRow(const CsvTable& table, const CsvRow& row);
inline constexpr std::initializer_list<const char*> kTableColumns = {
    "kind", "name", "operator", "municipality_ags", "social_area", "lat", "lon", "beds", "rooms", "square_metres",
    "step_free", "lease_transferable"};

inline constexpr int kMaxNoteLength = 500;  // code points

// The housing authority's overrides: a reason from the list, a note for "other".
absl::Status ValidateDecline(const v1::DeclinePlacementRequest& request);
absl::Status ValidatePlaceManually(const v1::PlaceManuallyRequest& request);

}  // namespace ankommen::housing
