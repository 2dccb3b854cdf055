#include "domain/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "text/field_checks.h"
#include "store/ids.h"
#include "grpc/status.h"

namespace ankommen::housing {
namespace {

void CheckId(Violations& v, const std::string& field, const std::string& id, const char* prefix) {
  if (id.empty()) v.Add(field, "is required");
  else if (!IsValidId(id, prefix)) v.Add(field, absl::StrCat("is not a ", prefix, "_… id"));
}

void CheckAccommodation(Violations& v, const std::string& p, const v1::Accommodation& a) {
  if (!a.accommodation_id().empty()) v.Add(p + "accommodation_id", "is set by the service; leave it empty");
  CheckEnum(v, p + "kind", a.kind(), v1::Kind_IsValid, /*required=*/true);
  CheckText(v, p + "name", a.name(), /*required=*/true, 200);
  CheckText(v, p + "operator", a.operator_(), /*required=*/false, 200);
  if (!IsDigits(a.municipality_ags(), 8)) v.Add(p + "municipality_ags", "must be the 8-digit Amtlicher Gemeindeschlüssel");
  CheckSocialArea(v, p + "social_area", a.social_area());
  if (!a.has_coordinates()) v.Add(p + "coordinates", "is required: placement is by distance");
  else CheckCoordinates(v, p + "coordinates.", a.coordinates().lat(), a.coordinates().lon());
  if (a.beds() < 1 || a.beds() > kMaxBeds) v.Add(p + "beds", absl::StrCat("must be from 1 to ", kMaxBeds));
  if (a.rooms() < 1 || a.rooms() > a.beds() + 10) v.Add(p + "rooms", "must be at least 1");
  if (a.square_metres() < 1 || a.square_metres() > kMaxSquareMetres) {
    v.Add(p + "square_metres", absl::StrCat("must be from 1 to ", kMaxSquareMetres));
  }
  if (a.lease_transferable() && a.kind() == v1::KIND_SHARED) {
    v.Add(p + "lease_transferable", "only a flat's lease can pass to its tenants");
  }
  if (!a.vacant_from().empty()) {
    absl::CivilDay day;
    if (!ParseIsoDate(a.vacant_from(), day)) v.Add(p + "vacant_from", "must be a date as YYYY-MM-DD");
  }
  if (a.status() != v1::ACCOMMODATION_STATUS_UNSPECIFIED || a.persons() != 0 || a.households() != 0 || a.version() != 0) {
    v.Add(p.empty() ? "accommodation" : p.substr(0, p.size() - 1), "status, persons, households and version are read-only");
  }
}

}  // namespace

absl::Status ValidateId(const char* field, const std::string& id, const char* prefix) {
  Violations v;
  CheckId(v, field, id, prefix);
  return v.ToStatus();
}

absl::Status ValidateKeyAndId(const std::string& idempotency_key, const char* field, const std::string& id,
                              const char* prefix) {
  Violations v;
  CheckIdempotencyKey(v, idempotency_key);
  CheckId(v, field, id, prefix);
  return v.ToStatus();
}

absl::Status ValidateCreateAccommodation(const v1::CreateAccommodationRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!request.has_accommodation()) v.Add("accommodation", "is required");
  else CheckAccommodation(v, "accommodation.", request.accommodation());
  return v.ToStatus();
}

absl::Status ValidateImport(const v1::ImportAccommodationsRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (request.csv().empty()) v.Add("csv", "is required");
  if (request.csv().size() > (1u << 20)) v.Add("csv", "is larger than 1 MiB");
  return v.ToStatus();
}

absl::Status ValidateReportVacancy(const v1::ReportVacancyRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  CheckId(v, "accommodation_id", request.accommodation_id(), kAccommodationIdPrefix);
  absl::CivilDay day;
  if (!ParseIsoDate(request.free_from(), day)) v.Add("free_from", "must be a date as YYYY-MM-DD");
  return v.ToStatus();
}

absl::StatusOr<v1::Accommodation> AccommodationFromRow(const CsvTable& table, const CsvRow& row) {
  Violations v;
  auto get = [&](const char* column) { return table.Get(row, column); };
  v1::Accommodation a;
  std::string kind = absl::AsciiStrToLower(get("kind"));
  if (kind == "shared" || kind == "gu") a.set_kind(v1::KIND_SHARED);
  else if (kind == "flat" || kind == "wohnung") a.set_kind(v1::KIND_FLAT);
  else v.Add("kind", absl::StrCat("\"", get("kind"), "\" is not shared (GU) or flat"));
  a.set_name(get("name"));
  a.set_operator_(get("operator"));
  a.set_municipality_ags(get("municipality_ags"));
  a.set_social_area(get("social_area"));
  auto number = [&](const char* column, auto setter) {
    int n = 0;
    if (!absl::SimpleAtoi(get(column), &n)) v.Add(column, "must be a whole number");
    else setter(n);
  };
  number("beds", [&](int n) { a.set_beds(n); });
  number("rooms", [&](int n) { a.set_rooms(n); });
  number("square_metres", [&](int n) { a.set_square_metres(n); });
  double lat = 0, lon = 0;
  if (!absl::SimpleAtod(get("lat"), &lat) || !absl::SimpleAtod(get("lon"), &lon)) {
    v.Add("lat", "lat and lon must be numbers");
  } else {
    a.mutable_coordinates()->set_lat(lat);
    a.mutable_coordinates()->set_lon(lon);
  }
  auto flag = [&](const char* column, auto setter) {
    std::string text = absl::AsciiStrToLower(get(column));
    if (text == "yes" || text == "true" || text == "1" || text == "ja") setter(true);
    else if (text.empty() || text == "no" || text == "false" || text == "0" || text == "nein") setter(false);
    else v.Add(column, "must be yes or no");
  };
  a.set_vacant_from(get("vacant_from"));  // optional: a flat free from then is in the vacancy register
  flag("step_free", [&](bool b) { a.set_step_free(b); });
  flag("lease_transferable", [&](bool b) { a.set_lease_transferable(b); });
  if (v.empty()) CheckAccommodation(v, "", a);
  if (!v.empty()) return v.ToStatus();
  return a;
}

namespace {

void CheckOverride(Violations& v, v1::OverrideReason reason, const std::string& note) {
  if (reason == v1::OVERRIDE_REASON_UNSPECIFIED || !v1::OverrideReason_IsValid(reason)) {
    v.Add("reason", "must be one of the override reasons");
  }
  CheckText(v, "note", note, /*required=*/reason == v1::OVERRIDE_REASON_OTHER, kMaxNoteLength);
}

}  // namespace

absl::Status ValidateDecline(const v1::DeclinePlacementRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  CheckId(v, "offer_id", request.offer_id(), kOfferIdPrefix);
  CheckOverride(v, request.reason(), request.note());
  return v.ToStatus();
}

absl::Status ValidatePlaceManually(const v1::PlaceManuallyRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  CheckId(v, "household_id", request.household_id(), kHouseholdIdPrefix);
  CheckId(v, "accommodation_id", request.accommodation_id(), kAccommodationIdPrefix);
  CheckOverride(v, request.reason(), request.note());
  return v.ToStatus();
}

}  // namespace ankommen::housing
