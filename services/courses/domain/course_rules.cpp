#include "domain/course_rules.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "text/field_checks.h"

namespace ankommen::courses {

SeatCounts CountHolds(const v1::CourseRecord& record) {
  SeatCounts c;
  for (const auto& h : record.holds()) {
    if (h.state() == v1::Hold::STATE_OFFERED) ++c.offered;
    if (h.state() == v1::Hold::STATE_ENROLLED) ++c.enrolled;
    c.childcare_in_use += h.childcare();
  }
  return c;
}

v1::Course View(const v1::CourseRecord& record) {
  v1::Course course = record.course();
  SeatCounts c = CountHolds(record);
  course.set_offered(c.offered);
  course.set_enrolled(c.enrolled);
  course.set_childcare_in_use(c.childcare_in_use);
  course.set_free_seats(TakesParticipants(course.status()) ? std::max(0, course.seats() - c.offered - c.enrolled) : 0);
  return course;
}

absl::CivilDay AnswerBy(absl::CivilDay today, absl::CivilDay start, int answer_days, int min_answer_days) {
  const absl::CivilDay earliest = today + std::min(answer_days, min_answer_days);
  return std::max(earliest, std::min(today + answer_days, start - 1));
}

absl::CivilDay SecondAnswerBy(absl::CivilDay today, absl::CivilDay last_entry, int answer_days) {
  return std::max(today, std::min(today + answer_days, last_entry));
}

double Acceptance(int accepted, int not_taken) {
  const double taken = std::max(0, accepted) + kAcceptancePriorAnswers;
  const double answers = taken + std::max(0, not_taken);
  return std::max(kLeastAcceptance, taken / answers);
}

int HoldLimit(int seats, int enrolled, double acceptance) {
  const int free = std::max(0, seats - enrolled);
  const double a = std::clamp(acceptance, kLeastAcceptance, 1.0);
  // The small epsilon keeps 3 / 0.75 at 4, not 3.9999.
  return enrolled + static_cast<int>(std::floor(free / a + 1e-9));
}

void NoteAnswer(v1::CourseRecord& record, bool taken) {
  if (taken) {
    record.set_offers_accepted(record.offers_accepted() + 1);
  } else {
    record.set_offers_not_taken(record.offers_not_taken() + 1);
  }
}

bool TakesParticipants(v1::CourseStatus status) {
  return status == v1::COURSE_STATUS_PLANNED || status == v1::COURSE_STATUS_OPEN ||
         status == v1::COURSE_STATUS_RUNNING;
}

absl::Status CheckCapacity(const v1::CourseRecord& record) {
  SeatCounts c = CountHolds(record);
  const auto& course = record.course();
  if (c.enrolled > course.seats() || c.offered + c.enrolled > HoldLimit(course.seats(), c.enrolled, kLeastAcceptance)) {
    return absl::FailedPreconditionError(absl::StrCat("course ", course.course_id(), " is full: ", c.enrolled,
                                                      " enrolled and ", c.offered, " offered of ", course.seats(),
                                                      " seats"));
  }
  if (c.childcare_in_use > course.childcare_places()) {
    return absl::FailedPreconditionError(absl::StrCat("course ", course.course_id(), " has no childcare left: ",
                                                      c.childcare_in_use, " places needed of ",
                                                      course.childcare_places()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Hold>> ChangeCapacity(v1::CourseRecord& record, int seats, int childcare_places,
                                                     bool withdraw_excess) {
  SeatCounts c = CountHolds(record);
  if (seats < c.enrolled) {
    return absl::FailedPreconditionError(
        absl::StrCat("seats cannot go below the ", c.enrolled, " people already enrolled"));
  }
  int enrolled_childcare = 0;
  for (const auto& h : record.holds()) {
    if (h.state() == v1::Hold::STATE_ENROLLED) enrolled_childcare += h.childcare();
  }
  if (childcare_places < enrolled_childcare) {
    return absl::FailedPreconditionError(absl::StrCat("childcare places cannot go below the ", enrolled_childcare,
                                                      " in use by enrolled participants"));
  }
  const bool fewer_seats = seats < record.course().seats();
  const bool too_few = (fewer_seats && seats < c.enrolled + c.offered) || childcare_places < c.childcare_in_use;
  if (too_few && !withdraw_excess) {
    return absl::FailedPreconditionError(absl::StrCat(
        "seats cannot go below the ", c.enrolled, " enrolled and ", c.offered, " offered (childcare: ",
        c.childcare_in_use, " in use); set withdraw_excess_offers to withdraw the newest offers"));
  }
  record.mutable_course()->set_seats(seats);
  record.mutable_course()->set_childcare_places(childcare_places);
  std::vector<v1::Hold> withdrawn;
  const auto excess = [&] {
    const SeatCounts n = CountHolds(record);
    return !CheckCapacity(record).ok() || (fewer_seats && n.enrolled + n.offered > seats);
  };
  while (excess()) {
    // The newest offer goes first: the older ones were promised earlier.
    auto* holds = record.mutable_holds();
    auto newest = holds->end();
    for (auto it = holds->begin(); it != holds->end(); ++it) {
      if (it->state() != v1::Hold::STATE_OFFERED) continue;
      if (newest == holds->end() || it->offered_at() > newest->offered_at() ||
          (it->offered_at() == newest->offered_at() && it->offer_id() > newest->offer_id())) {
        newest = it;
      }
    }
    if (newest == holds->end()) return absl::InternalError("capacity exceeded with no offer left to withdraw");
    withdrawn.push_back(*newest);
    holds->erase(newest);
  }
  return withdrawn;
}

absl::Status AddOffer(v1::CourseRecord& record, const v1::Hold& hold, double acceptance) {
  if (!TakesParticipants(record.course().status())) {
    return absl::FailedPreconditionError(absl::StrCat("course ", record.course().course_id(),
                                                      " does not take participants"));
  }
  for (const auto& h : record.holds()) {
    if (h.request_id() == hold.request_id()) {
      return absl::AlreadyExistsError(absl::StrCat("request ", hold.request_id(), " already holds a seat here"));
    }
  }
  const SeatCounts c = CountHolds(record);
  if (c.offered + c.enrolled + 1 > HoldLimit(record.course().seats(), c.enrolled, acceptance)) {
    return absl::FailedPreconditionError(absl::StrCat("course ", record.course().course_id(), " is full: ", c.enrolled,
                                                      " enrolled and ", c.offered, " offered of ",
                                                      record.course().seats(), " seats"));
  }
  *record.add_holds() = hold;
  if (auto s = CheckCapacity(record); !s.ok()) {
    record.mutable_holds()->RemoveLast();
    return s;
  }
  return absl::OkStatus();
}

namespace {

v1::Hold* FindHold(v1::CourseRecord& record, const std::string& offer_id) {
  for (auto& h : *record.mutable_holds()) {
    if (h.offer_id() == offer_id) return &h;
  }
  return nullptr;
}

}  // namespace

std::optional<Waits> WaitsAtEnrolment(const std::string& start_date, const std::string& requested_on,
                                      absl::CivilDay today) {
  absl::CivilDay start, asked;
  if (!ParseIsoDate(start_date, start) || !ParseIsoDate(requested_on, asked)) return std::nullopt;
  const absl::CivilDay begins = std::max(start, today);
  return Waits{static_cast<int>(begins - today), static_cast<int>(std::max<int64_t>(0, begins - asked))};
}

absl::StatusOr<Accepted> Accept(v1::CourseRecord& record, const std::string& offer_id, absl::Time now) {
  v1::Hold* hold = FindHold(record, offer_id);
  if (hold == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("offer ", offer_id, " is no longer open (withdrawn, declined or expired)"));
  }
  if (hold->state() == v1::Hold::STATE_ENROLLED) {
    return absl::FailedPreconditionError(absl::StrCat("offer ", offer_id, " was already accepted"));
  }
  if (absl::ToUnixSeconds(now) > hold->deadline()) {
    return absl::FailedPreconditionError(absl::StrCat("the deadline of offer ", offer_id, " has passed"));
  }
  if (!TakesParticipants(record.course().status())) {
    return absl::FailedPreconditionError(absl::StrCat("course ", record.course().course_id(), " no longer takes participants"));
  }
  if (CountHolds(record).enrolled >= record.course().seats()) {
    return absl::FailedPreconditionError(absl::StrCat("course ", record.course().course_id(),
                                                      " is full: every seat was taken before this answer"));
  }
  hold->set_state(v1::Hold::STATE_ENROLLED);
  Accepted accepted{*hold, {}};
  if (CountHolds(record).enrolled == record.course().seats()) {
    auto* holds = record.mutable_holds();
    for (const auto& h : *holds) {
      if (h.state() == v1::Hold::STATE_OFFERED) accepted.withdrawn.push_back(h);
    }
    holds->erase(std::remove_if(holds->begin(), holds->end(),
                                [](const v1::Hold& h) { return h.state() == v1::Hold::STATE_OFFERED; }),
                 holds->end());
  }
  return accepted;
}

absl::StatusOr<v1::Hold> Release(v1::CourseRecord& record, const std::string& offer_id) {
  auto* holds = record.mutable_holds();
  for (auto it = holds->begin(); it != holds->end(); ++it) {
    if (it->offer_id() != offer_id) continue;
    if (it->state() != v1::Hold::STATE_OFFERED) {
      return absl::FailedPreconditionError(absl::StrCat("offer ", offer_id, " was already accepted"));
    }
    v1::Hold released = *it;
    holds->erase(it);
    return released;
  }
  return absl::FailedPreconditionError(absl::StrCat("offer ", offer_id, " is no longer open (withdrawn, declined or expired)"));
}

std::vector<v1::Hold> ExpiredOffers(const v1::CourseRecord& record, absl::Time now) {
  std::vector<v1::Hold> out;
  for (const auto& h : record.holds()) {
    if (h.state() == v1::Hold::STATE_OFFERED && absl::ToUnixSeconds(now) > h.deadline()) out.push_back(h);
  }
  return out;
}

absl::StatusOr<std::vector<v1::Hold>> Cancel(v1::CourseRecord& record) {
  if (!TakesParticipants(record.course().status())) {
    return absl::FailedPreconditionError(absl::StrCat("course ", record.course().course_id(), " is already ",
                                                      v1::CourseStatus_Name(record.course().status())));
  }
  std::vector<v1::Hold> holds(record.holds().begin(), record.holds().end());
  record.clear_holds();
  record.mutable_course()->set_status(v1::COURSE_STATUS_CANCELLED);
  return holds;
}

absl::StatusOr<std::vector<v1::Hold>> Complete(v1::CourseRecord& record,
                                               const std::vector<v1::ParticipantResult>& results) {
  auto status = record.course().status();
  if (status != v1::COURSE_STATUS_RUNNING && status != v1::COURSE_STATUS_OPEN) {
    return absl::FailedPreconditionError(absl::StrCat("only an open or running course can be completed; course ",
                                                      record.course().course_id(), " is ",
                                                      v1::CourseStatus_Name(status)));
  }
  absl::flat_hash_set<std::string> enrolled, seen;
  for (const auto& h : record.holds()) {
    if (h.state() == v1::Hold::STATE_ENROLLED) enrolled.insert(h.person_id());
  }
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    if (!enrolled.contains(r.person_id())) {
      return absl::FailedPreconditionError(absl::StrCat("results[", i, "]: ", r.person_id(), " is not enrolled"));
    }
    if (!seen.insert(r.person_id()).second) {
      return absl::InvalidArgumentError(absl::StrCat("results[", i, "]: ", r.person_id(), " appears twice"));
    }
  }
  // Offers still open lapse with the course.
  std::vector<v1::Hold> lapsed;
  auto* holds = record.mutable_holds();
  for (const auto& h : *holds) {
    if (h.state() != v1::Hold::STATE_ENROLLED) lapsed.push_back(h);
  }
  holds->erase(std::remove_if(holds->begin(), holds->end(),
                              [](const v1::Hold& h) { return h.state() != v1::Hold::STATE_ENROLLED; }),
               holds->end());
  record.mutable_course()->set_status(v1::COURSE_STATUS_COMPLETED);
  record.clear_results();
  for (const auto& r : results) *record.add_results() = r;
  return lapsed;
}

CourseType ToCourseType(v1::CourseType type) { return static_cast<CourseType>(static_cast<int>(type) - 1); }
v1::CourseType ToProto(CourseType type) { return static_cast<v1::CourseType>(static_cast<int>(type) + 1); }

absl::Status CheckActsForProvider(const std::set<std::string>& roles, const std::string& caller_provider_id,
                                  const std::string& course_provider_id) {
  const bool provider_staff_only = roles.contains("course_provider") && !roles.contains("integration_office") &&
                                   !roles.contains("district_admin");
  if (!provider_staff_only || caller_provider_id == course_provider_id) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("a course provider's staff act only for their provider (",
                                                  caller_provider_id.empty() ? "none in the token" : caller_provider_id,
                                                  "), not for ", course_provider_id));
}

}  // namespace ankommen::courses
