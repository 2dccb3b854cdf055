// Planning gaps: what allocation cannot close, and a course series that
// would close it. After a run, the people still waiting for a course are
// grouped by course type × social area × schedule × childcare:
//   - no course in reach: no course of their type, with their schedule,
//     within their travel limit, started or was announced in the whole period;
//   - too few seats: courses are in reach, and they have still waited longer
//     than `long_wait_days`.
// And the people enrolled after waiting longer than a target for their
// course's start are grouped by the course's series ("waits past the target"):
// the same series started in between — half a cadence later — would have
// started sooner for them.
// Beside each group stand the seats of its type that were free at a course's
// start elsewhere. Each group large enough for a class of its own gets a
// proposal — a row of course_plan.csv — and the proposals together are a
// scenario (scenario.h), so that a planner can run them and see what they
// change, on the same seed or any other. The proposals together add at most a
// share of the period's course seats; past it, those that serve the fewest
// people per seat are left out. Pure.
#pragma once

#include <string>
#include <vector>

#include "district.h"
#include "hindsight.h"

namespace ankommen::sim {

// A request as the gaps see it at the period's end.
struct GapRequest {
  HindsightRequest request;
  std::string social_area;
  std::string town;          // the home municipality's name
  bool waiting = false;      // still waiting (or offered) at the end
  int childcare = 0;         // childcare places needed at the end (a parents' course)
  int days_waited = 0;       // so far, when waiting
  int course = -1;           // enrolled: the course (an index into the courses)
  int access_wait = -1;      // enrolled: days from the request to the course's start (0: a late entry)
};

struct PlanningGap {
  std::string kind;          // "no course in reach", "too few seats" or "waits past the target"
  int course_type = 0;       // courses::v1::CourseType
  std::string social_area;
  bool evening = false;
  bool childcare = false;    // the group needs childcare places
  int waiting = 0;
  double median_days_waited = 0;
  int free_seats_elsewhere = 0;  // of this type, at starts in other social areas
  bool proposed = false;     // a group too small for a class has none
  bool over_budget = false;  // large enough, but past the seats the proposals may add
  CourseSeries proposal;
};

struct GapOptions {
  int period_weeks = 26;
  int long_wait_days = 42;     // "too few seats": waited longer than this with courses in reach
  int smallest_class = 6;      // fewer waiting: no class of their own is proposed
  // Access waits longer than this (days) call for a series started in between;
  // 0: none proposed.
  int access_wait_target_days = 0;
  int fewest_past_target = 3;  // of a series, for a series in between
  double max_added_seat_share = 0.10;  // of the period's course seats, for all proposals together
};

// `free_seats_by_area[type][area]`: seats free at starts, from the run.
std::vector<PlanningGap> FindPlanningGaps(const District& district, const std::vector<GapRequest>& requests,
                                          const std::vector<HindsightCourse>& courses,
                                          const std::map<int, std::map<std::string, int>>& free_seats_by_area,
                                          const GapOptions& options);

// The proposals as a scenario file (empty when nothing is proposed).
std::string ProposalScenario(const District& district, const std::vector<PlanningGap>& gaps);

// "integration_general", "morning": the names course_plan.csv uses.
std::string CoursePlanTypeName(int course_type);
std::string CoursePlanScheduleName(int schedule);

}  // namespace ankommen::sim
