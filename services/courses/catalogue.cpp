// Providers and courses: create, change, cancel, complete, read and list.
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
  if (auto s = ValidateCreateCourse(request, Today(), settings_.types); !s.ok()) return s;
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
    const CourseTypeRules& type = settings_.types.Of(c.course_type());
    if (!c.has_seats()) c.set_seats(type.default_seats);
    if (c.teaching_units() == 0) c.set_teaching_units(type.teaching_units);
    if (c.status() == v1::COURSE_STATUS_UNSPECIFIED) c.set_status(v1::COURSE_STATUS_OPEN);
    Decision d;
    d.commit.aggregate_key = store_.CourseKey(c.course_id());
    d.commit.state = record.SerializeAsString();
    d.commit.index_ops = store_.CourseIndex(c);
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
    if (auto s = CheckSeats("seats", c.course_type(), seats, settings_.types); !s.ok()) return s;
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
      d.commit.events.push_back(OfferWithdrawnEvent(h, c, v1::WITHDRAWAL_REASON_SEATS_REDUCED, Meta(rc)));
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
        d.commit.events.push_back(OfferWithdrawnEvent(h, c, v1::WITHDRAWAL_REASON_COURSE_CANCELLED, Meta(rc)));
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
      d.commit.events.push_back(OfferWithdrawnEvent(h, record.course(), v1::WITHDRAWAL_REASON_COURSE_ENDED, Meta(rc)));
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

}  // namespace ankommen::courses
