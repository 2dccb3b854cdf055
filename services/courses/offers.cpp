// Offers: accepted or declined by the person, and a request following its course's seat change.
#include "courses.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ankommen/courses/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "store/command.h"
#include "domain/course_rules.h"
#include "domain/events.h"
#include "domain/learner_rules.h"
#include "domain/validation.h"
#include "domain/waitlist.h"
#include "text/field_checks.h"
#include "store/ids.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "bus/streams.h"
#include "courses_internal.h"
#include "waiting_view.h"

namespace ankommen::courses {

namespace rv1 = ::ankommen::registry::v1;

// ---------------------------------------------------------------- offers

namespace {
// How long an acceptance holds its request against the acceptance of another
// of its offers: far longer than an acceptance takes (a command's retries and
// a replica's WAIT: seconds), and short enough that one cut short by a failure
// — the service stopped after claiming, or its offer withdrawn meanwhile, so
// that nobody retries it — blocks the other offer only briefly.
constexpr absl::Duration kAcceptanceClaim = absl::Seconds(30);
}  // namespace

absl::Status Courses::AcceptOffer(const v1::AcceptOfferRequest& request, v1::AcceptOfferResponse& response,
                                  const RequestContext& rc) {
  if (auto s = ValidateOfferAnswer(request.idempotency_key(), request.offer_id()); !s.ok()) return s;
  return DecideOnOffer(request.offer_id(), "accept", request, request.idempotency_key(), true, rc,
                       *response.mutable_request());
}

absl::Status Courses::DeclineOffer(const v1::DeclineOfferRequest& request, v1::DeclineOfferResponse& response,
                                   const RequestContext& rc) {
  if (auto s = ValidateOfferAnswer(request.idempotency_key(), request.offer_id()); !s.ok()) return s;
  return DecideOnOffer(request.offer_id(), "decline", request, request.idempotency_key(), false, rc,
                       *response.mutable_request());
}

absl::Status Courses::DecideOnOffer(const std::string& offer_id, const char* scope,
                                    const google::protobuf::Message& request, const std::string& idempotency_key,
                                    bool accept, const RequestContext& rc, v1::SeatRequest& answer) {
  auto course_id = store_.FindOfferCourse(offer_id);
  if (!course_id.ok()) return course_id.status();
  if (!course_id->has_value()) return absl::NotFoundError(absl::StrCat("offer ", offer_id, " not found"));
  v1::CourseType type = v1::COURSE_TYPE_UNSPECIFIED;
  std::string area;
  std::vector<v1::Hold> withdrawn;  // the course's last seat taken: the offers beyond it
  std::optional<Waits> waits;       // accepted: the two waits as BAMF counts them
  auto outcome = RunCommand(store_.outbox(), PartitionOfId(offer_id), scope, request, idempotency_key,
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadExistingCourse(**course_id);
    if (!loaded.ok()) return loaded.status();
    v1::CourseRecord record = std::move(loaded->record);
    const v1::Course& c = record.course();
    type = c.course_type();
    area = c.location().social_area();
    absl::StatusOr<v1::Hold> hold;
    if (accept) {
      auto accepted = Accept(record, offer_id, clock_.Now());
      if (!accepted.ok()) return accepted.status();
      // Enrolled in another course offered at the same time (its withdrawal
      // of this offer may not be through yet): one course per request.
      if (auto s = NotEnrolledElsewhere(accepted->hold, c.course_id()); !s.ok()) return s;
      // Two of its offers accepted at the same moment: both would pass that
      // check (neither is followed yet), so the first to claim the request goes on.
      if (auto s = ClaimRequest(accepted->hold); !s.ok()) return s;
      hold = std::move(accepted->hold);
      withdrawn = std::move(accepted->withdrawn);
    } else {
      hold = Release(record, offer_id);
      if (!hold.ok()) return hold.status();
    }
    NoteAnswer(record, accept);
    Decision d;
    d.commit.aggregate_key = store_.CourseKey(**course_id);
    d.commit.expected_version = loaded->version;
    d.commit.state = record.SerializeAsString();
    const auto closed = accept ? v1::OFFER_OUTCOME_ACCEPTED : v1::OFFER_OUTCOME_DECLINED;
    d.commit.events.push_back(OfferClosedEvent(*hold, c, closed, Meta(rc)));
    for (const auto& h : withdrawn) {
      d.commit.events.push_back(OfferWithdrawnEvent(h, c, v1::WITHDRAWAL_REASON_COURSE_FULL, Meta(rc)));
    }
    if (accept) {
      v1::EnrolmentStarted started;
      *started.mutable_meta() = Meta(rc);
      started.set_person_id(hold->person_id());
      started.set_course_id(c.course_id());
      started.set_course_type(c.course_type());
      started.set_start_date(c.start_date());
      started.set_course_title(c.title());
      absl::CivilDay asked;
      if (ParseIsoDate(hold->requested_on(), asked)) started.set_wait_days(static_cast<int32_t>(Today() - asked));
      waits = WaitsAtEnrolment(c.start_date(), hold->requested_on(), Today());
      if (waits) {
        started.set_waiting_time_days(waits->waiting_days);
        started.set_access_time_days(waits->access_days);
      }
      d.commit.events.push_back(ToOutgoing(streams::kEnrolmentStarted, started));
    }
    d.record = hold->SerializeAsString();  // ids only
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  v1::Hold hold;
  if (!hold.ParseFromString(outcome->record)) return absl::InternalError("answer is unreadable");
  // Accepted: the learner as the request stood before following the seat —
  // its social area for the waits' metrics, its other offers below.
  absl::StatusOr<std::optional<LoadedLearner>> learner = std::optional<LoadedLearner>();
  if (accept) learner = store_.LoadLearner(hold.person_id());
  if (!outcome->replayed) {
    CountOfferOutcome(type, accept ? "accepted" : "declined");
    for (size_t i = 0; i < withdrawn.size(); ++i) CountOfferOutcome(type, "withdrawn");
    if (accept && waits) {
      // By the learner's social area, as the waiting list counts them.
      const std::string learner_area =
          learner.ok() && learner->has_value() ? (*learner)->record.social_area() : area;
      instruments_->waiting_time_vec.With({TypeLabel(type), learner_area}, WaitBuckets()).Observe(waits->waiting_days);
      instruments_->access_time_vec.With({TypeLabel(type), learner_area}, WaitBuckets()).Observe(waits->access_days);
    }
    Changed(/*allocate=*/!accept || !withdrawn.empty());  // a declined seat is free; withdrawn people wait again
  }
  // The other courses offered at once, whose seats an acceptance gives back.
  std::vector<v1::Offer> others;
  if (accept) {
    if (!learner.ok()) return learner.status();
    const v1::SeatRequest* before =
        learner->has_value() ? FindRequest((*learner)->record, hold.request_id()) : nullptr;
    if (before != nullptr && before->status() == v1::REQUEST_STATUS_OFFERED) {
      for (const auto& o : OpenOffers(*before)) {
        if (o.offer_id() != offer_id) others.push_back(o);
      }
    }
  }
  // Also on a retry: the request follows the seat (idempotent). The requests
  // whose offers went with the last seat follow on the first run; should that
  // be cut short, the allocator's sweep finds them holding nothing and frees them
  // (and so the other offers' seats, should their withdrawal below be cut short).
  if (auto s = FollowHold(hold, accept ? HoldChange::kEnrolled : HoldChange::kDeclined, **course_id); !s.ok()) {
    return s;
  }
  for (const auto& o : others) {
    if (auto s = WithdrawOffer(o.course_id(), o.offer_id(), v1::WITHDRAWAL_REASON_ANOTHER_ACCEPTED, rc); !s.ok()) {
      return s;
    }
  }
  if (!outcome->replayed) {
    for (const auto& h : withdrawn) {
      if (auto s = FollowHold(h, HoldChange::kReleased, **course_id); !s.ok()) return s;
    }
  }
  auto current = CurrentRequest(hold.person_id(), hold.request_id());
  if (!current.ok()) return current.status();
  answer = std::move(*current);
  return absl::OkStatus();
}

absl::Status Courses::NotEnrolledElsewhere(const v1::Hold& hold, const std::string& course_id) {
  auto learner = store_.LoadLearner(hold.person_id());
  if (!learner.ok()) return learner.status();
  if (!learner->has_value()) return absl::OkStatus();
  v1::SeatRequest* r = FindRequest((*learner)->record, hold.request_id());
  if (r != nullptr && (r->status() == v1::REQUEST_STATUS_ENROLLED || r->status() == v1::REQUEST_STATUS_COMPLETED) &&
      r->course_id() != course_id) {
    return absl::FailedPreconditionError(absl::StrCat("offer ", hold.offer_id(),
                                                      " is no longer open: the request took course ", r->course_id(),
                                                      ", offered at the same time"));
  }
  return absl::OkStatus();
}

absl::Status Courses::ClaimRequest(const v1::Hold& hold) {
  const std::string& person_id = hold.person_id();
  const std::string& request_id = hold.request_id();
  auto being_accepted = [&hold](const std::string& other) {
    return absl::AbortedError(absl::StrCat("offer ", hold.offer_id(), " cannot be accepted now: offer ", other,
                                           " of the same request is being accepted; ask again in a minute"));
  };
  auto holder = store_.ClaimAcceptance(person_id, request_id, hold.offer_id(), kAcceptanceClaim);
  // The holder's acceptance may have been cut short after claiming (the
  // service stopped, or its offer went before it committed). Once its offer
  // is gone from its course it can never go through: the claim passes on
  // rather than keep this one waiting until it expires. Each round takes one
  // holder; a third offer claiming meanwhile is one more round at most.
  for (int round = 0; holder.ok() && !holder->empty() && round < 3; ++round) {
    const std::string other = *holder;
    auto course_id = store_.FindOfferCourse(other);
    if (!course_id.ok()) return course_id.status();
    if (course_id->has_value()) {
      auto loaded = store_.LoadCourse(**course_id);
      if (!loaded.ok()) return loaded.status();
      const v1::Hold* stands = nullptr;
      if (loaded->has_value()) {
        for (const auto& h : (*loaded)->record.holds()) {
          if (h.offer_id() == other) stands = &h;
        }
      }
      if (stands != nullptr && stands->state() == v1::Hold::STATE_ENROLLED) {
        return absl::FailedPreconditionError(absl::StrCat("offer ", hold.offer_id(),
                                                          " is no longer open: the request took course ", **course_id,
                                                          ", offered at the same time"));
      }
      if (stands != nullptr) return being_accepted(other);
    }
    holder = store_.TakeOverAcceptance(person_id, request_id, other, hold.offer_id(), kAcceptanceClaim);
  }
  if (!holder.ok()) return holder.status();
  if (!holder->empty()) return being_accepted(*holder);
  return absl::OkStatus();
}

absl::Status Courses::WithdrawOffer(const std::string& course_id, const std::string& offer_id,
                                    v1::WithdrawalReason reason, const RequestContext& rc) {
  v1::CourseType type = v1::COURSE_TYPE_UNSPECIFIED;
  bool withdrawn = false;
  auto s = ApplyChange(store_.outbox(), PartitionOfId(course_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
    withdrawn = false;
    auto loaded = store_.LoadCourse(course_id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) return std::optional<Commit>();
    v1::CourseRecord record = std::move((*loaded)->record);
    auto hold = Release(record, offer_id);
    if (!hold.ok()) return std::optional<Commit>();  // answered, lapsed or withdrawn meanwhile
    type = record.course().course_type();
    Commit c;
    c.aggregate_key = store_.CourseKey(course_id);
    c.expected_version = (*loaded)->version;
    c.state = record.SerializeAsString();
    c.events.push_back(OfferWithdrawnEvent(*hold, record.course(), reason, Meta(rc)));
    withdrawn = true;
    return std::optional<Commit>(std::move(c));
  });
  if (!s.ok()) return s;
  if (withdrawn) {
    CountOfferOutcome(type, "withdrawn");
    Changed(/*allocate=*/true);  // a seat is free again
  }
  return absl::OkStatus();
}

absl::Status Courses::FollowHold(const v1::Hold& hold, HoldChange change, const std::string& course_id,
                                 const std::string& reached_level) {
  const std::string& person_id = hold.person_id();
  bool opened_any = false;
  auto s = ApplyChange(store_.outbox(), PartitionOfId(person_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
    opened_any = false;
    auto loaded = store_.LoadLearner(person_id);
    if (!loaded.ok()) return loaded.status();
    const bool gone = !loaded->has_value() || (*loaded)->record.erased();
    v1::LearnerRecord learner = gone ? v1::LearnerRecord() : (*loaded)->record;
    v1::SeatRequest* r = gone ? nullptr : FindRequest(learner, hold.request_id());
    if (r == nullptr) {
      if (change == HoldChange::kOffered) return absl::FailedPreconditionError("the request is gone");
      return std::optional<Commit>();
    }
    const int64_t now = absl::ToUnixSeconds(clock_.Now());
    switch (change) {
      case HoldChange::kOffered: {
        const bool offered = r->status() == v1::REQUEST_STATUS_OFFERED;
        if (offered && FindOffer(*r, hold.offer_id()) != nullptr) return std::optional<Commit>();
        // Waiting; or offered fewer courses than it may hold at once.
        if (!(r->status() == v1::REQUEST_STATUS_WAITING ||
              (offered && OfferCount(*r) < std::max(1, settings_.offers_at_once)))) {
          return absl::FailedPreconditionError(absl::StrCat("the request is ", v1::RequestStatus_Name(r->status())));
        }
        r->set_status(v1::REQUEST_STATUS_OFFERED);
        v1::Offer offer;
        offer.set_offer_id(hold.offer_id());
        offer.set_course_id(course_id);
        *offer.mutable_offered_at() = ToTimestamp(hold.offered_at());
        *offer.mutable_deadline() = ToTimestamp(hold.deadline());
        AddOffer(*r, std::move(offer));
        break;
      }
      case HoldChange::kEnrolled:
        if (r->status() == v1::REQUEST_STATUS_ENROLLED && r->course_id() == course_id) return std::optional<Commit>();
        r->set_status(v1::REQUEST_STATUS_ENROLLED);
        r->set_course_id(course_id);
        ClearOffers(*r);  // the others' seats are withdrawn by who accepted (DecideOnOffer), or by the sweep
        break;
      case HoldChange::kDeclined:
      case HoldChange::kLapsed:
      case HoldChange::kReleased: {
        const bool offered = r->status() == v1::REQUEST_STATUS_OFFERED && FindOffer(*r, hold.offer_id()) != nullptr;
        if (!offered && !(r->status() == v1::REQUEST_STATUS_ENROLLED && r->course_id() == course_id)) {
          return std::optional<Commit>();
        }
        // Whether this course is offered again (HoldChange).
        if (offered && change != HoldChange::kReleased) NoteOfferNotTaken(*r, course_id, change == HoldChange::kDeclined);
        if (offered) RemoveOffer(*r, hold.offer_id());
        if (offered && OfferCount(*r) > 0) break;  // still offered the others
        // Back where it stood (requested_on is kept).
        r->set_status(v1::REQUEST_STATUS_WAITING);
        ClearOffers(*r);
        r->clear_course_id();
        break;
      }
      case HoldChange::kCompleted:
        if (r->status() != v1::REQUEST_STATUS_ENROLLED || r->course_id() != course_id) return std::optional<Commit>();
        r->set_status(v1::REQUEST_STATUS_COMPLETED);
        r->set_reached_level(reached_level);
        *r->mutable_closed_at() = ToTimestamp(now);
        break;
    }
    Commit commit;
    // A course completed below its goal opens what comes next at once: the
    // one repeat of an integration course, or job-related German after it.
    // A request back in line catches up with what changed while it was
    // offered (reconciling skips requests not waiting): another course type
    // of its family, its rank, the childcare its children need now.
    if (change == HoldChange::kCompleted || r->status() == v1::REQUEST_STATUS_WAITING) {
      auto next = ReconcileRequests(learner, settings_.rules, Today(), {MaxKmFor(learner.social_area())},
                                    [&] { return NewId(kRequestIdPrefix, PartitionOfId(person_id)); });
      commit.events = RequestChangeEvents(next, learner.social_area(),
                                          [&] { return EventMeta(NewEventId(), clock_.Now(), ""); });
      opened_any = !next.opened.empty();
    }
    commit.aggregate_key = store_.LearnerKey(person_id);
    commit.expected_version = (*loaded)->version;
    commit.state = learner.SerializeAsString();
    commit.index_ops = store_.LearnerIndex(&(*loaded)->record, learner);  // r != nullptr: not gone
    return std::optional<Commit>(std::move(commit));
  });
  if (s.ok() && opened_any) Changed(/*allocate=*/true);
  return s;
}

}  // namespace ankommen::courses
