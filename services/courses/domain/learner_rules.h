// A learner's requests as their facts change: the registry's events (a new
// adult, a status change, a level recorded) open the most fitting course the
// person is entitled to, move a waiting request to a better fitting type of
// the same family, and withdraw waiting requests the person is no longer
// eligible for. Pure over the stored record.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "ankommen/courses/v1/state.pb.h"
#include "domain/entitlement.h"
#include "domain/waitlist.h"

namespace ankommen::courses {

// Integration courses (general, Alpha, parents, youth) are one family: a
// person waits for one of them, and moving between them keeps the place in line.
enum class CourseFamily { kIntegration, kFirstOrientation, kJobLanguage, kVolunteer };
CourseFamily FamilyOf(CourseType type);

bool IsOpen(v1::RequestStatus status);      // waiting, offered or enrolled
bool IsWaiting(v1::RequestStatus status);   // waiting
bool HoldsASeat(v1::RequestStatus status);  // offered or enrolled
// Whether any of the learner's requests is in a status `matches` takes.
bool AnyRequest(const v1::LearnerRecord& learner, bool (*matches)(v1::RequestStatus));

Learner ToLearner(const v1::LearnerRecord& record);

// The household's children who need care beside a course: not yet at school,
// from the age the courses' childcare takes, and without a Kita place.
int ChildrenNeedingCare(const v1::LearnerRecord& record, int childcare_from_age);

// What a request looks like on the waiting list.
Request ToRequest(const v1::SeatRequest& request);

struct RequestDefaults {
  double max_km = 15;  // the district's default for the person's social area
};

struct RequestChanges {
  std::vector<v1::SeatRequest> opened;     // new requests
  std::vector<v1::SeatRequest> withdrawn;  // no longer eligible
  // Waiting requests now of another type of the family, or ranked otherwise,
  // each with the type it had before.
  std::vector<std::pair<v1::SeatRequest, v1::CourseType>> changed_requests;
  bool changed = false;                    // anything in the requests changed
};

// Brings the waiting requests in line with the learner's facts (see above).
RequestChanges ReconcileRequests(v1::LearnerRecord& learner, const EntitlementRules& rules, absl::CivilDay today,
                                 const RequestDefaults& defaults, const std::function<std::string()>& new_request_id);

struct SeatWish {
  CourseType type;
  int childcare_children = 0;
  bool evening_only = false;
  double max_km = 0;  // 0: the default
};

// An explicit request: the person must be eligible for the type, and have no
// open request of its family (ALREADY_EXISTS naming it).
absl::StatusOr<v1::SeatRequest> OpenRequest(v1::LearnerRecord& learner, const SeatWish& wish,
                                            const EntitlementRules& rules, absl::CivilDay today,
                                            const RequestDefaults& defaults, std::string request_id);

v1::SeatRequest* FindRequest(v1::LearnerRecord& learner, const std::string& request_id);

// A request's open offers: `offer`, then the courses offered beside it at
// once (`other_offers`; CourseSettings::offers_at_once).
std::vector<v1::Offer> OpenOffers(const v1::SeatRequest& request);
int OfferCount(const v1::SeatRequest& request);
// An open offer of the request, or null.
const v1::Offer* FindOffer(const v1::SeatRequest& request, const std::string& offer_id);
// The first offer becomes `offer`, further ones go beside it.
void AddOffer(v1::SeatRequest& request, v1::Offer offer);
// Removes the offer (the next takes `offer`'s place); true if the request had it.
bool RemoveOffer(v1::SeatRequest& request, const std::string& offer_id);
void ClearOffers(v1::SeatRequest& request);

// An offer of `course_id` was not taken. A declined course is not offered to
// the request again; a lapsed one is, once, to a seat nobody else is given
// (allocation.h: Pass): the answer may simply not have reached the district.
void NoteOfferNotTaken(v1::SeatRequest& request, const std::string& course_id, bool declined);

}  // namespace ankommen::courses
