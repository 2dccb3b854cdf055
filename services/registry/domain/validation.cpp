#include "validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "text/field_checks.h"
#include "store/ids.h"
#include "grpc/status.h"

namespace ankommen::registry {
namespace {

void CheckPlace(Violations& v, const std::string& prefix, const std::string& ags, const std::string& social_area,
                const v1::Address& address, bool has_address, const v1::GeoPoint& location, bool has_location) {
  if (!IsDigits(ags, 8)) v.Add(prefix + "municipality_ags", "must be the 8-digit Amtlicher Gemeindeschlüssel");
  CheckSocialArea(v, prefix + "social_area", social_area);
  if (has_address) {
    CheckText(v, prefix + "address.street", address.street(), false, kMaxTextLength);
    CheckText(v, prefix + "address.city", address.city(), false, kMaxTextLength);
    if (!address.postal_code().empty() && !IsDigits(address.postal_code(), 5)) {
      v.Add(prefix + "address.postal_code", "must be five digits");
    }
  }
  if (has_location) CheckCoordinates(v, prefix + "location.", location.lat(), location.lon());
}

void CheckPerson(Violations& v, const std::string& p, const v1::Person& person, absl::CivilDay today) {
  if (!person.person_id().empty()) v.Add(p + "person_id", "is set by the registry; leave it empty");
  if (!person.household_id().empty()) v.Add(p + "household_id", "is set by the registry; leave it empty");
  CheckText(v, p + "given_names", person.given_names(), true, kMaxNameLength);
  CheckText(v, p + "family_name", person.family_name(), true, kMaxNameLength);
  absl::CivilDay birth;
  if (!ParseIsoDate(person.birth_date(), birth)) {
    v.Add(p + "birth_date", "must be a date as YYYY-MM-DD");
  } else if (birth > today) {
    v.Add(p + "birth_date", "is in the future");
  } else if (birth.year() < 1900) {
    v.Add(p + "birth_date", "is before 1900");
  }
  CheckEnum(v, p + "relation", person.relation(), v1::Relation_IsValid, false);
  if (!person.nationality().empty()) {
    const auto& n = person.nationality();
    if (n.size() != 2 || !absl::ascii_isupper(static_cast<unsigned char>(n[0])) ||
        !absl::ascii_isupper(static_cast<unsigned char>(n[1]))) {
      v.Add(p + "nationality", "must be an ISO 3166-1 alpha-2 code such as SY or UA");
    }
  }
  if (person.languages_size() > 10) v.Add(p + "languages", "lists more than 10 languages");
  for (int i = 0; i < person.languages_size() && i < 10; ++i) {
    if (!IsLowerAlpha(person.languages(i), 2, 3)) {
      v.Add(absl::StrCat(p, "languages[", i, "]"), "must be an ISO 639 code such as ar or uk");
    }
  }
  CheckEnum(v, p + "contact.preferred_channel", person.contact().preferred_channel(), v1::Channel_IsValid,
            /*required=*/false);
  if (person.contact().preferred_channel() == v1::CHANNEL_APP && !person.contact().uses_app()) {
    v.Add(p + "contact.preferred_channel", "the app is preferred, but uses_app is not set");
  }
  if (!person.preferred_language().empty() && !IsLowerAlpha(person.preferred_language(), 2, 3)) {
    v.Add(p + "preferred_language", "must be an ISO 639 code such as ar or uk");
  }
  if (!person.cefr_level().empty() && !IsCefrLevel(person.cefr_level())) {
    v.Add(p + "cefr_level", "must be one of A0, A1, A2, B1, B2, C1, C2");
  }
  CheckEnum(v, p + "residence_status", person.residence_status(), v1::ResidenceStatus_IsValid, true);
  CheckEnum(v, p + "stay_prospect", person.stay_prospect(), v1::StayProspect_IsValid, false);
  CheckEnum(v, p + "benefit_regime", person.benefit_regime(), v1::BenefitRegime_IsValid, false);
  if (!person.contact().phone().empty() && !IsPhone(person.contact().phone())) {
    v.Add(p + "contact.phone", "must be in international form, e.g. +4935211234567");
  }
  if (!person.contact().email().empty() && !IsEmail(person.contact().email())) {
    v.Add(p + "contact.email", "is not an e-mail address");
  }
  if (!person.first_permit_date().empty()) {
    absl::CivilDay permit;
    const bool titled = person.residence_status() == v1::RESIDENCE_STATUS_PROTECTION_GRANTED ||
                        person.residence_status() == v1::RESIDENCE_STATUS_RESIDENCE_PERMIT;
    if (!ParseIsoDate(person.first_permit_date(), permit)) {
      v.Add(p + "first_permit_date", "must be a date as YYYY-MM-DD");
    } else if (permit > today) {
      v.Add(p + "first_permit_date", "is in the future");
    } else if (ParseIsoDate(person.birth_date(), birth) && permit < birth) {
      v.Add(p + "first_permit_date", "is before the birth date");
    } else if (!titled) {
      v.Add(p + "first_permit_date", "is only for a person with protection granted or a residence permit");
    }
  }
  if (person.needs().kita_hours() < 0 || person.needs().kita_hours() > 10) {
    v.Add(p + "needs.kita_hours", "must be from 0 (not said) to 10 hours a day");
  }
  if (!person.needs().kita_from().empty()) {
    absl::CivilDay from;
    if (!ParseIsoDate(person.needs().kita_from(), from)) {
      v.Add(p + "needs.kita_from", "must be a date as YYYY-MM-DD");
    } else if (from > today + 2 * 365) {
      v.Add(p + "needs.kita_from", "is more than two years ahead");
    }
  }
  if (person.has_course_obligation()) {
    v.Add(p + "course_obligation", "is recorded by the office that imposes it, through RecordCourseObligation");
  }
}

}  // namespace

bool IsCefrLevel(const std::string& level) {
  static const char* kLevels[] = {"A0", "A1", "A2", "B1", "B2", "C1", "C2"};
  for (const char* l : kLevels) {
    if (level == l) return true;
  }
  return false;
}

absl::Status ValidatePersonId(const std::string& field, const std::string& id) {
  if (IsValidId(id, kPersonIdPrefix)) return absl::OkStatus();
  return InvalidFields({{field, id.empty() ? "is required" : "is not a person id"}});
}

absl::Status ValidateHouseholdId(const std::string& field, const std::string& id) {
  if (IsValidId(id, kHouseholdIdPrefix)) return absl::OkStatus();
  return InvalidFields({{field, id.empty() ? "is required" : "is not a household id"}});
}

absl::Status ValidateRegistration(const v1::RegisterHouseholdRequest& request, absl::CivilDay today) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!request.has_household()) {
    v.Add("household", "is required");
    return v.ToStatus();
  }
  const auto& h = request.household();
  if (!h.household_id().empty()) v.Add("household.household_id", "is set by the registry; leave it empty");
  if (h.members_size() == 0) v.Add("household.members", "must list at least one person");
  if (h.members_size() > kMaxMembers) v.Add("household.members", absl::StrCat("lists more than ", kMaxMembers, " people"));
  for (int i = 0; i < h.members_size() && i < kMaxMembers; ++i) {
    CheckPerson(v, absl::StrCat("household.members[", i, "]."), h.members(i), today);
  }
  CheckPlace(v, "household.", h.municipality_ags(), h.social_area(), h.address(), h.has_address(), h.location(),
             h.has_location());
  return v.ToStatus();
}

absl::Status ValidateStatusChange(const v1::ChangeResidenceStatusRequest& request, absl::CivilDay today) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!IsValidId(request.person_id(), kPersonIdPrefix)) v.Add("person_id", "is not a person id");
  CheckEnum(v, "residence_status", request.residence_status(), v1::ResidenceStatus_IsValid, true);
  CheckEnum(v, "stay_prospect", request.stay_prospect(), v1::StayProspect_IsValid, false);
  CheckEnum(v, "benefit_regime", request.benefit_regime(), v1::BenefitRegime_IsValid, false);
  if (!request.permit_issued_on().empty()) {
    absl::CivilDay issued;
    if (!ParseIsoDate(request.permit_issued_on(), issued)) {
      v.Add("permit_issued_on", "must be a date as YYYY-MM-DD");
    } else if (issued > today) {
      v.Add("permit_issued_on", "is in the future");
    }
    if (request.residence_status() != v1::RESIDENCE_STATUS_PROTECTION_GRANTED &&
        request.residence_status() != v1::RESIDENCE_STATUS_RESIDENCE_PERMIT) {
      v.Add("permit_issued_on", "is only for a change to protection granted or a residence permit");
    }
  }
  return v.ToStatus();
}

absl::Status ValidateObligation(const v1::RecordCourseObligationRequest& request, absl::CivilDay today) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!IsValidId(request.person_id(), kPersonIdPrefix)) v.Add("person_id", "is not a person id");
  const auto& o = request.obligation();
  CheckEnum(v, "obligation.authority", o.authority(), v1::ObligingAuthority_IsValid, /*required=*/true);
  if (request.lift()) {
    if (o.ground() != v1::OBLIGATION_GROUND_UNSPECIFIED) v.Add("obligation.ground", "is left out when lifting");
  } else {
    CheckEnum(v, "obligation.ground", o.ground(), v1::ObligationGround_IsValid, /*required=*/true);
    // § 44a (1): the Jobcenter obliges those on SGB II, the benefits office those on AsylbLG.
    if (o.ground() == v1::OBLIGATION_GROUND_SGB_II && o.authority() != v1::OBLIGING_AUTHORITY_JOBCENTER) {
      v.Add("obligation.authority", "an obligation on SGB II grounds is the Jobcenter's");
    }
    if (o.ground() == v1::OBLIGATION_GROUND_ASYLBLG && o.authority() != v1::OBLIGING_AUTHORITY_BENEFITS_OFFICE) {
      v.Add("obligation.authority", "an obligation on AsylbLG grounds is the benefits office's");
    }
  }
  absl::CivilDay decided;
  if (!ParseIsoDate(o.decided_on(), decided)) {
    v.Add("obligation.decided_on", "must be a date as YYYY-MM-DD");
  } else if (decided > today) {
    v.Add("obligation.decided_on", "is in the future");
  }
  CheckText(v, "obligation.reason", o.reason(), /*required=*/true, kMaxTextLength);
  return v.ToStatus();
}

absl::Status ValidateLevel(const v1::RecordLanguageLevelRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!IsValidId(request.person_id(), kPersonIdPrefix)) v.Add("person_id", "is not a person id");
  if (!IsCefrLevel(request.cefr_level())) v.Add("cefr_level", "must be one of A0, A1, A2, B1, B2, C1, C2");
  return v.ToStatus();
}

absl::Status ValidateRelocation(const v1::RelocateHouseholdRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!IsValidId(request.household_id(), kHouseholdIdPrefix)) v.Add("household_id", "is not a household id");
  CheckPlace(v, "", request.municipality_ags(), request.social_area(), request.address(), request.has_address(),
             request.location(), request.has_location());
  return v.ToStatus();
}

absl::Status ValidateErasure(const v1::ErasePersonRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!IsValidId(request.person_id(), kPersonIdPrefix)) v.Add("person_id", "is not a person id");
  CheckText(v, "reason", request.reason(), /*required=*/true, kMaxTextLength);
  return v.ToStatus();
}

absl::Status ValidateContactRead(const v1::GetContactRequest& request) {
  Violations v;
  if (!IsValidId(request.person_id(), kPersonIdPrefix)) v.Add("person_id", "is not a person id");
  CheckText(v, "purpose", request.purpose(), /*required=*/true, kMaxTextLength);
  return v.ToStatus();
}

absl::Status ValidatePersonRead(const v1::GetPersonRequest& request) {
  Violations v;
  if (!IsValidId(request.person_id(), kPersonIdPrefix)) v.Add("person_id", "is not a person id");
  CheckText(v, "purpose", request.purpose(), /*required=*/true, kMaxTextLength);
  return v.ToStatus();
}

absl::Status ValidateHouseholdRead(const v1::GetHouseholdRequest& request) {
  Violations v;
  if (!IsValidId(request.household_id(), kHouseholdIdPrefix)) v.Add("household_id", "is not a household id");
  CheckText(v, "purpose", request.purpose(), /*required=*/true, kMaxTextLength);
  return v.ToStatus();
}

absl::Status ValidateList(const v1::ListHouseholdsRequest& request) {
  Violations v;
  CheckSocialArea(v, "social_area", request.social_area());
  CheckText(v, "purpose", request.purpose(), /*required=*/true, kMaxTextLength);
  if (request.page_size() < 0 || request.page_size() > kMaxPageSize) {
    v.Add("page_size", absl::StrCat("must be from 0 to ", kMaxPageSize));
  }
  return v.ToStatus();
}

absl::Status ValidateHeldList(const v1::ListSuspectedDuplicatesRequest& request) {
  Violations v;
  if (request.page_size() < 0 || request.page_size() > kMaxPageSize) {
    v.Add("page_size", absl::StrCat("must be from 0 to ", kMaxPageSize));
  }
  return v.ToStatus();
}

absl::Status ValidateResolution(const v1::ResolveDuplicateRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!IsValidId(request.person_id(), kPersonIdPrefix)) v.Add("person_id", "is not a person id");
  if (!IsValidId(request.other_person_id(), kPersonIdPrefix)) v.Add("other_person_id", "is not a person id");
  else if (request.other_person_id() == request.person_id()) v.Add("other_person_id", "is the person itself");
  if (request.resolution() != v1::RESOLUTION_SAME_PERSON && request.resolution() != v1::RESOLUTION_DIFFERENT_PERSONS) {
    v.Add("resolution", "must be RESOLUTION_SAME_PERSON or RESOLUTION_DIFFERENT_PERSONS");
  }
  CheckText(v, "reason", request.reason(), /*required=*/true, kMaxTextLength);
  return v.ToStatus();
}

absl::Status ValidateCloseCase(const v1::CloseCaseRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!IsValidId(request.household_id(), kHouseholdIdPrefix)) v.Add("household_id", "is not a household id");
  if (request.closure() == v1::CASE_CLOSURE_UNSPECIFIED || !v1::CaseClosure_IsValid(request.closure())) {
    v.Add("closure", "must say why the case closes");
  }
  CheckText(v, "note", request.note(), /*required=*/request.closure() == v1::CASE_CLOSURE_OTHER, kMaxTextLength);
  return v.ToStatus();
}

absl::Status ValidateAuditQuery(const v1::QueryAuditRequest& request) {
  Violations v;
  if (!request.subject_id().empty() && !IsValidId(request.subject_id(), kPersonIdPrefix) &&
      !IsValidId(request.subject_id(), kHouseholdIdPrefix)) {
    v.Add("subject_id", "is not a person or household id");
  }
  CheckText(v, "actor", request.actor(), /*required=*/false, kMaxTextLength);
  if (request.has_since() && request.has_until() && request.since().seconds() > request.until().seconds()) {
    v.Add("until", "is before since");
  }
  if (request.page_size() < 0 || request.page_size() > kMaxPageSize) {
    v.Add("page_size", absl::StrCat("must be from 0 to ", kMaxPageSize));
  }
  return v.ToStatus();
}

}  // namespace ankommen::registry
