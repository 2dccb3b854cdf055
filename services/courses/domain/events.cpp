#include "domain/events.h"

#include "store/command.h"
#include "domain/course_rules.h"
#include "bus/streams.h"

namespace ankommen::courses {

ankommen::common::v1::EventMeta EventMeta(std::string event_id, absl::Time now, std::string correlation_id) {
  ankommen::common::v1::EventMeta meta;
  meta.set_event_id(std::move(event_id));
  meta.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(now));
  meta.set_correlation_id(std::move(correlation_id));
  meta.set_producer("courses");
  return meta;
}

OutgoingEvent SeatRequestedEvent(const v1::SeatRequest& r, const std::string& social_area,
                                 ankommen::common::v1::EventMeta meta) {
  v1::SeatRequested e;
  *e.mutable_meta() = std::move(meta);
  e.set_request_id(r.request_id());
  e.set_person_id(r.person_id());
  e.set_course_type(r.course_type());
  e.set_social_area(social_area);
  e.set_obliged(r.obliged());
  e.set_requested_on(r.requested_on());
  return ToOutgoing(streams::kSeatRequested, e);
}

OutgoingEvent RequestWithdrawnEvent(const v1::SeatRequest& r, ankommen::common::v1::EventMeta meta) {
  v1::RequestWithdrawn e;
  *e.mutable_meta() = std::move(meta);
  e.set_request_id(r.request_id());
  e.set_person_id(r.person_id());
  e.set_course_type(r.course_type());
  e.set_reason(r.reason());
  return ToOutgoing(streams::kRequestWithdrawn, e);
}

OutgoingEvent RequestChangedEvent(const v1::SeatRequest& r, v1::CourseType previous,
                                  ankommen::common::v1::EventMeta meta) {
  v1::RequestChanged e;
  *e.mutable_meta() = std::move(meta);
  e.set_request_id(r.request_id());
  e.set_person_id(r.person_id());
  e.set_course_type(r.course_type());
  e.set_previous_course_type(previous);
  e.set_obliged(r.obliged());
  e.set_admitted_if_free(r.admitted_if_free());
  return ToOutgoing(streams::kRequestChanged, e);
}

std::vector<OutgoingEvent> RequestChangeEvents(const RequestChanges& changes, const std::string& social_area,
                                               const std::function<ankommen::common::v1::EventMeta()>& meta) {
  std::vector<OutgoingEvent> events;
  for (const auto& r : changes.opened) events.push_back(SeatRequestedEvent(r, social_area, meta()));
  for (const auto& r : changes.withdrawn) events.push_back(RequestWithdrawnEvent(r, meta()));
  for (const auto& [r, previous] : changes.changed_requests) events.push_back(RequestChangedEvent(r, previous, meta()));
  return events;
}

OutgoingEvent SeatOfferedEvent(const v1::Hold& hold, const v1::Course& course, ankommen::common::v1::EventMeta meta,
                              bool beside_other_offers) {
  v1::SeatOffered e;
  *e.mutable_meta() = std::move(meta);
  e.set_offer_id(hold.offer_id());
  e.set_request_id(hold.request_id());
  e.set_person_id(hold.person_id());
  e.set_course_id(course.course_id());
  e.set_course_type(course.course_type());
  e.set_start_date(course.start_date());
  e.mutable_deadline()->set_seconds(hold.deadline());
  e.set_course_title(course.title().empty() ? CourseTypeName(ToCourseType(course.course_type())) : course.title());
  e.set_beside_other_offers(beside_other_offers);
  return ToOutgoing(streams::kSeatOffered, e);
}

namespace {

v1::OfferClosed OfferClosed(const v1::Hold& hold, const v1::Course& course, v1::OfferOutcome outcome,
                            ankommen::common::v1::EventMeta meta) {
  v1::OfferClosed e;
  *e.mutable_meta() = std::move(meta);
  e.set_offer_id(hold.offer_id());
  e.set_request_id(hold.request_id());
  e.set_person_id(hold.person_id());
  e.set_course_id(course.course_id());
  e.set_course_type(course.course_type());
  e.set_outcome(outcome);
  e.set_course_title(course.title().empty() ? CourseTypeName(ToCourseType(course.course_type())) : course.title());
  return e;
}

}  // namespace

OutgoingEvent OfferClosedEvent(const v1::Hold& hold, const v1::Course& course, v1::OfferOutcome outcome,
                               ankommen::common::v1::EventMeta meta) {
  v1::OfferClosed e = OfferClosed(hold, course, outcome, std::move(meta));
  const char* subject = streams::kOfferWithdrawn;
  if (outcome == v1::OFFER_OUTCOME_ACCEPTED) subject = streams::kOfferAccepted;
  if (outcome == v1::OFFER_OUTCOME_DECLINED) subject = streams::kOfferDeclined;
  if (outcome == v1::OFFER_OUTCOME_EXPIRED) subject = streams::kOfferExpired;
  return ToOutgoing(subject, e);
}

OutgoingEvent OfferWithdrawnEvent(const v1::Hold& hold, const v1::Course& course, v1::WithdrawalReason reason,
                                  ankommen::common::v1::EventMeta meta) {
  v1::OfferClosed e = OfferClosed(hold, course, v1::OFFER_OUTCOME_WITHDRAWN, std::move(meta));
  e.set_withdrawal_reason(reason);
  return ToOutgoing(streams::kOfferWithdrawn, e);
}

}  // namespace ankommen::courses
