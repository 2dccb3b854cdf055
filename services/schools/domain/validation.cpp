#include "domain/validation.h"

#include "absl/strings/str_cat.h"
#include "text/field_checks.h"
#include "store/ids.h"
#include "grpc/status.h"

namespace ankommen::schools {
namespace {

void CheckId(Violations& v, const std::string& field, const std::string& id, const char* prefix) {
  if (id.empty()) v.Add(field, "is required");
  else if (!IsValidId(id, prefix)) v.Add(field, absl::StrCat("is not a ", prefix, "_… id"));
}

void CheckLocation(Violations& v, const std::string& p, const v1::Location& l, bool has) {
  if (!has) {
    v.Add(p, "is required");
    return;
  }
  if (!IsDigits(l.municipality_ags(), 8)) v.Add(p + ".municipality_ags", "must be the 8-digit Amtlicher Gemeindeschlüssel");
  CheckSocialArea(v, p + ".social_area", l.social_area());
  if (!l.has_coordinates()) v.Add(p + ".coordinates", "is required: placement is by distance");
  else CheckCoordinates(v, p + ".coordinates.", l.coordinates().lat(), l.coordinates().lon());
}

}  // namespace

absl::Status ValidateId(const char* field, const std::string& id, const char* prefix) {
  Violations v;
  CheckId(v, field, id, prefix);
  return v.ToStatus();
}

absl::Status ValidateCreateSchool(const v1::CreateSchoolRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  const v1::School& s = request.school();
  if (!s.school_id().empty()) v.Add("school.school_id", "is set by the service; leave it empty");
  CheckText(v, "school.name", s.name(), /*required=*/true, 200);
  CheckEnum(v, "school.school_type", s.school_type(), v1::SchoolType_IsValid, /*required=*/true);
  CheckLocation(v, "school.location", s.location(), s.has_location());
  if (s.classes_size() == 0) v.Add("school.classes", "a DaZ school has at least one class");
  if (s.classes_size() > 50) v.Add("school.classes", "has more than 50 classes");
  for (int i = 0; i < s.classes_size() && i < 50; ++i) {
    const auto& c = s.classes(i);
    const std::string p = absl::StrCat("school.classes[", i, "].");
    if (!c.class_id().empty()) v.Add(p + "class_id", "is set by the service; leave it empty");
    if (c.seats() < 1 || c.seats() > kMaxClassSeats) v.Add(p + "seats", absl::StrCat("must be from 1 to ", kMaxClassSeats));
    if (c.pupils() != 0) v.Add(p + "pupils", "is read-only");
    if (c.imported_pupils() < 0 || c.imported_pupils() > c.seats()) {
      v.Add(p + "imported_pupils", "must be from 0 to the seats");
    }
  }
  if (s.reserve() != 0 || s.version() != 0) v.Add("school", "reserve and version are read-only");
  return v.ToStatus();
}

absl::Status ValidateImport(const v1::ImportSchoolsRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (request.csv().empty()) v.Add("csv", "is required");
  if (request.csv().size() > kMaxImportBytes) v.Add("csv", absl::StrCat("is larger than ", kMaxImportBytes, " bytes"));
  for (const auto& [area, where] : request.area_locations()) {
    CheckSocialArea(v, "area_locations", area);
    CheckCoordinates(v, absl::StrCat("area_locations[", area, "]."), where.lat(), where.lon());
  }
  if (!request.default_municipality_ags().empty() && !IsDigits(request.default_municipality_ags(), 8)) {
    v.Add("default_municipality_ags", "must be 8 digits");
  }
  return v.ToStatus();
}

absl::Status ValidateUpdateClass(const v1::UpdateClassRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  CheckId(v, "school_id", request.school_id(), kSchoolIdPrefix);
  CheckId(v, "class_id", request.class_id(), kClassIdPrefix);
  if (request.seats() < 0 || request.seats() > kMaxClassSeats) {
    v.Add("seats", absl::StrCat("must be from 0 to ", kMaxClassSeats));
  }
  return v.ToStatus();
}

absl::Status ValidateCreateKita(const v1::CreateKitaRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  const v1::Kita& k = request.kita();
  if (!k.kita_id().empty()) v.Add("kita.kita_id", "is set by the service; leave it empty");
  CheckText(v, "kita.name", k.name(), /*required=*/true, 200);
  CheckLocation(v, "kita.location", k.location(), k.has_location());
  if (k.places_under_3() < 0 || k.places_under_3() > kMaxKitaPlaces) {
    v.Add("kita.places_under_3", absl::StrCat("must be from 0 to ", kMaxKitaPlaces));
  }
  if (k.places_3_to_school() < 0 || k.places_3_to_school() > kMaxKitaPlaces) {
    v.Add("kita.places_3_to_school", absl::StrCat("must be from 0 to ", kMaxKitaPlaces));
  }
  if (k.places_under_3() + k.places_3_to_school() == 0) v.Add("kita", "has no places");
  if (k.hours_per_day() < 1 || k.hours_per_day() > 9) v.Add("kita.hours_per_day", "must be from 1 to 9");
  if (k.used_under_3() != 0 || k.used_3_to_school() != 0 || k.version() != 0) {
    v.Add("kita", "used_under_3, used_3_to_school and version are read-only");
  }
  return v.ToStatus();
}

absl::Status ValidateAdvancePhase(const v1::AdvancePhaseRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  CheckId(v, "person_id", request.person_id(), kPersonIdPrefix);
  if (request.phase() != 2 && request.phase() != 3) v.Add("phase", "must be 2 or 3 (phases run 1, 2, 3)");
  return v.ToStatus();
}

absl::Status ValidateDeclineKita(const v1::DeclineKitaRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  CheckId(v, "person_id", request.person_id(), kPersonIdPrefix);
  return v.ToStatus();
}

absl::Status ValidateRequestKita(const v1::RequestKitaRequest& request, const AgeRules& rules) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  CheckId(v, "person_id", request.person_id(), kPersonIdPrefix);
  if (!KitaGroupForAge(request.age_years(), rules)) {
    v.Add("age_years", absl::StrCat("a Kita place is for children from ", rules.kita_from, " to ",
                                    rules.school_from - 1, " years"));
  }
  return v.ToStatus();
}

absl::Status ValidateGetCapacity(const v1::GetCapacityRequest& request) {
  Violations v;
  if (!request.social_area().empty()) CheckSocialArea(v, "social_area", request.social_area());
  return v.ToStatus();
}

absl::Status ValidateConfirmPlacement(const v1::ConfirmPlacementRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  CheckId(v, "person_id", request.person_id(), kPersonIdPrefix);
  return v.ToStatus();
}

namespace {

// An override needs a reason from the list; "other" needs the note to say what.
void CheckOverride(Violations& v, v1::OverrideReason reason, const std::string& note) {
  if (reason == v1::OVERRIDE_REASON_UNSPECIFIED || !v1::OverrideReason_IsValid(reason)) {
    v.Add("reason", "must be one of the override reasons");
  }
  CheckText(v, "note", note, /*required=*/reason == v1::OVERRIDE_REASON_OTHER, kMaxNoteLength);
}

}  // namespace

absl::Status ValidateRejectPlacement(const v1::RejectPlacementRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  CheckId(v, "person_id", request.person_id(), kPersonIdPrefix);
  CheckOverride(v, request.reason(), request.note());
  return v.ToStatus();
}

absl::Status ValidatePlaceManually(const v1::PlaceManuallyRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  CheckId(v, "person_id", request.person_id(), kPersonIdPrefix);
  if (!IsValidId(request.place_id(), kSchoolIdPrefix) && !IsValidId(request.place_id(), kKitaIdPrefix)) {
    v.Add("place_id", "is not a school or Kita id");
  }
  CheckOverride(v, request.reason(), request.note());
  return v.ToStatus();
}

}  // namespace ankommen::schools
