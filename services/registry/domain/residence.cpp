#include "residence.h"

#include "absl/strings/str_cat.h"
#include "text/field_checks.h"

namespace ankommen::registry {
namespace {

using v1::ResidenceStatus;

bool Allowed(ResidenceStatus from, ResidenceStatus to) {
  switch (from) {
    case v1::RESIDENCE_STATUS_ASYLUM_SEEKER:
      return to == v1::RESIDENCE_STATUS_TOLERATED || to == v1::RESIDENCE_STATUS_PROTECTION_GRANTED ||
             to == v1::RESIDENCE_STATUS_RESIDENCE_PERMIT || to == v1::RESIDENCE_STATUS_OTHER;
    case v1::RESIDENCE_STATUS_TOLERATED:
      // A follow-up application (Folgeantrag) reopens the asylum procedure.
      return to == v1::RESIDENCE_STATUS_ASYLUM_SEEKER || to == v1::RESIDENCE_STATUS_PROTECTION_GRANTED ||
             to == v1::RESIDENCE_STATUS_RESIDENCE_PERMIT || to == v1::RESIDENCE_STATUS_OTHER;
    case v1::RESIDENCE_STATUS_PROTECTION_GRANTED:
      // Settlement permit, or revocation leading to toleration.
      return to == v1::RESIDENCE_STATUS_RESIDENCE_PERMIT || to == v1::RESIDENCE_STATUS_TOLERATED ||
             to == v1::RESIDENCE_STATUS_OTHER;
    case v1::RESIDENCE_STATUS_RESIDENCE_PERMIT:
      return to == v1::RESIDENCE_STATUS_PROTECTION_GRANTED || to == v1::RESIDENCE_STATUS_TOLERATED ||
             to == v1::RESIDENCE_STATUS_OTHER;
    case v1::RESIDENCE_STATUS_EU_CITIZEN:
      return to == v1::RESIDENCE_STATUS_OTHER;
    case v1::RESIDENCE_STATUS_OTHER:
      return to != v1::RESIDENCE_STATUS_UNSPECIFIED;
    default:
      return false;
  }
}

}  // namespace

absl::Status CheckStatusTransition(v1::ResidenceStatus from, v1::ResidenceStatus to) {
  if (from == to) {
    return absl::FailedPreconditionError(absl::StrCat("the person already has status ", v1::ResidenceStatus_Name(to)));
  }
  if (!Allowed(from, to)) {
    return absl::FailedPreconditionError(absl::StrCat("a change from ", v1::ResidenceStatus_Name(from), " to ",
                                                      v1::ResidenceStatus_Name(to), " is not allowed"));
  }
  return absl::OkStatus();
}

void ApplyStatusChange(const v1::ChangeResidenceStatusRequest& request, v1::Person& person, absl::CivilDay today) {
  const auto to = request.residence_status();
  person.set_residence_status(to);
  const bool title = to == v1::RESIDENCE_STATUS_PROTECTION_GRANTED || to == v1::RESIDENCE_STATUS_RESIDENCE_PERMIT;
  if (title && person.first_permit_date().empty()) {
    person.set_first_permit_date(request.permit_issued_on().empty() ? FormatIsoDate(today) : request.permit_issued_on());
  }
  v1::StayProspect prospect = request.stay_prospect();
  v1::BenefitRegime regime = request.benefit_regime();
  if (prospect == v1::STAY_PROSPECT_UNSPECIFIED && to == v1::RESIDENCE_STATUS_PROTECTION_GRANTED) {
    prospect = v1::STAY_PROSPECT_GOOD;
  }
  if (regime == v1::BENEFIT_REGIME_UNSPECIFIED) {
    if (to == v1::RESIDENCE_STATUS_PROTECTION_GRANTED) regime = v1::BENEFIT_REGIME_SGB_II;
    if (to == v1::RESIDENCE_STATUS_ASYLUM_SEEKER || to == v1::RESIDENCE_STATUS_TOLERATED) {
      regime = v1::BENEFIT_REGIME_ASYLBLG;
    }
  }
  if (prospect != v1::STAY_PROSPECT_UNSPECIFIED) person.set_stay_prospect(prospect);
  if (regime != v1::BENEFIT_REGIME_UNSPECIFIED) person.set_benefit_regime(regime);
}

absl::Status ApplyObligation(const v1::RecordCourseObligationRequest& request, v1::Person& person) {
  if (!request.lift()) {
    *person.mutable_course_obligation() = request.obligation();
  } else if (person.has_course_obligation()) {
    person.clear_course_obligation();
  } else {
    return absl::FailedPreconditionError(absl::StrCat("person ", person.person_id(), " has no obligation to lift"));
  }
  return absl::OkStatus();
}

}  // namespace ankommen::registry
