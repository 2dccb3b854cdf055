#include "domain/allocation.h"

#include <algorithm>

#include "geo.h"

namespace ankommen::courses {

placement::Problem BuildAllocationProblem(const std::vector<WaitingRequest>& requests,
                                          const std::vector<CourseSeats>& courses, absl::CivilDay today) {
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
        if (c.type != w.request.course_type || (w.request.evening_only && c.schedule != Schedule::kEvening)) return false;
        return std::find(w.passed_course_ids.begin(), w.passed_course_ids.end(), c.course_id) ==
               w.passed_course_ids.end();
      });
  return problem;
}

}  // namespace ankommen::courses
