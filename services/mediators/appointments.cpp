// The offices' requests and the booking's life: asked for, proposed (by the
// matcher), confirmed or another chosen with a reason, cancelled by either
// side, delivered or missed.
#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ankommen/mediators/v1/events.pb.h"
#include "bus/streams.h"
#include "convert.h"
#include "grpc/status.h"
#include "mediators.h"
#include "mediators_internal.h"
#include "store/command.h"
#include "store/ids.h"
#include "text/field_checks.h"

namespace ankommen::mediators {
namespace {

inline constexpr size_t kMaxReasonChars = 500;

bool Waiting(v1::RequestStatus s) {
  return s == v1::REQUEST_STATUS_OPEN || s == v1::REQUEST_STATUS_PROPOSED || s == v1::REQUEST_STATUS_UNFILLED;
}

}  // namespace

absl::Status Mediators::RequestMediator(const v1::RequestMediatorRequest& request, v1::RequestMediatorResponse& response,
                                        const RequestContext& rc) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!v.empty()) return v.ToStatus();
  v1::MediationRequest r = request.request();
  // What the service sets, whatever the office sent.
  for (auto clear : {&v1::MediationRequest::clear_request_id, &v1::MediationRequest::clear_requested_at,
                     &v1::MediationRequest::clear_status, &v1::MediationRequest::clear_proposed_mediator_id,
                     &v1::MediationRequest::clear_booked_mediator_id, &v1::MediationRequest::clear_unfilled_reason,
                     &v1::MediationRequest::clear_reason, &v1::MediationRequest::clear_minutes_delivered,
                     &v1::MediationRequest::clear_version, &v1::MediationRequest::clear_booked_at}) {
    (r.*clear)();
  }
  std::string household_id;
  if (!r.person_id().empty()) {
    if (!IsValidId(r.person_id(), kPersonIdPrefix)) return InvalidFields({{"request.person_id", "is no person id (p_…)"}});
    auto person = store_.LoadPerson(r.person_id());
    if (!person.ok()) return person.status();
    if (!person->has_value() || (*person)->record.erased()) {
      return absl::NotFoundError(absl::StrCat("request.person_id: the registry knows no person ", r.person_id()));
    }
    household_id = (*person)->record.household_id();
    // The office may name another language than the person's preferred one.
    if (r.language().empty()) r.set_language((*person)->record.preferred_language());
  }
  CheckText(v, "request.place_name", r.place_name(), /*required=*/false, kMaxReasonChars);
  if (!v.empty()) return v.ToStatus();
  const absl::Time now = clock_.Now();
  r.set_request_id("mreq_new");  // minted below; the rules want one
  if (auto read = RequestFromProto(r, household_id, now); !read.ok()) return read.status();
  r.set_office(rc.actor);
  r.mutable_requested_at()->set_seconds(absl::ToUnixSeconds(now));
  r.set_status(v1::REQUEST_STATUS_OPEN);
  // A person's requests live in the person's partition, listed there for an erasure.
  const int partition =
      r.person_id().empty() ? PartitionOfKey(request.idempotency_key()) : PartitionOfId(r.person_id());
  auto outcome = RunCommand(store_.outbox(), partition, "request", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    v1::RequestRecord record;
    v1::MediationRequest& saved = *record.mutable_request() = r;
    saved.set_request_id(NewId(kRequestIdPrefix, partition));
    saved.set_version(1);
    record.set_household_id(household_id);
    v1::MediationRequested e;
    *e.mutable_meta() = Meta(rc.correlation_id);
    e.set_request_id(saved.request_id());
    e.set_language(saved.language());
    e.set_social_area(saved.social_area());
    e.set_topic(saved.topic());
    e.set_urgent(saved.urgent());
    *e.mutable_start() = saved.start();
    Decision d;
    d.commit.aggregate_key = store_.RequestKey(saved.request_id());
    d.commit.state = record.SerializeAsString();
    d.commit.index_ops = store_.RequestIndexes(record);
    if (!saved.person_id().empty()) d.commit.index_ops.push_back(store_.PersonRequestIndex(saved.person_id(), saved.request_id()));
    d.commit.events = {ToOutgoing(streams::kMediationRequested, e)};
    d.record = saved.request_id();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  Changed(/*match=*/true);
  v1::GetMediationRequestRequest get;
  get.set_request_id(outcome->record);
  v1::GetMediationRequestResponse got;
  if (auto s = GetMediationRequest(get, got, rc); !s.ok()) return s;
  *response.mutable_request() = std::move(*got.mutable_request());
  return absl::OkStatus();
}

absl::Status Mediators::GetMediationRequest(const v1::GetMediationRequestRequest& request,
                                            v1::GetMediationRequestResponse& response, const RequestContext&) {
  if (!IsValidId(request.request_id(), kRequestIdPrefix)) {
    return InvalidFields({{"request_id", "is no request id (mreq_…)"}});
  }
  auto loaded = store_.LoadRequest(request.request_id());
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return absl::NotFoundError(absl::StrCat("request ", request.request_id(), " not found"));
  *response.mutable_request() = (*loaded)->record.request();
  return absl::OkStatus();
}

absl::Status Mediators::ListOpenRequests(const v1::ListOpenRequestsRequest& request,
                                         v1::ListOpenRequestsResponse& response, const RequestContext&) {
  Violations v;
  if (request.page_size() < 0 || request.page_size() > 500) v.Add("page_size", "must be 1 to 500 (0: 50)");
  size_t offset = 0;
  if (!request.page_token().empty() && !absl::SimpleAtoi(request.page_token(), &offset)) {
    v.Add("page_token", "is not a token this service gave");
  }
  if (!request.social_area().empty()) CheckSocialArea(v, "social_area", request.social_area());
  if (!v.empty()) return v.ToStatus();
  auto open = store_.LoadOpen();
  if (!open.ok()) return open.status();
  std::vector<const v1::MediationRequest*> matching;
  for (const auto& l : *open) {
    const auto& r = l.record.request();
    if (!request.language().empty() && r.language() != request.language()) continue;
    if (!request.social_area().empty() && r.social_area() != request.social_area()) continue;
    matching.push_back(&r);
  }
  // Oldest first: the office works down the list.
  std::stable_sort(matching.begin(), matching.end(), [](const auto* a, const auto* b) {
    if (a->requested_at().seconds() != b->requested_at().seconds()) {
      return a->requested_at().seconds() < b->requested_at().seconds();
    }
    return a->request_id() < b->request_id();
  });
  const size_t size = request.page_size() == 0 ? 50 : static_cast<size_t>(request.page_size());
  for (size_t i = offset; i < matching.size() && i < offset + size; ++i) *response.add_requests() = *matching[i];
  if (offset + size < matching.size()) response.set_next_page_token(absl::StrCat(offset + size));
  return absl::OkStatus();
}

absl::StatusOr<v1::MediationRequest> Mediators::Book(const char* scope, const google::protobuf::Message& request,
                                                     const std::string& idempotency_key, const std::string& request_id,
                                                     const std::string& mediator_id, const std::string& reason,
                                                     const RequestContext& rc) {
  auto mediator = LoadExistingMediator(mediator_id);
  if (!mediator.ok()) {
    return absl::IsNotFound(mediator.status())
               ? absl::FailedPreconditionError(absl::StrCat("mediator ", mediator_id, " is no longer in the pool"))
               : mediator.status();
  }
  const bool followed = reason.empty();
  const absl::Time now = clock_.Now();
  int64_t requested_at = 0;
  auto booked = ChangeRequest(scope, request, idempotency_key, request_id,
                              [&](v1::RequestRecord& record, std::vector<OutgoingEvent>& events) -> absl::Status {
    v1::MediationRequest& r = *record.mutable_request();
    if (followed && r.status() != v1::REQUEST_STATUS_PROPOSED) {
      return absl::FailedPreconditionError(absl::StrCat("request ", request_id, " has no proposal to confirm (",
                                                        EnumLabel(v1::RequestStatus_Name(r.status()), "REQUEST_STATUS_"), ")"));
    }
    if (!followed && !Waiting(r.status())) {
      return absl::FailedPreconditionError(absl::StrCat("request ", request_id, " is ",
                                                        EnumLabel(v1::RequestStatus_Name(r.status()), "REQUEST_STATUS_"),
                                                        ": cancel it before choosing another mediator"));
    }
    if (absl::FromUnixSeconds(r.start().seconds()) <= now) {
      return absl::FailedPreconditionError(absl::StrCat("request ", request_id, "'s appointment has begun"));
    }
    if (!followed) {
      // The office's own pick is held to the rules a proposal is: the
      // language, the mediator's week and bookings, reach, no relative.
      auto appointment = AppointmentOf(record);
      if (!appointment.ok()) return appointment.status();
      auto domain_mediator = MediatorOf(mediator->record);
      if (!domain_mediator.ok()) return domain_mediator.status();
      auto open = store_.LoadOpen();
      if (!open.ok()) return open.status();
      std::vector<LoadedRequest> others;
      for (const auto& o : *open) {
        if (o.record.request().request_id() != request_id) others.push_back(o);
      }
      auto bookings = BookingsFrom(now, others);
      if (!bookings.ok()) return bookings.status();
      appointment->passed_mediator_ids.clear();  // the office may ask one who declined before
      MatchSettings only = settings_.match;
      only.policy = "fcfs";
      auto match = Match({*domain_mediator}, *bookings, {*appointment}, now, only);
      if (!match.ok()) return match.status();
      if (match->proposals.empty()) {
        const Unfilled why = match->unfilled.empty() ? Unfilled::kNoOneFree : match->unfilled.front().second;
        return absl::FailedPreconditionError(absl::StrCat(
            "mediator ", mediator_id, " cannot take request ", request_id, ": ",
            why == Unfilled::kNoOneSpeaksIt ? "does not speak its language both ways"
                                            : "is not free then, out of reach, out of hours or related to the household"));
      }
    }
    r.set_status(v1::REQUEST_STATUS_BOOKED);
    r.set_booked_mediator_id(mediator_id);
    r.clear_proposed_mediator_id();
    r.clear_unfilled_reason();
    r.set_reason(reason);
    record.set_booked_at(absl::ToUnixSeconds(now));
    r.mutable_booked_at()->set_seconds(absl::ToUnixSeconds(now));
    record.set_booked_qualification(mediator->record.mediator().qualification());
    requested_at = r.requested_at().seconds();
    v1::MediatorBooked e;
    *e.mutable_meta() = Meta(rc.correlation_id);
    e.set_request_id(request_id);
    e.set_mediator_id(mediator_id);
    e.set_office(r.office());
    e.set_person_id(r.person_id());
    *e.mutable_start() = r.start();
    e.set_duration_minutes(r.duration_minutes());
    e.set_remote(r.remote());
    e.set_proposal_followed(followed);
    e.set_language(r.language());
    e.set_social_area(r.social_area());
    e.set_place_name(r.place_name());
    e.set_topic(r.topic());
    events.push_back(ToOutgoing(streams::kMediatorBooked, e));
    return absl::OkStatus();
  });
  if (!booked.ok()) return booked.status();
  if (requested_at > 0) {  // booked by this call, not a retry's replay
    instruments_->hours_to_fill_histogram.Observe(
        std::max(0.0, static_cast<double>(absl::ToUnixSeconds(now) - requested_at) / 3600.0));
    instruments_->booked_vec.With({EnumLabel(v1::Qualification_Name(mediator->record.mediator().qualification()),
                                             "QUALIFICATION_")})
        .Increment();
  }
  Changed(/*match=*/false);
  return booked;
}

absl::Status Mediators::ConfirmProposal(const v1::ConfirmProposalRequest& request, v1::ConfirmProposalResponse& response,
                                        const RequestContext& rc) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!v.empty()) return v.ToStatus();
  if (!IsValidId(request.request_id(), kRequestIdPrefix)) return InvalidFields({{"request_id", "is no request id (mreq_…)"}});
  auto current = store_.LoadRequest(request.request_id());
  if (!current.ok()) return current.status();
  if (!current->has_value()) return absl::NotFoundError(absl::StrCat("request ", request.request_id(), " not found"));
  const auto& r = (*current)->record.request();
  // A retry after the booking: the mediator it was booked with.
  const std::string mediator =
      r.status() == v1::REQUEST_STATUS_BOOKED ? r.booked_mediator_id() : r.proposed_mediator_id();
  if (mediator.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("request ", request.request_id(), " has no proposal to confirm"));
  }
  auto booked = Book("confirm", request, request.idempotency_key(), request.request_id(), mediator, "", rc);
  if (!booked.ok()) return booked.status();
  *response.mutable_request() = std::move(*booked);
  return absl::OkStatus();
}

absl::Status Mediators::ChooseMediator(const v1::ChooseMediatorRequest& request, v1::ChooseMediatorResponse& response,
                                       const RequestContext& rc) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!IsValidId(request.request_id(), kRequestIdPrefix)) v.Add("request_id", "is no request id (mreq_…)");
  if (!IsValidId(request.mediator_id(), kMediatorIdPrefix)) v.Add("mediator_id", "is no mediator id (med_…)");
  CheckText(v, "reason", request.reason(), /*required=*/true, kMaxReasonChars);
  if (!v.empty()) return v.ToStatus();
  auto booked = Book("choose", request, request.idempotency_key(), request.request_id(), request.mediator_id(),
                     request.reason(), rc);
  if (!booked.ok()) return booked.status();
  *response.mutable_request() = std::move(*booked);
  return absl::OkStatus();
}

absl::Status Mediators::CancelBooking(const v1::CancelBookingRequest& request, v1::CancelBookingResponse& response,
                                      const RequestContext& rc) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!IsValidId(request.request_id(), kRequestIdPrefix)) v.Add("request_id", "is no request id (mreq_…)");
  CheckEnum(v, "by", request.by(), v1::CancelledBy_IsValid, /*required=*/true);
  CheckText(v, "reason", request.reason(), /*required=*/true, kMaxReasonChars);
  if (!v.empty()) return v.ToStatus();
  const bool by_mediator = request.by() == v1::CANCELLED_BY_MEDIATOR;
  auto changed = ChangeRequest("cancel", request, request.idempotency_key(), request.request_id(),
                               [&](v1::RequestRecord& record, std::vector<OutgoingEvent>& events) -> absl::Status {
    v1::MediationRequest& r = *record.mutable_request();
    if (!Waiting(r.status()) && r.status() != v1::REQUEST_STATUS_BOOKED) {
      return absl::FailedPreconditionError(absl::StrCat("request ", r.request_id(), " is ",
                                                        EnumLabel(v1::RequestStatus_Name(r.status()), "REQUEST_STATUS_")));
    }
    if (by_mediator && r.status() != v1::REQUEST_STATUS_BOOKED) {
      return absl::FailedPreconditionError(absl::StrCat("request ", r.request_id(), " has no mediator booked to cancel"));
    }
    const std::string mediator = r.booked_mediator_id();
    if (by_mediator) {
      // The office still needs someone: matched again, without them.
      record.add_passed_mediator_ids(mediator);
      r.set_status(v1::REQUEST_STATUS_OPEN);
    } else {
      r.set_status(v1::REQUEST_STATUS_CANCELLED);
    }
    r.clear_booked_mediator_id();
    r.clear_proposed_mediator_id();
    r.clear_booked_at();
    r.set_reason(request.reason());
    events.push_back(BookingCancelled(r, mediator, request.by(), by_mediator, rc.correlation_id));
    return absl::OkStatus();
  });
  if (!changed.ok()) return changed.status();
  Changed(/*match=*/by_mediator);
  *response.mutable_request() = std::move(*changed);
  return absl::OkStatus();
}

absl::Status Mediators::RecordOutcome(const v1::RecordOutcomeRequest& request, v1::RecordOutcomeResponse& response,
                                      const RequestContext& rc) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!IsValidId(request.request_id(), kRequestIdPrefix)) v.Add("request_id", "is no request id (mreq_…)");
  CheckEnum(v, "outcome", request.outcome(), v1::Outcome_IsValid, /*required=*/true);
  const bool delivered = request.outcome() == v1::OUTCOME_DELIVERED;
  if (delivered && (request.minutes_delivered() < 1 || request.minutes_delivered() > 1440)) {
    v.Add("minutes_delivered", "must be 1 to 1440 when delivered");
  }
  if (!delivered && request.minutes_delivered() != 0) v.Add("minutes_delivered", "must be 0 for a no-show");
  if (!v.empty()) return v.ToStatus();
  const absl::Time now = clock_.Now();
  auto changed = ChangeRequest("outcome", request, request.idempotency_key(), request.request_id(),
                               [&](v1::RequestRecord& record, std::vector<OutgoingEvent>& events) -> absl::Status {
    v1::MediationRequest& r = *record.mutable_request();
    if (r.status() != v1::REQUEST_STATUS_BOOKED) {
      return absl::FailedPreconditionError(absl::StrCat("request ", r.request_id(), " is not booked"));
    }
    if (absl::FromUnixSeconds(r.start().seconds()) > now) {
      return absl::FailedPreconditionError(absl::StrCat("request ", r.request_id(), "'s appointment has not begun"));
    }
    r.set_status(delivered ? v1::REQUEST_STATUS_DELIVERED : v1::REQUEST_STATUS_NO_SHOW);
    r.set_minutes_delivered(request.minutes_delivered());
    r.set_reason(EnumLabel(v1::Outcome_Name(request.outcome()), "OUTCOME_"));
    v1::MediationCompleted e;
    *e.mutable_meta() = Meta(rc.correlation_id);
    e.set_request_id(r.request_id());
    e.set_mediator_id(r.booked_mediator_id());
    e.set_outcome(request.outcome());
    e.set_minutes_delivered(request.minutes_delivered());
    events.push_back(ToOutgoing(streams::kMediationCompleted, e));
    return absl::OkStatus();
  });
  if (!changed.ok()) return changed.status();
  Changed(/*match=*/false);
  *response.mutable_request() = std::move(*changed);
  return absl::OkStatus();
}

}  // namespace ankommen::mediators
