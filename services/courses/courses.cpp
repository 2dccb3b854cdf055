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
#include "waiting_view.h"

namespace ankommen::courses {

namespace rv1 = ::ankommen::registry::v1;

struct CourseInstruments {
  explicit CourseInstruments(prometheus::Registry& r)
      : waitlist(prometheus::BuildGauge()
                     .Name("ankommen_course_waitlist_size")
                     .Help("Requests waiting for a course seat")
                     .Register(r)),
        oldest(prometheus::BuildGauge()
                   .Name("ankommen_course_oldest_request_age_days")
                   .Help("Days the longest-waiting request has waited")
                   .Register(r)),
        wait_days(prometheus::BuildHistogram()
                      .Name("ankommen_course_wait_days")
                      .Help("Days from request to enrolment")
                      .Register(r)),
        seats(prometheus::BuildGauge()
                  .Name("ankommen_course_seats")
                  .Help("Seats of courses taking participants, by state (free, offered, enrolled)")
                  .Register(r)),
        childcare(prometheus::BuildGauge()
                      .Name("ankommen_course_childcare_places")
                      .Help("Childcare places of courses taking participants, by state (free, in_use)")
                      .Register(r)),
        offers(prometheus::BuildCounter()
                   .Name("ankommen_course_offers_total")
                   .Help("Offers closed, by outcome (accepted, declined, expired, withdrawn)")
                   .Register(r)),
        waitlist_table(waitlist, {"course_type", "social_area"}),
        oldest_table(oldest, {"course_type", "social_area"}),
        wait_days_vec(wait_days, {"course_type", "social_area"}),
        seats_table(seats, {"course_type", "social_area", "state"}),
        childcare_table(childcare, {"social_area", "state"}),
        offers_vec(offers, {"course_type", "outcome"}) {}

  prometheus::Family<prometheus::Gauge>& waitlist;
  prometheus::Family<prometheus::Gauge>& oldest;
  prometheus::Family<prometheus::Histogram>& wait_days;
  prometheus::Family<prometheus::Gauge>& seats;
  prometheus::Family<prometheus::Gauge>& childcare;
  prometheus::Family<prometheus::Counter>& offers;
  GaugeTable waitlist_table;
  GaugeTable oldest_table;
  MetricVec<prometheus::Histogram> wait_days_vec;
  GaugeTable seats_table;
  GaugeTable childcare_table;
  MetricVec<prometheus::Counter> offers_vec;
};

namespace {

const prometheus::Histogram::BucketBoundaries& WaitBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {7, 14, 30, 60, 90, 120, 180, 270, 365, 540, 730};
  return kBuckets;
}

std::string TypeLabel(v1::CourseType type) { return CourseTypeName(ToCourseType(type)); }

google::protobuf::Timestamp ToTimestamp(int64_t unix_seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(unix_seconds);
  return t;
}

}  // namespace

Courses::Courses(CourseStore& store, const Clock& clock, absl::TimeZone zone, CourseSettings settings, Metrics& metrics)
    : store_(store),
      clock_(clock),
      zone_(zone),
      settings_(std::move(settings)),
      instruments_(std::make_unique<CourseInstruments>(metrics.registry())) {}

Courses::~Courses() = default;

std::string Courses::NewEventId() const { return NewId("ev", 0); }

ankommen::common::v1::EventMeta Courses::Meta(const RequestContext& rc) const {
  return EventMeta(NewEventId(), clock_.Now(), rc.correlation_id);
}

absl::StatusOr<LoadedCourse> Courses::LoadExistingCourse(const std::string& course_id) {
  auto loaded = store_.LoadCourse(course_id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return absl::NotFoundError(absl::StrCat("course ", course_id, " not found"));
  return std::move(**loaded);
}

void Courses::Changed(bool allocate) {
  if (allocate && on_demand_) on_demand_();
  if (on_change_) on_change_();
}

double Courses::MaxKmFor(const std::string& social_area) const {
  auto it = settings_.area_max_km.find(social_area);
  return it != settings_.area_max_km.end() ? it->second : settings_.default_max_km;
}

void Courses::CountOfferOutcome(v1::CourseType type, const char* outcome) {
  instruments_->offers_vec.With({TypeLabel(type), outcome}).Increment();
}


// ---------------------------------------------------------------- providers and courses

absl::Status Courses::CreateProvider(const v1::CreateProviderRequest& request, v1::CreateProviderResponse& response,
                                     const RequestContext&) {
  if (auto s = ValidateCreateProvider(request); !s.ok()) return s;
  const int partition = PartitionOfKey(request.idempotency_key());
  auto outcome = RunCommand(store_.outbox(), partition, "provider", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    v1::Provider provider = request.provider();
    provider.set_provider_id(NewId(kProviderIdPrefix, partition));
    Decision d;
    d.commit.aggregate_key = store_.ProviderKey(provider.provider_id());
    d.commit.state = provider.SerializeAsString();
    d.record = d.answer = d.commit.state;
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  if (!response.mutable_provider()->ParseFromString(outcome->replayed ? outcome->record : outcome->answer)) {
    return absl::InternalError("answer is unreadable");
  }
  return absl::OkStatus();
}

absl::Status Courses::RefreshCourseView(const std::string& course_id, v1::Course& course) {
  auto loaded = LoadExistingCourse(course_id);
  if (!loaded.ok()) return loaded.status();
  course = View(loaded->record);
  course.set_version(loaded->version);
  return absl::OkStatus();
}

absl::Status Courses::CreateCourse(const v1::CreateCourseRequest& request, v1::CreateCourseResponse& response,
                                   const RequestContext& rc) {
  if (auto s = ValidateCreateCourse(request, Today()); !s.ok()) return s;
  if (auto s = CheckActsForProvider(rc.roles, rc.provider_id, request.course().provider_id()); !s.ok()) return s;
  auto provider = store_.LoadProvider(request.course().provider_id());
  if (!provider.ok()) return provider.status();
  if (!provider->has_value()) {
    return absl::NotFoundError(absl::StrCat("provider ", request.course().provider_id(), " not found"));
  }
  const int partition = PartitionOfKey(request.idempotency_key());
  auto outcome = RunCommand(store_.outbox(), partition, "create", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    v1::CourseRecord record;
    v1::Course& c = *record.mutable_course() = request.course();
    c.set_course_id(NewId(kCourseIdPrefix, partition));
    if (!c.has_seats()) c.set_seats(DefaultSeats(c.course_type()));
    if (c.status() == v1::COURSE_STATUS_UNSPECIFIED) c.set_status(v1::COURSE_STATUS_OPEN);
    Decision d;
    d.commit.aggregate_key = store_.CourseKey(c.course_id());
    d.commit.state = record.SerializeAsString();
    d.commit.index_ops = {IndexOp::SortedAdd(store_.CourseIndexKey(partition), c.course_id())};
    d.record = c.course_id();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  if (auto s = RefreshCourseView(outcome->record, *response.mutable_course()); !s.ok()) return s;
  if (!outcome->replayed) Changed(/*allocate=*/true);  // new seats
  return absl::OkStatus();
}

namespace {

bool AllowedTransition(v1::CourseStatus from, v1::CourseStatus to) {
  if (from == to) return true;
  return (from == v1::COURSE_STATUS_PLANNED && (to == v1::COURSE_STATUS_OPEN || to == v1::COURSE_STATUS_RUNNING)) ||
         (from == v1::COURSE_STATUS_OPEN && to == v1::COURSE_STATUS_RUNNING);
}

}  // namespace

absl::Status Courses::UpdateCourse(const v1::UpdateCourseRequest& request, v1::UpdateCourseResponse& response,
                                   const RequestContext& rc) {
  if (auto s = ValidateUpdateCourse(request, Today()); !s.ok()) return s;
  const std::string& course_id = request.course_id();
  std::vector<v1::Hold> withdrawn;
  bool more_seats = false;
  auto outcome = RunCommand(store_.outbox(), PartitionOfId(course_id), "update", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadExistingCourse(course_id);
    if (!loaded.ok()) return loaded.status();
    if (auto s = CheckActsForProvider(rc.roles, rc.provider_id, loaded->record.course().provider_id()); !s.ok()) {
      return s;
    }
    v1::CourseRecord record = std::move(loaded->record);
    v1::Course& c = *record.mutable_course();
    if (!TakesParticipants(c.status())) {
      return absl::FailedPreconditionError(absl::StrCat("course ", course_id, " is ", v1::CourseStatus_Name(c.status()),
                                                        " and can no longer change"));
    }
    const int seats = request.has_seats() ? request.seats() : c.seats();
    const int childcare = request.has_childcare_places() ? request.childcare_places() : c.childcare_places();
    if (auto s = CheckSeats("seats", c.course_type(), seats); !s.ok()) return s;
    if (childcare > seats) {
      Violations v;
      v.Add("childcare_places", "may not exceed the seats");
      return v.ToStatus();
    }
    if (request.status() != v1::COURSE_STATUS_UNSPECIFIED && !AllowedTransition(c.status(), request.status())) {
      return absl::FailedPreconditionError(absl::StrCat("course ", course_id, " cannot go from ",
                                                        v1::CourseStatus_Name(c.status()), " to ",
                                                        v1::CourseStatus_Name(request.status())));
    }
    more_seats = seats > c.seats() || childcare > c.childcare_places();
    auto removed = ChangeCapacity(record, seats, childcare, request.withdraw_excess_offers());
    if (!removed.ok()) return removed.status();
    withdrawn = std::move(*removed);
    if (request.has_start_date()) c.set_start_date(request.start_date());
    if (request.schedule() != v1::SCHEDULE_UNSPECIFIED) c.set_schedule(request.schedule());
    if (request.status() != v1::COURSE_STATUS_UNSPECIFIED) c.set_status(request.status());
    Decision d;
    d.commit.aggregate_key = store_.CourseKey(course_id);
    d.commit.expected_version = loaded->version;
    d.commit.state = record.SerializeAsString();
    for (const auto& h : withdrawn) {
      d.commit.events.push_back(OfferClosedEvent(h, c, v1::OFFER_OUTCOME_WITHDRAWN, Meta(rc)));
    }
    v1::UpdateCourseResponse r;
    r.set_offers_withdrawn(static_cast<int32_t>(withdrawn.size()));
    d.record = r.SerializeAsString();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  if (!response.ParseFromString(outcome->record)) return absl::InternalError("answer is unreadable");
  for (const auto& h : withdrawn) {
    CountOfferOutcome(response.course().course_type(), "withdrawn");
    // Back into line where they stood; should this fail, the allocator's sweep repairs it.
    if (auto s = FollowHold(h, HoldChange::kReleased, course_id); !s.ok()) {
      log::Warn("follow_hold_failed", {{"offer_id", h.offer_id()}, {"error", s.message()}});
    }
  }
  if (auto s = RefreshCourseView(course_id, *response.mutable_course()); !s.ok()) return s;
  if (!outcome->replayed) Changed(more_seats || !withdrawn.empty());
  return absl::OkStatus();
}

absl::Status Courses::CancelCourse(const v1::CancelCourseRequest& request, v1::CancelCourseResponse& response,
                                   const RequestContext& rc) {
  if (auto s = ValidateCancelCourse(request); !s.ok()) return s;
  const std::string& course_id = request.course_id();
  std::vector<v1::Hold> released;
  auto outcome = RunCommand(store_.outbox(), PartitionOfId(course_id), "cancel", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadExistingCourse(course_id);
    if (!loaded.ok()) return loaded.status();
    if (auto s = CheckActsForProvider(rc.roles, rc.provider_id, loaded->record.course().provider_id()); !s.ok()) {
      return s;
    }
    v1::CourseRecord record = std::move(loaded->record);
    auto holds = Cancel(record);
    if (!holds.ok()) return holds.status();
    released = std::move(*holds);
    const v1::Course& c = record.course();
    Decision d;
    d.commit.aggregate_key = store_.CourseKey(course_id);
    d.commit.expected_version = loaded->version;
    d.commit.state = record.SerializeAsString();
    v1::CourseCancelled event;
    *event.mutable_meta() = Meta(rc);
    event.set_course_id(course_id);
    event.set_course_type(c.course_type());
    for (const auto& h : released) {
      event.add_returned_person_ids(h.person_id());
      if (h.state() == v1::Hold::STATE_OFFERED) {
        d.commit.events.push_back(OfferClosedEvent(h, c, v1::OFFER_OUTCOME_WITHDRAWN, Meta(rc)));
      }
    }
    d.commit.events.push_back(ToOutgoing(streams::kCourseCancelled, event));
    v1::CancelCourseResponse r;
    r.set_returned_to_waiting_list(static_cast<int32_t>(released.size()));
    d.record = r.SerializeAsString();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  if (!response.ParseFromString(outcome->record)) return absl::InternalError("answer is unreadable");
  for (const auto& h : released) {
    if (h.state() == v1::Hold::STATE_OFFERED) CountOfferOutcome(response.course().course_type(), "withdrawn");
    if (auto s = FollowHold(h, HoldChange::kReleased, course_id); !s.ok()) {
      log::Warn("follow_hold_failed", {{"offer_id", h.offer_id()}, {"error", s.message()}});
    }
  }
  if (auto s = RefreshCourseView(course_id, *response.mutable_course()); !s.ok()) return s;
  if (!outcome->replayed) Changed(!released.empty());
  log::Info("course_cancelled", {{"course_id", course_id}, {"returned", static_cast<int64_t>(released.size())},
                                 {"correlation_id", rc.correlation_id}});
  return absl::OkStatus();
}

absl::Status Courses::CompleteCourse(const v1::CompleteCourseRequest& request, v1::CompleteCourseResponse& response,
                                     const RequestContext& rc) {
  if (auto s = ValidateCompleteCourse(request); !s.ok()) return s;
  const std::string& course_id = request.course_id();
  std::vector<v1::Hold> participants, lapsed;
  v1::CourseType course_type = v1::COURSE_TYPE_UNSPECIFIED;
  auto outcome = RunCommand(store_.outbox(), PartitionOfId(course_id), "complete", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadExistingCourse(course_id);
    if (!loaded.ok()) return loaded.status();
    if (auto s = CheckActsForProvider(rc.roles, rc.provider_id, loaded->record.course().provider_id()); !s.ok()) {
      return s;
    }
    v1::CourseRecord record = std::move(loaded->record);
    std::vector<v1::ParticipantResult> results(request.results().begin(), request.results().end());
    auto open_offers = Complete(record, results);
    if (!open_offers.ok()) return open_offers.status();
    lapsed = std::move(*open_offers);
    course_type = record.course().course_type();
    participants.assign(record.holds().begin(), record.holds().end());
    Decision d;
    for (const auto& h : lapsed) {
      d.commit.events.push_back(OfferClosedEvent(h, record.course(), v1::OFFER_OUTCOME_WITHDRAWN, Meta(rc)));
    }
    d.commit.aggregate_key = store_.CourseKey(course_id);
    d.commit.expected_version = loaded->version;
    d.commit.state = record.SerializeAsString();
    v1::CourseCompleted event;
    *event.mutable_meta() = Meta(rc);
    event.set_course_id(course_id);
    event.set_course_type(record.course().course_type());
    for (const auto& r : results) *event.add_results() = r;
    d.commit.events.push_back(ToOutgoing(streams::kCourseCompleted, event));
    d.record = course_id;
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  for (const auto& h : participants) {
    std::string level;
    for (const auto& r : request.results()) {
      if (r.person_id() == h.person_id()) level = r.reached_level();
    }
    if (auto s = FollowHold(h, HoldChange::kCompleted, course_id, level); !s.ok()) {
      log::Warn("follow_hold_failed", {{"offer_id", h.offer_id()}, {"error", s.message()}});
    }
  }
  for (const auto& h : lapsed) {
    CountOfferOutcome(course_type, "withdrawn");
    if (auto s = FollowHold(h, HoldChange::kReleased, course_id); !s.ok()) {
      log::Warn("follow_hold_failed", {{"offer_id", h.offer_id()}, {"error", s.message()}});
    }
  }
  if (!outcome->replayed) Changed(/*allocate=*/!lapsed.empty());
  return RefreshCourseView(course_id, *response.mutable_course());
}

absl::Status Courses::GetCourse(const v1::GetCourseRequest& request, v1::GetCourseResponse& response,
                                const RequestContext&) {
  if (auto s = ValidateId("course_id", request.course_id(), kCourseIdPrefix); !s.ok()) return s;
  return RefreshCourseView(request.course_id(), *response.mutable_course());
}

namespace {

// Page tokens are offsets into a stable order: "o<N>".
absl::StatusOr<size_t> ParseOffsetToken(const std::string& token) {
  size_t offset = 0;
  if (token.empty()) return offset;
  if (token[0] != 'o' || !absl::SimpleAtoi(token.substr(1), &offset)) {
    return absl::InvalidArgumentError("page_token: is not a token this service gave out");
  }
  return offset;
}

template <typename T, typename Out>
std::string Page(std::vector<T>& items, size_t offset, int page_size, Out add) {
  const size_t size = page_size == 0 ? kDefaultPageSize : static_cast<size_t>(page_size);
  for (size_t i = offset; i < items.size() && i < offset + size; ++i) add(items[i]);
  return offset + size < items.size() ? absl::StrCat("o", offset + size) : "";
}

}  // namespace

absl::Status Courses::ListCourses(const v1::ListCoursesRequest& request, v1::ListCoursesResponse& response,
                                  const RequestContext&) {
  if (auto s = ValidateListCourses(request); !s.ok()) return s;
  auto offset = ParseOffsetToken(request.page_token());
  if (!offset.ok()) return offset.status();
  auto all = store_.LoadAllCourses();
  if (!all.ok()) return all.status();
  std::vector<v1::Course> courses;
  for (const auto& loaded : *all) {
    v1::Course c = View(loaded.record);
    c.set_version(loaded.version);
    if (request.course_type() != v1::COURSE_TYPE_UNSPECIFIED && c.course_type() != request.course_type()) continue;
    if (!request.social_area().empty() && c.location().social_area() != request.social_area()) continue;
    if (request.only_with_free_seats() && c.free_seats() == 0) continue;
    courses.push_back(std::move(c));
  }
  std::sort(courses.begin(), courses.end(), [](const v1::Course& a, const v1::Course& b) {
    return std::tie(a.start_date(), a.course_id()) < std::tie(b.start_date(), b.course_id());
  });
  response.set_next_page_token(
      Page(courses, *offset, request.page_size(), [&](v1::Course& c) { *response.add_courses() = std::move(c); }));
  return absl::OkStatus();
}

// ---------------------------------------------------------------- requests and the waiting list

absl::StatusOr<v1::SeatRequest> Courses::CurrentRequest(const std::string& person_id, const std::string& request_id) {
  auto loaded = store_.LoadLearner(person_id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value() || (*loaded)->record.erased()) {
    return absl::NotFoundError(absl::StrCat("person ", person_id, " is not known to the course service"));
  }
  v1::SeatRequest* r = FindRequest((*loaded)->record, request_id);
  if (r == nullptr) return absl::NotFoundError(absl::StrCat("request ", request_id, " not found"));
  if (r->status() != v1::REQUEST_STATUS_WAITING) return *r;  // place and estimate only while waiting
  auto view = WaitingView::Load(store_, Today());
  if (!view.ok()) return view.status();
  view->Annotate(*r);
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
    v1::LearnerRecord learner = std::move((*loaded)->record);
    SeatWish wish{ToCourseType(request.course_type()), request.childcare_children(), request.evening_only(),
                  request.max_km()};
    auto opened = OpenRequest(learner, wish, settings_.rules, Today(), {MaxKmFor(learner.social_area())},
                              NewId(kRequestIdPrefix, partition));
    if (!opened.ok()) return opened.status();
    Decision d;
    d.commit.aggregate_key = store_.LearnerKey(person_id);
    d.commit.expected_version = (*loaded)->version;
    d.commit.state = learner.SerializeAsString();
    d.commit.index_ops = {store_.ActiveIndex(learner)};
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
    v1::LearnerRecord learner = std::move((*loaded)->record);
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
    d.commit.index_ops = {store_.ActiveIndex(learner)};
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
  // Place in line and estimated seat date only for waiting requests: the view
  // of every waiting list is read only when there is one.
  const auto& requests = (*loaded)->record.requests();
  const bool waiting = std::any_of(requests.begin(), requests.end(),
                                   [](const v1::SeatRequest& r) { return r.status() == v1::REQUEST_STATUS_WAITING; });
  std::optional<WaitingView> view;
  if (waiting) {
    auto loaded_view = WaitingView::Load(store_, Today());
    if (!loaded_view.ok()) return loaded_view.status();
    view = std::move(*loaded_view);
  }
  for (auto& r : *(*loaded)->record.mutable_requests()) {
    if (view) {
      view->Annotate(r);
    } else {
      r.clear_place_in_line();
      r.clear_estimated_seat_date();
    }
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

// ---------------------------------------------------------------- offers

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
  auto outcome = RunCommand(store_.outbox(), PartitionOfId(offer_id), scope, request, idempotency_key,
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadExistingCourse(**course_id);
    if (!loaded.ok()) return loaded.status();
    v1::CourseRecord record = std::move(loaded->record);
    const v1::Course& c = record.course();
    type = c.course_type();
    area = c.location().social_area();
    auto hold = accept ? Accept(record, offer_id, clock_.Now()) : Release(record, offer_id);
    if (!hold.ok()) return hold.status();
    Decision d;
    d.commit.aggregate_key = store_.CourseKey(**course_id);
    d.commit.expected_version = loaded->version;
    d.commit.state = record.SerializeAsString();
    const auto closed = accept ? v1::OFFER_OUTCOME_ACCEPTED : v1::OFFER_OUTCOME_DECLINED;
    d.commit.events.push_back(OfferClosedEvent(*hold, c, closed, Meta(rc)));
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
      d.commit.events.push_back(ToOutgoing(streams::kEnrolmentStarted, started));
    }
    d.record = hold->SerializeAsString();  // ids only
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  v1::Hold hold;
  if (!hold.ParseFromString(outcome->record)) return absl::InternalError("answer is unreadable");
  if (!outcome->replayed) {
    CountOfferOutcome(type, accept ? "accepted" : "declined");
    absl::CivilDay asked;
    if (accept && ParseIsoDate(hold.requested_on(), asked)) {
      instruments_->wait_days_vec.With({TypeLabel(type), area}, WaitBuckets())
          .Observe(static_cast<double>(Today() - asked));
    }
    Changed(/*allocate=*/!accept);  // a declined seat is free
  }
  // Also on a retry: the request follows the seat (idempotent).
  if (auto s = FollowHold(hold, accept ? HoldChange::kEnrolled : HoldChange::kDeclined, **course_id); !s.ok()) {
    return s;
  }
  auto current = CurrentRequest(hold.person_id(), hold.request_id());
  if (!current.ok()) return current.status();
  answer = std::move(*current);
  return absl::OkStatus();
}

absl::Status Courses::FollowHold(const v1::Hold& hold, HoldChange change, const std::string& course_id,
                                 const std::string& reached_level) {
  const std::string& person_id = hold.person_id();
  return ApplyChange(store_.outbox(), PartitionOfId(person_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
    auto loaded = store_.LoadLearner(person_id);
    if (!loaded.ok()) return loaded.status();
    const bool gone = !loaded->has_value() || (*loaded)->record.erased();
    v1::LearnerRecord learner = gone ? v1::LearnerRecord() : std::move((*loaded)->record);
    v1::SeatRequest* r = gone ? nullptr : FindRequest(learner, hold.request_id());
    if (r == nullptr) {
      if (change == HoldChange::kOffered) return absl::FailedPreconditionError("the request is gone");
      return std::optional<Commit>();
    }
    const int64_t now = absl::ToUnixSeconds(clock_.Now());
    switch (change) {
      case HoldChange::kOffered:
        if (r->status() == v1::REQUEST_STATUS_OFFERED && r->offer().offer_id() == hold.offer_id()) {
          return std::optional<Commit>();
        }
        if (r->status() != v1::REQUEST_STATUS_WAITING) {
          return absl::FailedPreconditionError(absl::StrCat("the request is ", v1::RequestStatus_Name(r->status())));
        }
        r->set_status(v1::REQUEST_STATUS_OFFERED);
        r->mutable_offer()->set_offer_id(hold.offer_id());
        r->mutable_offer()->set_course_id(course_id);
        *r->mutable_offer()->mutable_offered_at() = ToTimestamp(hold.offered_at());
        *r->mutable_offer()->mutable_deadline() = ToTimestamp(hold.deadline());
        break;
      case HoldChange::kEnrolled:
        if (r->status() == v1::REQUEST_STATUS_ENROLLED && r->course_id() == course_id) return std::optional<Commit>();
        r->set_status(v1::REQUEST_STATUS_ENROLLED);
        r->set_course_id(course_id);
        r->clear_offer();
        break;
      case HoldChange::kDeclined:
      case HoldChange::kLapsed:
      case HoldChange::kReleased: {
        const bool holds_it = (r->status() == v1::REQUEST_STATUS_OFFERED && r->offer().offer_id() == hold.offer_id()) ||
                              (r->status() == v1::REQUEST_STATUS_ENROLLED && r->course_id() == course_id);
        if (!holds_it) return std::optional<Commit>();
        // Back where it stood (requested_on is kept); whether this course is offered again (HoldChange).
        if (r->status() == v1::REQUEST_STATUS_OFFERED && change != HoldChange::kReleased) {
          NoteOfferNotTaken(*r, course_id, change == HoldChange::kDeclined);
        }
        r->set_status(v1::REQUEST_STATUS_WAITING);
        r->clear_offer();
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
    commit.aggregate_key = store_.LearnerKey(person_id);
    commit.expected_version = (*loaded)->version;
    commit.state = learner.SerializeAsString();
    commit.index_ops = {store_.ActiveIndex(learner)};
    return std::optional<Commit>(std::move(commit));
  });
}

// ---------------------------------------------------------------- the registry's events

absl::Status Courses::ApplyFacts(const IncomingEvent& event, const std::string& person_id,
                                 const std::function<absl::Status(v1::LearnerRecord&, bool)>& change) {
  const int partition = PartitionOfId(person_id);
  bool opened_any = false;
  auto outcome = RunInbox(store_.outbox(), partition, absl::StrCat(event.event_id, "/", person_id),
                          [&]() -> absl::StatusOr<Decision> {
    auto loaded = store_.LoadLearner(person_id);
    if (!loaded.ok()) return loaded.status();
    const bool is_new = !loaded->has_value();
    v1::LearnerRecord learner = is_new ? v1::LearnerRecord() : std::move((*loaded)->record);
    if (learner.erased()) return absl::NotFoundError("erased");
    learner.set_person_id(person_id);
    if (auto s = change(learner, is_new); !s.ok()) return s;
    auto changes = ReconcileRequests(learner, settings_.rules, Today(), {MaxKmFor(learner.social_area())},
                                     [&] { return NewId(kRequestIdPrefix, partition); });
    opened_any = !changes.opened.empty();
    Decision d;
    d.commit.aggregate_key = store_.LearnerKey(person_id);
    d.commit.expected_version = is_new ? 0 : (*loaded)->version;
    d.commit.state = learner.SerializeAsString();
    d.commit.index_ops = {store_.ActiveIndex(learner)};
    if (!learner.household_id().empty()) {
      d.commit.index_ops.push_back(
          IndexOp::SortedAdd(store_.HouseholdKey(learner.household_id()), person_id));
    }
    for (const auto& r : changes.opened) {
      d.commit.events.push_back(SeatRequestedEvent(r, learner.social_area(), EventMeta(NewEventId(), clock_.Now(), "")));
    }
    for (const auto& r : changes.withdrawn) {
      d.commit.events.push_back(RequestWithdrawnEvent(r, EventMeta(NewEventId(), clock_.Now(), "")));
    }
    d.record = person_id;
    return d;
  });
  if (!outcome.ok()) {
    // A person the service does not follow (a child) or who was erased: nothing to do.
    if (absl::IsNotFound(outcome.status())) return absl::OkStatus();
    return outcome.status();
  }
  Changed(/*allocate=*/opened_any);
  return absl::OkStatus();
}

absl::Status Courses::EraseLearner(const std::string& person_id) {
  auto loaded = store_.LoadLearner(person_id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value() || (*loaded)->record.erased()) return absl::OkStatus();
  // First the seats the person holds (silently: no event names an erased person), then the learner.
  for (const auto& r : (*loaded)->record.requests()) {
    std::string course_id = r.status() == v1::REQUEST_STATUS_OFFERED ? r.offer().course_id() : r.course_id();
    if (course_id.empty() || !IsOpen(r.status())) continue;
    auto s = ApplyChange(store_.outbox(), PartitionOfId(course_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
      auto course = store_.LoadCourse(course_id);
      if (!course.ok()) return course.status();
      if (!course->has_value()) return std::optional<Commit>();
      v1::CourseRecord record = std::move((*course)->record);
      auto* holds = record.mutable_holds();
      auto before = holds->size();
      holds->erase(std::remove_if(holds->begin(), holds->end(),
                                  [&](const v1::Hold& h) { return h.person_id() == person_id; }),
                   holds->end());
      if (holds->size() == before) return std::optional<Commit>();
      Commit c;
      c.aggregate_key = store_.CourseKey(course_id);
      c.expected_version = (*course)->version;
      c.state = record.SerializeAsString();
      return std::optional<Commit>(std::move(c));
    });
    if (!s.ok()) return s;
  }
  return ApplyChange(store_.outbox(), PartitionOfId(person_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
    auto current = store_.LoadLearner(person_id);
    if (!current.ok()) return current.status();
    if (!current->has_value() || (*current)->record.erased()) return std::optional<Commit>();
    v1::LearnerRecord tombstone;
    tombstone.set_person_id(person_id);
    tombstone.set_erased(true);
    Commit c;
    c.aggregate_key = store_.LearnerKey(person_id);
    c.expected_version = (*current)->version;
    c.state = tombstone.SerializeAsString();
    c.erased_marker = true;
    c.index_ops = {store_.ActiveIndex(tombstone)};
    const auto& household = (*current)->record.household_id();
    if (!household.empty()) {
      c.index_ops.push_back(IndexOp::SortedRemove(store_.HouseholdKey(household), person_id));
    }
    return std::optional<Commit>(std::move(c));
  });
}

namespace {

void SetFacts(v1::LearnerRecord& l, const rv1::PersonFacts& f) {
  l.set_age_years(f.age_years());
  l.set_residence_status(f.residence_status());
  l.set_stay_prospect(f.stay_prospect());
  l.set_cefr_level(f.cefr_level());
  l.set_literate_latin(f.literate_latin());
  l.set_needs_childcare(f.needs().childcare());
  l.set_works_daytime(f.needs().works_daytime());
}

}  // namespace

absl::Status Courses::ApplyRegistryEvent(const IncomingEvent& event) {
  auto parse = [&](google::protobuf::Message& m) { return ParsePayload(event, m); };
  if (event.event_type == rv1::HouseholdRegistered::descriptor()->full_name()) {
    rv1::HouseholdRegistered e;
    if (auto s = parse(e); !s.ok()) return s;
    int young_children = 0;
    for (const auto& m : e.members()) {
      if (m.relation() == rv1::RELATION_CHILD && m.age_years() < 6) ++young_children;
    }
    for (const auto& m : e.members()) {
      if (m.age_years() < settings_.rules.adult_min_age) continue;  // school, not courses
      auto s = ApplyFacts(event, m.person_id(), [&](v1::LearnerRecord& l, bool) {
        SetFacts(l, m);
        l.set_household_id(e.household_id());
        l.set_municipality_ags(e.municipality_ags());
        l.set_social_area(e.social_area());
        *l.mutable_location() = e.approx_location();
        l.set_children_under_school_age(young_children);
        return absl::OkStatus();
      });
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
  auto known_only = [](bool is_new) {
    return is_new ? absl::NotFoundError("not followed") : absl::OkStatus();
  };
  if (event.event_type == rv1::PersonStatusChanged::descriptor()->full_name()) {
    rv1::PersonStatusChanged e;
    if (auto s = parse(e); !s.ok()) return s;
    return ApplyFacts(event, e.person_id(), [&](v1::LearnerRecord& l, bool is_new) {
      l.set_residence_status(e.residence_status());
      l.set_stay_prospect(e.stay_prospect());
      return known_only(is_new);
    });
  }
  if (event.event_type == rv1::PersonLevelRecorded::descriptor()->full_name()) {
    rv1::PersonLevelRecorded e;
    if (auto s = parse(e); !s.ok()) return s;
    return ApplyFacts(event, e.person_id(), [&](v1::LearnerRecord& l, bool is_new) {
      l.set_cefr_level(e.cefr_level());
      l.set_literate_latin(e.literate_latin());
      return known_only(is_new);
    });
  }
  if (event.event_type == rv1::HouseholdRelocated::descriptor()->full_name()) {
    rv1::HouseholdRelocated e;
    if (auto s = parse(e); !s.ok()) return s;
    if (!IsValidId(e.household_id(), "hh")) return absl::InvalidArgumentError("bad household id");
    auto members = store_.HouseholdMembers(e.household_id());
    if (!members.ok()) return members.status();
    for (const auto& person_id : *members) {
      auto s = ApplyFacts(event, person_id, [&](v1::LearnerRecord& l, bool is_new) {
        l.set_municipality_ags(e.municipality_ags());
        l.set_social_area(e.social_area());
        *l.mutable_location() = e.approx_location();
        return known_only(is_new);
      });
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
  // The case closed: its people no longer wait for courses; their requests
  // go and the seats they held or were offered are free again.
  if (event.event_type == rv1::HouseholdCaseClosed::descriptor()->full_name()) {
    rv1::HouseholdCaseClosed e;
    if (auto s = parse(e); !s.ok()) return s;
    for (const auto& person_id : e.person_ids()) {
      if (!IsValidId(person_id, kPersonIdPrefix)) return absl::InvalidArgumentError("bad person id");
      if (auto s = EraseLearner(person_id); !s.ok()) return s;
    }
    return absl::OkStatus();
  }
  // A record merged into another goes as an erased one does (PersonMerged
  // shares PersonErased's fields 1-3); the surviving record keeps its own.
  if (event.event_type == rv1::PersonErased::descriptor()->full_name() ||
      event.event_type == rv1::PersonMerged::descriptor()->full_name()) {
    rv1::PersonErased e;
    if (auto s = parse(e); !s.ok()) return s;
    if (!IsValidId(e.person_id(), kPersonIdPrefix)) return absl::InvalidArgumentError("bad person id");
    return EraseLearner(e.person_id());
  }
  return absl::OkStatus();  // an event this service does not need
}

// ---------------------------------------------------------------- gauges

absl::Status Courses::RefreshGauges() {
  auto courses = store_.LoadAllCourses();
  if (!courses.ok()) return courses.status();
  auto view = WaitingView::Load(store_, Today());
  if (!view.ok()) return view.status();
  std::map<std::vector<std::string>, double> waitlist, oldest, seats, childcare;
  for (const auto& [key, stats] : view->Stats()) {
    std::vector<std::string> labels = {TypeLabel(key.first), key.second};
    waitlist[labels] = stats.waiting;
    oldest[labels] = stats.oldest_days;
  }
  for (const auto& loaded : *courses) {
    const v1::Course c = View(loaded.record);
    if (!TakesParticipants(c.status())) continue;
    const std::string type = TypeLabel(c.course_type());
    const std::string& area = c.location().social_area();
    seats[{type, area, "free"}] += c.free_seats();
    seats[{type, area, "offered"}] += c.offered();
    seats[{type, area, "enrolled"}] += c.enrolled();
    childcare[{area, "free"}] += std::max(0, c.childcare_places() - c.childcare_in_use());
    childcare[{area, "in_use"}] += c.childcare_in_use();
  }
  instruments_->waitlist_table.Publish(waitlist);
  instruments_->oldest_table.Publish(oldest);
  instruments_->seats_table.Publish(seats);
  instruments_->childcare_table.Publish(childcare);
  return absl::OkStatus();
}

}  // namespace ankommen::courses
