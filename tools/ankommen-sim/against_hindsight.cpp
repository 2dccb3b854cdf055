// The run against what could have been known: how a person answers an offer
// (the same whenever it is made, which is what lets the hindsight bound know
// it), the bound itself, the seats free at a course's start while someone
// eligible waited, and the planning gaps allocation cannot close.
#include "simulation_internal.h"

namespace ankommen::sim {

Simulation::OfferAnswer Simulation::AnswerToOffer(const std::string& person_id, size_t course) const {
  // The course by what it is (title, schedule, start), not by when it was
  // announced, so that a scenario's added courses change nobody's answer to the others.
  // (The basis is the one the benchmarks' figures were drawn with.)
  uint64_t key = 1469598103934665603ULL;
  if (course < courses_state_.size()) {
    const PlannedCourse& p = *courses_state_[course].plan;
    key = Fnv1a64(absl::StrCat(p.course.title(), "|", p.course.schedule(), "|", p.start_day), key);
  }
  Random draw = Draw({3, Who(person_id), key});
  const Behaviour& b = district_.behaviour;
  const size_t pick =
      draw.Pick({b.offer_accept_share, b.offer_decline_share, 1 - b.offer_accept_share - b.offer_decline_share});
  return {static_cast<OfferAnswer::Kind>(pick), draw.Int(1, 5)};
}

HindsightRequest Simulation::AsHindsight(const RequestState& request) const {
  HindsightRequest h;
  h.requested_day = DayOf(request.requested_on);
  h.course_type = request.type;
  const auto& [household, member] = person_index_.at(request.person_id);
  const rv1::Household& registered = households_[household].arrival->household;
  // Where the course service sees the home: coarsened to about a kilometre (the registry's events).
  h.home = {std::round(registered.location().lat() * 100) / 100, std::round(registered.location().lon() * 100) / 100};
  // The course service's travel limit: the district's, or its default (services/courses/courses.h).
  h.max_km = district_.course_max_km > 0 ? district_.course_max_km : 15;
  const rv1::Person& person = registered.members(static_cast<int>(member));
  h.evening_only = person.needs().works_daytime();
  // A parents' course takes a childcare place for each child while it needs one.
  if (request.type == cv1::COURSE_TYPE_INTEGRATION_PARENTS) {
    const std::vector<std::string>& ids = households_[household].person_ids;
    for (int m = 0; m < registered.members_size(); ++m) {
      const rv1::Person& other = registered.members(m);
      absl::CivilDay born;
      if (other.relation() == rv1::RELATION_CHILD && ParseIsoDate(other.birth_date(), born)) {
        h.care.push_back(CareOf(m < static_cast<int>(ids.size()) ? ids[static_cast<size_t>(m)] : "", born));
      }
    }
  }
  return h;
}

// As the course service counts it (ChildrenNeedingCare in
// services/courses/domain/learner_rules.h): from its first birthday (the
// service's default ANKOMMEN_COURSES_CHILDCARE_FROM_AGE) until the school
// year in which it is six on the Land's cut-off day, or its Kita place.
CareWindow Simulation::CareOf(const std::string& child_id, absl::CivilDay born) const {
  constexpr int kCareFromAge = 1;
  CareWindow w;
  w.from = DayOf(absl::CivilDay(born.year() + kCareFromAge, born.month(), born.day()));
  const int period = options_.weeks * 7;
  for (absl::CivilDay year = SchoolYearStart(Date(0), land_); DayOf(year) <= period;
       year = SchoolYearStart(year + 366, land_)) {
    if (SchoolYearAge(born, std::max(year, Date(0)), land_) >= 6) {
      w.until = std::max(0, DayOf(year));
      break;
    }
  }
  if (auto kita = kita_placed_day_.find(child_id); kita != kita_placed_day_.end()) w.until = std::min(w.until, kita->second);
  return w;
}

HindsightCourse Simulation::AsHindsight(const CourseState& course) const {
  HindsightCourse h;
  h.start_day = course.plan->start_day;
  h.last_entry_day = std::min(course.plan->end_day - 1, course.plan->start_day + district_.course_late_entry_days);
  h.course_type = course.plan->course.course_type();
  h.at = {course.plan->course.location().coordinates().lat(), course.plan->course.location().coordinates().lon()};
  h.evening = course.plan->course.schedule() == cv1::SCHEDULE_EVENING;
  h.seats = course.seats;
  h.childcare_places = course.childcare_places;
  h.series = course.plan->series;
  return h;
}

void Simulation::NoteFreeSeatsAtStart(const CourseState& course, int free_seats, int free_childcare, int day) {
  HindsightCourse c = AsHindsight(course);
  UnusedSeats u;
  u.course = course.plan->course.title();
  u.course_type = CourseTypeName(course.plan->course.course_type());
  u.social_area = course.plan->course.location().social_area();
  u.start_date = IsoDate(Date(day));
  u.free_seats = free_seats;
  free_seats_at_start_[course.plan->course.course_type()][u.social_area] += free_seats;
  const int index = static_cast<int>(&course - courses_state_.data());
  HindsightCourse with_free_childcare = c;
  with_free_childcare.childcare_places = free_childcare;
  for (const auto& [id, r] : requests_) {
    if (r.status != RequestState::kWaiting || r.passed.contains(index)) continue;
    const HindsightRequest h = AsHindsight(r);
    if (Eligible(h, with_free_childcare, options_.weeks * 7)) {
      ++u.eligible_waiting;
    } else if (Eligible(h, c, options_.weeks * 7)) {
      ++u.waiting_for_childcare;  // a seat, but its childcare places are taken
    }
  }
  unused_seats_.push_back(std::move(u));
}

void Simulation::CompareWithHindsight(Report& report) const {
  std::vector<HindsightRequest> requests;
  std::vector<const RequestState*> states;
  std::vector<int> course_of, enrolled_day;
  for (const auto& [id, r] : requests_) {
    if (r.status == RequestState::kWithdrawn && r.course < 0) continue;  // replaced or ended: asks for nothing
    if (!person_index_.contains(r.person_id)) continue;
    HindsightRequest h = AsHindsight(r);
    // The bound knows every answer: the courses of the request's type this
    // person would turn down, and how long they take to say yes to the others.
    h.answer_days.assign(courses_state_.size(), 0);
    for (size_t c = 0; c < courses_state_.size(); ++c) {
      if (courses_state_[c].plan->course.course_type() != r.type) continue;
      const OfferAnswer answer = AnswerToOffer(r.person_id, c);
      if (answer.kind != OfferAnswer::kAccept) h.refused.push_back(static_cast<int>(c));
      h.answer_days[c] = answer.after_days;
    }
    requests.push_back(std::move(h));
    states.push_back(&r);
    course_of.push_back(r.course);
    enrolled_day.push_back(r.enrolled_day);
  }
  std::vector<HindsightCourse> courses;
  for (const auto& c : courses_state_) courses.push_back(AsHindsight(c));
  const int period = options_.weeks * 7;
  for (const auto& c : courses) report.course_seats_planned += c.start_day < period ? c.seats : 0;
  const HindsightResult policy = MeasurePolicy(requests, courses, course_of, enrolled_day, period);
  const HindsightResult bound = SolveHindsight(requests, courses, period);
  auto access_waits = [&](const HindsightResult& result) {
    std::vector<int> days;
    for (size_t i = 0; i < requests.size(); ++i) {
      if (result.waited_until[i] >= 0) days.push_back(result.waited_until[i] - requests[i].requested_day);
    }
    return Summarize(std::move(days));
  };
  report.policy_period = {policy.enrolled, policy.person_days_waited, policy.km, access_waits(policy)};
  report.hindsight = {bound.enrolled, bound.person_days_waited, bound.km, access_waits(bound)};
  report.least_access_wait_p90 = LeastP90AccessWait(requests, courses, period, bound.enrolled);
  const std::vector<int> policy_waiting = WaitingByWeek(requests, policy, options_.weeks);
  const std::vector<int> bound_waiting = WaitingByWeek(requests, bound, options_.weeks);
  for (auto& w : report.weekly) {
    if (w.week < 0 || w.week >= options_.weeks) continue;
    w.course_waiting_measured = policy_waiting[static_cast<size_t>(w.week)];
    w.course_waiting_bound = bound_waiting[static_cast<size_t>(w.week)];
  }
  // Why those the bound enrols were not enrolled in this run.
  for (size_t i = 0; i < requests.size(); ++i) {
    if (bound.course_of[i] < 0 || course_of[i] >= 0) continue;
    const RequestState& r = *states[i];
    const char* why = r.status == RequestState::kOffered ? "an offer still open at the end"
                      : !r.passed.empty() || !r.lapsed.empty() ? "offered, but declined or let lapse"
                                                         : "never offered";
    ++report.hindsight_gap[why];
  }
  // Where the days go: each request's days here less its days in the bound.
  auto days = [&](const HindsightResult& result, size_t i) {
    const int until = result.waited_until[i] >= 0 ? result.waited_until[i] : period;
    return std::max(0, until - requests[i].requested_day);
  };
  for (size_t i = 0; i < requests.size(); ++i) {
    const bool here = policy.course_of[i] >= 0, there = bound.course_of[i] >= 0;
    const int more = days(policy, i) - days(bound, i);
    if (!here && !there) continue;
    const bool answered_no = !states[i]->passed.empty() || !states[i]->lapsed.empty();
    const char* where = !here                        ? "enrolled by the bound only"
                        : !there                     ? "enrolled here only"
                        : more < 0                   ? "enrolled by both, sooner here"
                        : more == 0                  ? nullptr
                        : answered_no                ? "enrolled by both, later here after declining or a lapse"
                                                     : "enrolled by both, later here";
    if (where != nullptr) report.hindsight_days_gap[where] += more;
  }
}

void Simulation::FindGaps(Report& report) const {
  std::vector<GapRequest> requests;
  for (const auto& [id, r] : requests_) {
    if (r.status == RequestState::kWithdrawn || !person_index_.contains(r.person_id)) continue;
    GapRequest g;
    g.request = AsHindsight(r);
    g.social_area = r.social_area;
    const rv1::Household& registered = households_[person_index_.at(r.person_id).first].arrival->household;
    for (const auto& t : district_.towns) {
      if (t.ags == registered.municipality_ags()) g.town = t.name;
    }
    g.waiting = r.status == RequestState::kWaiting || r.status == RequestState::kOffered;
    g.days_waited = g.waiting ? today_ - DayOf(r.requested_on) : 0;
    g.childcare = ChildcareOn(g.request, today_);
    g.course = r.course;
    g.access_wait = r.access_wait_days;
    requests.push_back(std::move(g));
  }
  std::vector<HindsightCourse> courses;
  for (const auto& c : courses_state_) courses.push_back(AsHindsight(c));
  GapOptions options;
  options.period_weeks = options_.weeks;
  // The target for access waits: this run's p90 shortened by 30 %.
  options.access_wait_target_days = static_cast<int>(std::floor(0.7 * report.course_access_wait.p90));
  report.planning_gaps = FindPlanningGaps(district_, requests, courses, free_seats_at_start_, options);
  report.proposal_scenario = ProposalScenario(district_, report.planning_gaps);
}

}  // namespace ankommen::sim
