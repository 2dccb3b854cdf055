#include "domain/allocation.h"

#include <algorithm>

#include "geo.h"

namespace ankommen::courses {

bool CourseTakes(CourseType course, CourseType requested) {
  return course == requested ||
         (course == CourseType::kIntegrationAlpha && requested == CourseType::kIntegrationSecondScript);
}

placement::Problem BuildAllocationProblem(const std::vector<WaitingRequest>& requests,
                                          const std::vector<CourseSeats>& courses, absl::CivilDay today, Pass pass) {
  placement::Problem problem;
  problem.demands.reserve(requests.size());
  for (const auto& w : requests) {
    placement::Demand d;
    d.id = w.request.request_id;
    d.home = w.home;
    d.need[placement::kSeat] = 1;
    d.need[placement::kChildcare] = w.request.childcare_children;
    d.days_waited = static_cast<int32_t>(std::max<absl::civil_diff_t>(0, today - w.request.requested_on));
    d.obliged = w.request.obliged;
    d.max_km = w.max_km;
    problem.demands.push_back(std::move(d));
  }
  problem.places.reserve(courses.size());
  for (const auto& c : courses) {
    placement::Amounts free{};
    free[placement::kSeat] = c.free_seats;
    free[placement::kChildcare] = c.free_childcare;
    problem.places.push_back({c.course_id, c.location, free, c.social_area});
  }
  problem.candidates = placement::GenerateCandidates(
      problem.demands, problem.places, 0, [&](int32_t d, int32_t p) {
        const WaitingRequest& w = requests[static_cast<size_t>(d)];
        const CourseSeats& c = courses[static_cast<size_t>(p)];
        if (!CourseTakes(c.type, w.request.course_type) || (w.request.evening_only && c.schedule != Schedule::kEvening)) return false;
        auto in = [&](const std::vector<std::string>& ids) {
          return std::find(ids.begin(), ids.end(), c.course_id) != ids.end();
        };
        if (in(w.passed_course_ids)) return false;
        return pass == Pass::kFirst ? !in(w.lapsed_course_ids) : in(w.lapsed_course_ids);
      });
  // Sooner is better: each day until a course starts costs as much as a
  // kilometre more to travel, so that of the courses in reach the one that
  // starts first (or takes late entries now) is offered — the more so the
  // longer the person has waited. The travel limit stays hard; first come,
  // first served keeps to the nearest course.
  for (auto& c : problem.candidates) {
    const CourseSeats& course = courses[static_cast<size_t>(c.place)];
    const int64_t days = std::clamp<absl::civil_diff_t>(course.start - today, 0, 3650);
    const int64_t waited = std::min<int64_t>(problem.demands[static_cast<size_t>(c.demand)].days_waited, 3650);
    const int64_t cost = days * kCostPerDayUntilStart * (kWaitedDaysPerWeight + waited) / kWaitedDaysPerWeight;
    c.extra_cost += static_cast<int32_t>(std::min<int64_t>(cost, 1'000'000'000));
  }
  return problem;
}

}  // namespace ankommen::courses
