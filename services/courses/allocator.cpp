#include "allocator.h"

#include <algorithm>
#include <functional>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "store/command.h"
#include "domain/allocation.h"
#include "domain/course_rules.h"
#include "domain/events.h"
#include "domain/learner_rules.h"
#include "text/field_checks.h"
#include "store/ids.h"
#include "observability/log.h"
#include "solver.h"
#include "text/utf8.h"

namespace ankommen::courses {
namespace {

absl::Status Fenced(const v1::CourseRecord& record, int64_t fence) {
  if (record.fence() > fence) {
    return absl::AbortedError("the allocation lease moved to another replica; this run stops");
  }
  return absl::OkStatus();
}

Schedule ToSchedule(v1::Schedule s) {
  switch (s) {
    case v1::SCHEDULE_AFTERNOON: return Schedule::kAfternoon;
    case v1::SCHEDULE_EVENING: return Schedule::kEvening;
    default: return Schedule::kMorning;
  }
}

ankommen::common::v1::EventMeta Meta(const Courses& courses) {
  return EventMeta(courses.NewEventId(), courses.clock().Now(), "");
}

}  // namespace

Allocator::Allocator(Courses& courses, std::string holder, AllocatorOptions options)
    : LeasedRunner(courses.store().outbox().redis(), courses.store().keys(), "allocation", std::move(holder), options,
                   [&courses] { return courses.RefreshGauges(); }),
      courses_(courses) {}

absl::StatusOr<v1::RunAllocationResponse> Allocator::RunOnce(const std::string& policy) {
  if (!policy.empty() && policy != "fcfs" && policy != "optimal") {
    return absl::InvalidArgumentError(
        absl::StrCat("policy: must be \"optimal\" or \"fcfs\", not \"", BoundUtf8(policy, 128), "\""));
  }
  return WithLease<v1::RunAllocationResponse>([&](int64_t fence) -> absl::StatusOr<v1::RunAllocationResponse> {
    v1::RunAllocationResponse report;
    if (auto s = Sweep(fence, report); !s.ok()) return s;
    if (auto s = Allocate(fence, policy.empty() ? courses_.settings().policy : policy, report); !s.ok()) return s;
    if (report.offers_made() > 0 || report.offers_expired() > 0) {
      log::Info("allocation_run", {{"waiting", report.waiting()}, {"offers_made", report.offers_made()},
                                   {"offers_expired", report.offers_expired()}, {"solver", report.solver()},
                                   {"total_km", report.total_km()}});
    }
    return report;
  });
}

absl::Status Allocator::ReleaseOffer(const std::string& course_id, const v1::Hold& hold, int64_t fence,
                                     v1::OfferOutcome outcome) {
  CourseStore& store = courses_.store();
  bool released = false;
  v1::CourseType type = v1::COURSE_TYPE_UNSPECIFIED;
  auto s = ApplyChange(store.outbox(), PartitionOfId(course_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
    auto loaded = store.LoadCourse(course_id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) return std::optional<Commit>();
    v1::CourseRecord record = std::move((*loaded)->record);
    if (auto f = Fenced(record, fence); !f.ok()) return f;
    auto gone = Release(record, hold.offer_id());
    if (!gone.ok()) return std::optional<Commit>();  // answered or released meanwhile
    record.set_fence(fence);
    if (outcome == v1::OFFER_OUTCOME_EXPIRED) NoteAnswer(record, /*taken=*/false);
    type = record.course().course_type();
    Commit c;
    c.aggregate_key = store.CourseKey(course_id);
    c.expected_version = (*loaded)->version;
    c.state = record.SerializeAsString();
    // Only a request gone meanwhile has its offer withdrawn here.
    c.events.push_back(outcome == v1::OFFER_OUTCOME_WITHDRAWN
                           ? OfferWithdrawnEvent(hold, record.course(), v1::WITHDRAWAL_REASON_REQUEST_CLOSED,
                                                 Meta(courses_))
                           : OfferClosedEvent(hold, record.course(), outcome, Meta(courses_)));
    released = true;
    return std::optional<Commit>(std::move(c));
  });
  if (!s.ok()) return s;
  if (released) {
    courses_.CountOfferOutcome(type, outcome == v1::OFFER_OUTCOME_EXPIRED ? "expired" : "withdrawn");
  }
  return courses_.FollowHold(hold, outcome == v1::OFFER_OUTCOME_EXPIRED ? HoldChange::kLapsed : HoldChange::kReleased,
                             course_id);
}

absl::Status Allocator::Sweep(int64_t fence, v1::RunAllocationResponse& report) {
  CourseStore& store = courses_.store();
  auto all_courses = store.LoadAllCourses();
  if (!all_courses.ok()) return all_courses.status();
  // Learners an older replica committed without the waiting and holding sets
  // (during a rolling update) are indexed again, now and then.
  if (absl::Now() >= next_set_check_) {
    auto repaired = store.RepairSets();
    if (!repaired.ok()) return repaired.status();
    if (*repaired > 0) log::Warn("learner_sets_repaired", {{"learners", static_cast<int64_t>(*repaired)}});
    next_set_check_ = absl::Now() + kSetCheckPeriod;
  }
  // Only learners offered a seat or enrolled can hold one: a request a course
  // holds that is not among them is followed (or its seat released) below.
  auto learners = store.LoadHoldingLearners();
  if (!learners.ok()) return learners.status();
  const absl::Time now = courses_.clock().Now();
  // What each open request says it holds: its offers' seats, or its enrolment's.
  struct Held {
    v1::RequestStatus status;
    std::string person_id, course_id;
    std::vector<v1::Offer> offers;
  };
  std::unordered_map<std::string, Held> requests;
  for (const auto& l : *learners) {
    for (const auto& r : l.record.requests()) {
      requests[r.request_id()] = {r.status(), l.record.person_id(), r.course_id(), OpenOffers(r)};
    }
  }
  // What the courses hold: offers by id, enrolments by request.
  std::unordered_set<std::string> offers_held, enrolments_held;
  for (const auto& c : *all_courses) {
    const std::string& course_id = c.record.course().course_id();
    for (const auto& h : ExpiredOffers(c.record, now)) {
      if (auto s = ReleaseOffer(course_id, h, fence, v1::OFFER_OUTCOME_EXPIRED); !s.ok()) return s;
      report.set_offers_expired(report.offers_expired() + 1);
    }
    if (c.record.course().status() == v1::COURSE_STATUS_COMPLETED) continue;  // its people completed
    for (const auto& h : c.record.holds()) {
      const bool offered = h.state() == v1::Hold::STATE_OFFERED;
      if (offered && absl::ToUnixSeconds(now) > h.deadline()) continue;  // released above
      (offered ? offers_held : enrolments_held).insert(offered ? h.offer_id() : h.request_id());
      auto it = requests.find(h.request_id());
      const bool in_line =
          it != requests.end() &&
          (offered ? it->second.status == v1::REQUEST_STATUS_OFFERED &&
                         std::any_of(it->second.offers.begin(), it->second.offers.end(),
                                     [&](const v1::Offer& o) { return o.offer_id() == h.offer_id(); })
                   : it->second.status == v1::REQUEST_STATUS_ENROLLED && it->second.course_id == course_id);
      if (in_line) continue;
      // The request missed the second step of this seat change: it follows now.
      auto s = courses_.FollowHold(h, offered ? HoldChange::kOffered : HoldChange::kEnrolled, course_id);
      // The request was withdrawn, erased or enrolled elsewhere meanwhile: the seat goes back.
      if (absl::IsFailedPrecondition(s) && offered) s = ReleaseOffer(course_id, h, fence, v1::OFFER_OUTCOME_WITHDRAWN);
      if (!s.ok()) return s;
    }
  }
  // Requests that think they hold a seat no course holds for them (released, but they missed it).
  for (const auto& [request_id, held] : requests) {
    std::vector<std::pair<std::string, std::string>> ghosts;  // offer id, course
    if (held.status == v1::REQUEST_STATUS_OFFERED) {
      for (const auto& o : held.offers) {
        if (!offers_held.contains(o.offer_id())) ghosts.emplace_back(o.offer_id(), o.course_id());
      }
    } else if (held.status == v1::REQUEST_STATUS_ENROLLED && !enrolments_held.contains(request_id)) {
      ghosts.emplace_back("", held.course_id);
    }
    for (const auto& [offer_id, course_id] : ghosts) {
      auto course = store.LoadCourse(course_id);
      if (!course.ok()) return course.status();
      // A completed course keeps its enrolments: those are not ghosts.
      if (course->has_value() && (*course)->record.course().status() == v1::COURSE_STATUS_COMPLETED) continue;
      v1::Hold ghost;
      ghost.set_offer_id(offer_id);
      ghost.set_request_id(request_id);
      ghost.set_person_id(held.person_id);
      if (auto s = courses_.FollowHold(ghost, HoldChange::kReleased, course_id); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> Allocator::MakeOffer(int64_t fence, const WaitingRequest& w, const CourseSeats& course, Pass pass,
                                          absl::Time now) {
  CourseStore& store = courses_.store();
  const CourseSettings& settings = courses_.settings();
  const absl::CivilDay last_day =
      pass == Pass::kLapsedAgain
          ? SecondAnswerBy(courses_.Today(), course.start + settings.late_entry_days, settings.answer_days)
          : AnswerBy(courses_.Today(), course.start, settings.answer_days, settings.min_answer_days);
  // The end of the last day to answer, in the district's time zone.
  const int64_t deadline = absl::ToUnixSeconds(absl::FromCivil(last_day + 1, courses_.zone())) - 1;
  v1::Hold hold;
  hold.set_offer_id(NewId(kOfferIdPrefix, PartitionOfId(course.course_id)));
  hold.set_request_id(w.request.request_id);
  hold.set_person_id(w.request.person_id);
  hold.set_state(v1::Hold::STATE_OFFERED);
  hold.set_childcare(w.request.childcare_children);
  hold.set_offered_at(absl::ToUnixSeconds(now));
  hold.set_deadline(deadline);
  hold.set_requested_on(FormatIsoDate(w.request.requested_on));
  bool made = false;
  auto s = ApplyChange(store.outbox(), PartitionOfId(course.course_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
    auto loaded = store.LoadCourse(course.course_id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) return std::optional<Commit>();
    v1::CourseRecord record = std::move((*loaded)->record);
    if (auto f = Fenced(record, fence); !f.ok()) return f;
    // Full meanwhile (seats cut, a concurrent change): the next run places this request.
    if (!AddOffer(record, hold, course.acceptance).ok()) return std::optional<Commit>();
    record.set_fence(fence);
    Commit c;
    c.aggregate_key = store.CourseKey(course.course_id);
    c.expected_version = (*loaded)->version;
    c.state = record.SerializeAsString();
    c.index_ops = {IndexOp::Set(store.OfferKey(hold.offer_id()), course.course_id)};
    c.events.push_back(SeatOfferedEvent(hold, record.course(), Meta(courses_), w.offers_open > 0));
    made = true;
    return std::optional<Commit>(std::move(c));
  });
  if (!s.ok()) return s;
  if (!made) return false;
  auto followed = courses_.FollowHold(hold, HoldChange::kOffered, course.course_id);
  if (absl::IsFailedPrecondition(followed)) {
    // The request was withdrawn or erased since the run read it.
    followed = ReleaseOffer(course.course_id, hold, fence, v1::OFFER_OUTCOME_WITHDRAWN);
  }
  if (!followed.ok()) return followed;
  return true;  // made (and, for a request gone meanwhile, withdrawn again)
}

absl::Status Allocator::Allocate(int64_t fence, const std::string& policy, v1::RunAllocationResponse& report) {
  CourseStore& store = courses_.store();
  auto all_courses = store.LoadAllCourses();
  if (!all_courses.ok()) return all_courses.status();
  // The share of offers taken per course type, over every course's answers
  // (completed ones too: the district's history).
  const bool overbook = courses_.settings().overbook && policy != "fcfs";
  std::map<v1::CourseType, std::pair<int, int>> answers;  // accepted, not taken
  for (const auto& c : *all_courses) {
    auto& [accepted, not_taken] = answers[c.record.course().course_type()];
    accepted += c.record.offers_accepted();
    not_taken += c.record.offers_not_taken();
  }
  std::vector<CourseSeats> seats;
  for (const auto& c : *all_courses) {
    const v1::Course course = View(c.record);
    if (!TakesParticipants(course.status())) continue;
    const auto& [accepted, not_taken] = answers[course.course_type()];
    const double acceptance = overbook ? Acceptance(accepted, not_taken) : 1.0;
    const int free = HoldLimit(course.seats(), course.enrolled(), acceptance) - course.enrolled() - course.offered();
    if (free <= 0) continue;
    const auto& coords = course.location().coordinates();
    absl::CivilDay start = courses_.Today();
    ParseIsoDate(course.start_date(), start);
    // Too far along for a newcomer to join.
    if (start + courses_.settings().late_entry_days < courses_.Today()) continue;
    seats.push_back({course.course_id(), ToCourseType(course.course_type()), {coords.lat(), coords.lon()},
                     course.location().social_area(), ToSchedule(course.schedule()), free, acceptance,
                     std::max(0, course.childcare_places() - course.childcare_in_use()), start});
  }
  if (seats.empty()) {  // nothing to offer: who waits is only counted, from the lines
    auto lines = store.SummariseLines();
    if (!lines.ok()) return lines.status();
    int waiting = 0;
    for (const auto& [line, summary] : *lines) waiting += summary.waiting;
    report.set_waiting(waiting);
    return absl::OkStatus();
  }

  auto learners = store.LoadWaitingLearners();
  if (!learners.ok()) return learners.status();
  auto asking_of = [&](const v1::LearnerRecord& l, const v1::SeatRequest& r) {
    WaitingRequest w;
    w.request = ToRequest(r);
    w.home = {l.location().lat(), l.location().lon()};
    w.max_km = r.max_km() > 0 ? r.max_km() : courses_.MaxKmFor(l.social_area());
    w.passed_course_ids.assign(r.passed_course_ids().begin(), r.passed_course_ids().end());
    w.lapsed_course_ids.assign(r.lapsed_course_ids().begin(), r.lapsed_course_ids().end());
    return w;
  };
  std::vector<WaitingRequest> waiting;
  for (const auto& l : *learners) {
    for (const auto& r : l.record.requests()) {
      if (r.status() == v1::REQUEST_STATUS_WAITING) waiting.push_back(asking_of(l.record, r));
    }
  }
  report.set_waiting(static_cast<int32_t>(waiting.size()));

  const absl::Time now = courses_.clock().Now();
  auto place = [&](std::vector<WaitingRequest>& asking, Pass pass,
                   const std::function<void(size_t)>& offered) -> absl::Status {
    placement::Problem problem = BuildAllocationProblem(asking, seats, courses_.Today(), pass);
    std::string solver_name = policy == "fcfs" ? "fcfs" : std::string(placement::ChooseSolver(problem));
    auto solver = placement::MakeSolver(solver_name);
    if (!solver.ok()) return solver.status();
    auto solution = (*solver)->Solve(problem);
    if (!solution.ok()) return solution.status();
    if (report.solver().empty()) report.set_solver(solution->solver);
    for (const auto& p : solution->placements) {
      if (p.place < 0) continue;
      const WaitingRequest& w = asking[static_cast<size_t>(p.demand)];
      CourseSeats& course = seats[static_cast<size_t>(p.place)];
      auto made = MakeOffer(fence, w, course, pass, now);
      if (!made.ok()) return made.status();
      if (!*made) continue;
      offered(static_cast<size_t>(p.demand));
      course.free_seats -= 1;
      course.free_childcare -= w.request.childcare_children;
      report.set_offers_made(report.offers_made() + 1);
      report.set_total_km(report.total_km() + p.reason.km);
    }
    return absl::OkStatus();
  };
  // Those entitled or obliged first; then, to the seats left free, those
  // § 44 (4) admits only so. Each in two passes: every request with its
  // courses but those it let lapse; then, with the seats left, the lapsed ones
  // once more (nobody else of its rank is kept waiting for them).
  struct Stage {
    bool admitted_if_free;
    Pass pass;
  };
  std::vector<bool> offered(waiting.size(), false);
  for (const auto [admitted_if_free, pass] : {Stage{false, Pass::kFirst}, Stage{false, Pass::kLapsedAgain},
                                              Stage{true, Pass::kFirst}, Stage{true, Pass::kLapsedAgain}}) {
    std::vector<size_t> index;  // into `waiting`, for this pass's problem
    std::vector<WaitingRequest> asking;
    for (size_t i = 0; i < waiting.size(); ++i) {
      if (offered[i] || waiting[i].request.admitted_if_free != admitted_if_free) continue;
      if (pass == Pass::kLapsedAgain && waiting[i].lapsed_course_ids.empty()) continue;
      index.push_back(i);
      asking.push_back(waiting[i]);
    }
    if (asking.empty()) continue;
    if (auto s = place(asking, pass, [&](size_t d) { offered[index[d]] = true; }); !s.ok()) return s;
  }
  // Then, with the seats nobody waiting was given, a further course for those
  // offered fewer than they may hold at once: whoever declines one or lets it
  // lapse may still take the other, without a week lost (courses.h).
  const int at_once = policy == "fcfs" ? 1 : courses_.settings().offers_at_once;
  if (at_once <= 1 || std::none_of(seats.begin(), seats.end(), [](const CourseSeats& c) { return c.free_seats > 0; })) {
    return absl::OkStatus();
  }
  auto holding = store.LoadHoldingLearners();
  if (!holding.ok()) return holding.status();
  std::vector<WaitingRequest> asking;
  for (const auto& l : *holding) {
    for (const auto& r : l.record.requests()) {
      if (r.status() != v1::REQUEST_STATUS_OFFERED || OfferCount(r) >= at_once) continue;
      WaitingRequest w = asking_of(l.record, r);
      for (const auto& o : OpenOffers(r)) w.passed_course_ids.push_back(o.course_id());  // not the same course twice
      w.offers_open = OfferCount(r);
      asking.push_back(std::move(w));
    }
  }
  if (asking.empty()) return absl::OkStatus();
  return place(asking, Pass::kFirst, [](size_t) {});
}

}  // namespace ankommen::courses
