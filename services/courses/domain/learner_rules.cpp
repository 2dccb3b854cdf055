#include "domain/learner_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "domain/course_rules.h"
#include "text/field_checks.h"

namespace ankommen::courses {

CourseFamily FamilyOf(CourseType type) {
  switch (type) {
    case CourseType::kFirstOrientation: return CourseFamily::kFirstOrientation;
    case CourseType::kJobLanguage: return CourseFamily::kJobLanguage;
    case CourseType::kVolunteer: return CourseFamily::kVolunteer;
    default: return CourseFamily::kIntegration;
  }
}

bool IsOpen(v1::RequestStatus status) { return IsWaiting(status) || HoldsASeat(status); }

bool IsWaiting(v1::RequestStatus status) { return status == v1::REQUEST_STATUS_WAITING; }

bool HoldsASeat(v1::RequestStatus status) {
  return status == v1::REQUEST_STATUS_OFFERED || status == v1::REQUEST_STATUS_ENROLLED;
}

bool AnyRequest(const v1::LearnerRecord& learner, bool (*matches)(v1::RequestStatus)) {
  return std::any_of(learner.requests().begin(), learner.requests().end(),
                     [&](const v1::SeatRequest& r) { return matches(r.status()); });
}

Learner ToLearner(const v1::LearnerRecord& r) {
  Learner l;
  // The registry's enums share the domain's order (UNSPECIFIED is unknown).
  l.status = static_cast<ResidenceStatus>(r.residence_status());
  l.prospect = static_cast<StayProspect>(r.stay_prospect());
  l.age_years = r.age_years();
  l.literate_latin = r.literate_latin();
  l.literate_other_script = r.literate_other_script();
  l.level = ParseLevel(r.cefr_level()).value_or(Level::kNone);
  l.needs_childcare = r.needs_childcare() && r.children_under_school_age() > 0;
  absl::CivilDay permit;
  if (ParseIsoDate(r.first_permit_date(), permit)) l.first_permit = permit;
  l.obliged = r.obliged();
  // What the courses completed here reached counts until the registry records a level.
  for (const auto& req : r.requests()) {
    if (req.status() != v1::REQUEST_STATUS_COMPLETED) continue;
    l.level = std::max(l.level, ParseLevel(req.reached_level()).value_or(Level::kNone));
    if (FamilyOf(ToCourseType(req.course_type())) != CourseFamily::kIntegration) continue;
    ++l.integration_courses_completed;
    l.repeat_taken = l.repeat_taken || req.repeat();
  }
  return l;
}

int ChildrenNeedingCare(const v1::LearnerRecord& record, int childcare_from_age) {
  int n = 0;
  for (const auto& c : record.young_children()) {
    if (c.age_years() >= childcare_from_age && c.school_year_age() < 6 && !c.kita_place()) ++n;
  }
  return n;
}

Request ToRequest(const v1::SeatRequest& s) {
  Request r;
  r.request_id = s.request_id();
  r.person_id = s.person_id();
  r.course_type = ToCourseType(s.course_type());
  absl::CivilDay day;
  r.requested_on = ParseIsoDate(s.requested_on(), day) ? day : absl::CivilDay();
  r.obliged = s.obliged();
  r.admitted_if_free = s.admitted_if_free();
  r.childcare_children = s.childcare_children();
  r.evening_only = s.evening_only();
  return r;
}

v1::SeatRequest* FindRequest(v1::LearnerRecord& learner, const std::string& request_id) {
  for (auto& r : *learner.mutable_requests()) {
    if (r.request_id() == request_id) return &r;
  }
  return nullptr;
}

std::vector<v1::Offer> OpenOffers(const v1::SeatRequest& request) {
  std::vector<v1::Offer> out;
  if (request.has_offer()) out.push_back(request.offer());
  out.insert(out.end(), request.other_offers().begin(), request.other_offers().end());
  return out;
}

int OfferCount(const v1::SeatRequest& request) {
  return (request.has_offer() ? 1 : 0) + request.other_offers_size();
}

const v1::Offer* FindOffer(const v1::SeatRequest& request, const std::string& offer_id) {
  if (request.has_offer() && request.offer().offer_id() == offer_id) return &request.offer();
  for (const auto& o : request.other_offers()) {
    if (o.offer_id() == offer_id) return &o;
  }
  return nullptr;
}

void AddOffer(v1::SeatRequest& request, v1::Offer offer) {
  *(request.has_offer() ? request.add_other_offers() : request.mutable_offer()) = std::move(offer);
}

bool RemoveOffer(v1::SeatRequest& request, const std::string& offer_id) {
  auto* others = request.mutable_other_offers();
  if (request.has_offer() && request.offer().offer_id() == offer_id) {
    request.clear_offer();
    if (!others->empty()) {
      *request.mutable_offer() = std::move(*others->begin());
      others->erase(others->begin());
    }
    return true;
  }
  for (auto it = others->begin(); it != others->end(); ++it) {
    if (it->offer_id() != offer_id) continue;
    others->erase(it);
    return true;
  }
  return false;
}

void ClearOffers(v1::SeatRequest& request) {
  request.clear_offer();
  request.clear_other_offers();
}

namespace {

v1::SeatRequest* OpenInFamily(v1::LearnerRecord& learner, CourseFamily family) {
  for (auto& r : *learner.mutable_requests()) {
    if (IsOpen(r.status()) && FamilyOf(ToCourseType(r.course_type())) == family) return &r;
  }
  return nullptr;
}

const Eligibility* Find(const std::vector<Eligibility>& list, CourseType type) {
  for (const auto& e : list) {
    if (e.type == type) return &e;
  }
  return nullptr;
}

v1::SeatRequest NewRequest(const v1::LearnerRecord& learner, const Eligibility& e, absl::CivilDay today,
                           std::string request_id) {
  v1::SeatRequest r;
  r.set_request_id(std::move(request_id));
  r.set_person_id(learner.person_id());
  r.set_course_type(ToProto(e.type));
  r.set_requested_on(FormatIsoDate(today));
  r.set_obliged(e.obliged);
  r.set_admitted_if_free(e.AdmittedIfFree());
  r.set_repeat(e.repeat);
  r.set_reason(e.reason);
  r.set_status(v1::REQUEST_STATUS_WAITING);
  return r;
}

}  // namespace

RequestChanges ReconcileRequests(v1::LearnerRecord& learner, const EntitlementRules& rules, absl::CivilDay today,
                                 const RequestDefaults& defaults, const std::function<std::string()>& new_request_id) {
  RequestChanges changes;
  if (learner.erased()) return changes;
  const std::vector<Eligibility> eligible = Eligible(ToLearner(learner), rules, today);
  for (auto& r : *learner.mutable_requests()) {
    if (r.status() != v1::REQUEST_STATUS_WAITING) continue;
    CourseType type = ToCourseType(r.course_type());
    // The best fitting type of the same family, e.g. Alpha once literacy is
    // known to be missing; an intensive course, the person's choice, stays while it may.
    const Eligibility* fit = type == CourseType::kIntegrationIntensive ? Find(eligible, type) : nullptr;
    for (size_t i = 0; fit == nullptr && i < eligible.size(); ++i) {
      if (FamilyOf(eligible[i].type) == FamilyOf(type)) fit = &eligible[i];
    }
    if (fit == nullptr) {
      r.set_status(v1::REQUEST_STATUS_WITHDRAWN);
      r.set_reason(absl::StrCat("no longer eligible for ", CourseTypeName(type)));
      changes.withdrawn.push_back(r);
      changes.changed = true;
    } else if (fit->type != type || fit->obliged != r.obliged() || fit->AdmittedIfFree() != r.admitted_if_free()) {
      const v1::CourseType before = r.course_type();
      r.set_course_type(ToProto(fit->type));
      r.set_obliged(fit->obliged);
      r.set_admitted_if_free(fit->AdmittedIfFree());
      r.set_reason(fit->reason);
      changes.changed = true;
      changes.changed_requests.emplace_back(r, before);
    }
    // A parents' course cares for the children who need it now (a Kita place
    // given, one grown into school); moved from one, the request needs none.
    const bool parents = r.course_type() == v1::COURSE_TYPE_INTEGRATION_PARENTS;
    const int care = parents ? learner.children_under_school_age() : 0;
    if (r.status() == v1::REQUEST_STATUS_WAITING && (parents || type == CourseType::kIntegrationParents) &&
        r.childcare_children() != care) {
      r.set_childcare_children(care);
      changes.changed = true;
    }
  }
  // The most fitting course the district proposes to the person, unless one of its family is open.
  for (const auto& e : eligible) {
    if (!e.proposed) continue;
    if (OpenInFamily(learner, FamilyOf(e.type)) != nullptr) break;
    v1::SeatRequest r = NewRequest(learner, e, today, new_request_id());
    // A parents' course comes with childcare for the children not yet at school.
    r.set_childcare_children(e.type == CourseType::kIntegrationParents ? learner.children_under_school_age() : 0);
    r.set_evening_only(learner.works_daytime());
    r.set_max_km(defaults.max_km);
    *learner.add_requests() = r;
    changes.opened.push_back(std::move(r));
    changes.changed = true;
    break;
  }
  return changes;
}

absl::StatusOr<v1::SeatRequest> OpenRequest(v1::LearnerRecord& learner, const SeatWish& wish,
                                            const EntitlementRules& rules, absl::CivilDay today,
                                            const RequestDefaults& defaults, std::string request_id) {
  if (learner.erased()) return absl::NotFoundError(absl::StrCat("person ", learner.person_id(), " was erased"));
  const std::vector<Eligibility> eligible = Eligible(ToLearner(learner), rules, today);
  const Eligibility* e = Find(eligible, wish.type);
  if (e == nullptr) {
    std::string may;
    for (const auto& x : eligible) absl::StrAppend(&may, may.empty() ? "" : ", ", CourseTypeName(x.type));
    return absl::FailedPreconditionError(absl::StrCat("person ", learner.person_id(), " is not eligible for ",
                                                      CourseTypeName(wish.type), "; eligible: ", may));
  }
  if (const v1::SeatRequest* open = OpenInFamily(learner, FamilyOf(wish.type)); open != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("person ", learner.person_id(), " already has request ",
                                                 open->request_id(), " (", v1::RequestStatus_Name(open->status()),
                                                 ") for this course family"));
  }
  v1::SeatRequest r = NewRequest(learner, *e, today, std::move(request_id));
  r.set_childcare_children(wish.childcare_children);
  r.set_evening_only(wish.evening_only);
  r.set_max_km(wish.max_km > 0 ? wish.max_km : defaults.max_km);
  *learner.add_requests() = r;
  return r;
}

void NoteOfferNotTaken(v1::SeatRequest& request, const std::string& course_id, bool declined) {
  const auto& lapsed = request.lapsed_course_ids();
  const bool lapsed_before = std::find(lapsed.begin(), lapsed.end(), course_id) != lapsed.end();
  if (declined || lapsed_before) {
    request.add_passed_course_ids(course_id);
  } else {
    request.add_lapsed_course_ids(course_id);
  }
}

}  // namespace ankommen::courses
