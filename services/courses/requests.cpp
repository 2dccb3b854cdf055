// Seat requests and the waiting list: ask, withdraw, read a learner, list who waits.
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

// ---------------------------------------------------------------- requests and the waiting list

absl::StatusOr<v1::SeatRequest> Courses::CurrentRequest(const std::string& person_id, const std::string& request_id) {
  auto loaded = store_.LoadLearner(person_id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value() || (*loaded)->record.erased()) {
    return absl::NotFoundError(absl::StrCat("person ", person_id, " is not known to the course service"));
  }
  v1::SeatRequest* r = FindRequest((*loaded)->record, request_id);
  if (r == nullptr) return absl::NotFoundError(absl::StrCat("request ", request_id, " not found"));
  if (auto s = AnnotateFromLines(store_, (*loaded)->record.social_area(), Today(), *r); !s.ok()) return s;
  return *r;
}

absl::Status Courses::RequestSeat(const v1::RequestSeatRequest& request, v1::RequestSeatResponse& response,
                                  const RequestContext& rc) {
  if (auto s = ValidateRequestSeat(request); !s.ok()) return s;
  const std::string& person_id = request.person_id();
  const int partition = PartitionOfId(person_id);
  auto outcome = RunCommand(store_.outbox(), partition, "request", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = store_.LoadLearner(person_id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) {
      return absl::NotFoundError(absl::StrCat("person ", person_id,
                                              " is not known to the course service (the registry's events bring them)"));
    }
    v1::LearnerRecord learner = (*loaded)->record;
    SeatWish wish{ToCourseType(request.course_type()), request.childcare_children(), request.evening_only(),
                  request.max_km()};
    auto opened = OpenRequest(learner, wish, settings_.rules, Today(), {MaxKmFor(learner.social_area())},
                              NewId(kRequestIdPrefix, partition));
    if (!opened.ok()) return opened.status();
    Decision d;
    d.commit.aggregate_key = store_.LearnerKey(person_id);
    d.commit.expected_version = (*loaded)->version;
    d.commit.state = learner.SerializeAsString();
    d.commit.index_ops = store_.LearnerIndex(&(*loaded)->record, learner);
    d.commit.events.push_back(SeatRequestedEvent(*opened, learner.social_area(), Meta(rc)));
    d.record = opened->request_id();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  if (!outcome->replayed) Changed(/*allocate=*/true);
  auto current = CurrentRequest(person_id, outcome->record);
  if (!current.ok()) return current.status();
  *response.mutable_request() = std::move(*current);
  return absl::OkStatus();
}

absl::Status Courses::WithdrawRequest(const v1::WithdrawRequestRequest& request,
                                      v1::WithdrawRequestResponse& response, const RequestContext& rc) {
  if (auto s = ValidateWithdrawRequest(request); !s.ok()) return s;
  const std::string& person_id = request.person_id();
  auto outcome = RunCommand(store_.outbox(), PartitionOfId(person_id), "withdraw", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = store_.LoadLearner(person_id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) return absl::NotFoundError(absl::StrCat("person ", person_id, " not found"));
    v1::LearnerRecord learner = (*loaded)->record;
    v1::SeatRequest* r = FindRequest(learner, request.request_id());
    if (r == nullptr) return absl::NotFoundError(absl::StrCat("request ", request.request_id(), " not found"));
    if (r->status() != v1::REQUEST_STATUS_WAITING) {
      return absl::FailedPreconditionError(absl::StrCat(
          "only a waiting request can be withdrawn; this one is ", v1::RequestStatus_Name(r->status()),
          r->status() == v1::REQUEST_STATUS_OFFERED ? " (decline the offer first)" : ""));
    }
    r->set_status(v1::REQUEST_STATUS_WITHDRAWN);
    r->set_reason("withdrawn on request");
    *r->mutable_closed_at() = ToTimestamp(absl::ToUnixSeconds(clock_.Now()));
    Decision d;
    d.commit.aggregate_key = store_.LearnerKey(person_id);
    d.commit.expected_version = (*loaded)->version;
    d.commit.state = learner.SerializeAsString();
    d.commit.index_ops = store_.LearnerIndex(&(*loaded)->record, learner);
    d.commit.events.push_back(RequestWithdrawnEvent(*r, Meta(rc)));
    d.record = r->request_id();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  if (!outcome->replayed) Changed(/*allocate=*/false);
  auto current = CurrentRequest(person_id, outcome->record);
  if (!current.ok()) return current.status();
  *response.mutable_request() = std::move(*current);
  return absl::OkStatus();
}

absl::Status Courses::GetLearner(const v1::GetLearnerRequest& request, v1::GetLearnerResponse& response,
                                 const RequestContext&) {
  if (auto s = ValidateId("person_id", request.person_id(), kPersonIdPrefix); !s.ok()) return s;
  auto loaded = store_.LoadLearner(request.person_id());
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value() || (*loaded)->record.erased()) {
    return absl::NotFoundError(absl::StrCat("person ", request.person_id(), " is not known to the course service"));
  }
  response.set_person_id(request.person_id());
  response.set_social_area((*loaded)->record.social_area());
  // Place in line and estimated seat date for the waiting requests, each from its line.
  const std::string area = (*loaded)->record.social_area();
  for (auto& r : *(*loaded)->record.mutable_requests()) {
    if (auto s = AnnotateFromLines(store_, area, Today(), r); !s.ok()) return s;
    *response.add_requests() = std::move(r);
  }
  return absl::OkStatus();
}

absl::Status Courses::ListWaitingList(const v1::ListWaitingListRequest& request,
                                      v1::ListWaitingListResponse& response, const RequestContext&) {
  if (auto s = ValidateListWaitingList(request); !s.ok()) return s;
  auto offset = ParseOffsetToken(request.page_token());
  if (!offset.ok()) return offset.status();
  auto view = WaitingView::Load(store_, Today());
  if (!view.ok()) return view.status();
  std::vector<v1::SeatRequest> line = view->Line(request.course_type(), request.social_area());
  response.set_total(static_cast<int32_t>(line.size()));
  response.set_next_page_token(Page(line, *offset, request.page_size(),
                                    [&](v1::SeatRequest& r) { *response.add_requests() = std::move(r); }));
  return absl::OkStatus();
}

}  // namespace ankommen::courses
