// The waiting list through the placement engine: the service's rules decide
// the candidates, the engine the seats.
#include "domain/allocation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "solver.h"

namespace ankommen::courses {
namespace {

placement::GeoPoint AtKm(double east) { return {51.3, 13.3 + east / 69.70}; }

WaitingRequest Wait(std::string id, absl::CivilDay asked, double km_east, bool evening_only = false, int children = 0) {
  WaitingRequest w;
  w.request.request_id = std::move(id);
  w.request.person_id = "p_" + w.request.request_id;
  w.request.course_type = CourseType::kIntegrationGeneral;
  w.request.requested_on = asked;
  w.request.evening_only = evening_only;
  w.request.childcare_children = children;
  w.home = AtKm(km_east);
  w.max_km = 10;
  return w;
}

CourseSeats Course(std::string id, double km_east, Schedule schedule, int seats, int childcare = 0,
                   CourseType type = CourseType::kIntegrationGeneral,
                   absl::CivilDay start = absl::CivilDay(2026, 12, 1)) {
  return {std::move(id), type, AtKm(km_east), "Riesa", schedule, seats, 1.0, childcare, start};
}

TEST(AllocationTest, RulesDecideTheCandidatesAndTheEngineTheSeats) {
  const absl::CivilDay today(2026, 11, 23);
  std::vector<WaitingRequest> requests = {
      Wait("works", absl::CivilDay(2026, 9, 1), 1, /*evening_only=*/true),
      Wait("mother", absl::CivilDay(2026, 8, 1), 1, false, /*children=*/1),
      Wait("newer", absl::CivilDay(2026, 11, 1), 1),
  };
  std::vector<CourseSeats> courses = {
      Course("morning", 0, Schedule::kMorning, 1, 1),
      Course("evening", 2, Schedule::kEvening, 1),
      Course("alpha", 0, Schedule::kMorning, 5, 5, CourseType::kIntegrationAlpha),
  };
  placement::Problem problem = BuildAllocationProblem(requests, courses, today);
  EXPECT_EQ(problem.demands[0].days_waited, 83);
  EXPECT_EQ(problem.demands[1].need[placement::kChildcare], 1);
  // The worker only gets the evening course; nobody gets the Alpha course they did not ask for.
  for (const auto& c : problem.candidates) {
    EXPECT_NE(c.place, 2);
    if (c.demand == 0) {
      EXPECT_EQ(c.place, 1);
    }
  }
  auto solver = placement::MakeSolver(placement::ChooseSolver(problem));
  ASSERT_TRUE(solver.ok());
  auto solution = (*solver)->Solve(problem);
  ASSERT_TRUE(solution.ok());
  EXPECT_EQ(solution->placements[0].place, 1);  // works -> evening
  EXPECT_EQ(solution->placements[1].place, 0);  // mother -> morning, with its childcare place
  EXPECT_EQ(solution->placements[2].place, -1);  // newer: both seats taken by longer waits
  EXPECT_EQ(solution->placements[2].why_not, placement::Unplaced::kOutranked);
}

TEST(AllocationTest, OfTheCoursesInReachTheOneThatStartsFirst) {
  const absl::CivilDay today(2026, 11, 23);
  const std::vector<WaitingRequest> requests = {Wait("a", absl::CivilDay(2026, 11, 20), 0)};
  const std::vector<CourseSeats> courses = {
      Course("near-later", 1, Schedule::kMorning, 5, 0, CourseType::kIntegrationGeneral, today + 40),
      Course("farther-sooner", 6, Schedule::kMorning, 5, 0, CourseType::kIntegrationGeneral, today + 3),
      Course("running", 8, Schedule::kMorning, 5, 0, CourseType::kIntegrationGeneral, today - 10),
  };
  placement::Problem problem = BuildAllocationProblem(requests, courses, today);
  auto solver = placement::MakeSolver(placement::ChooseSolver(problem));
  ASSERT_TRUE(solver.ok());
  auto solution = (*solver)->Solve(problem);
  ASSERT_TRUE(solution.ok());
  // 8 km now beats 6 km in 3 days and 1 km in 40 days: a day weighs a kilometre.
  EXPECT_EQ(solution->placements[0].place, 2);
  // First come, first served keeps to the nearest course, as the lists do today.
  auto fcfs = placement::MakeSolver("fcfs");
  ASSERT_TRUE(fcfs.ok());
  EXPECT_EQ((*fcfs)->Solve(problem)->placements[0].place, 0);
}

// Two people, two courses in reach, one seat each: the sum of days until the
// start is the same either way, and the newcomer lives a kilometre nearer the
// sooner course; still the one who has waited two months gets the sooner
// start, so the longest waits shorten.
TEST(AllocationTest, WhoHasWaitedLongerGetsTheSoonerStart) {
  const absl::CivilDay today(2026, 11, 23);
  const std::vector<WaitingRequest> requests = {Wait("a-new", today, 2), Wait("b-long", today - 60, 1)};
  const std::vector<CourseSeats> courses = {
      Course("sooner", 2, Schedule::kMorning, 1, 0, CourseType::kIntegrationGeneral, today + 5),
      Course("later", 1, Schedule::kMorning, 1, 0, CourseType::kIntegrationGeneral, today + 40),
  };
  placement::Problem problem = BuildAllocationProblem(requests, courses, today);
  for (const char* name : {"flow", "group"}) {  // what the engine chooses, without and with childcare
    auto solver = placement::MakeSolver(name);
    ASSERT_TRUE(solver.ok()) << name;
    auto solution = (*solver)->Solve(problem);
    ASSERT_TRUE(solution.ok());
    EXPECT_EQ(solution->placements[1].place, 0) << name << ": the long wait takes the sooner course";
    EXPECT_EQ(solution->placements[0].place, 1) << name;
  }
}

}  // namespace
}  // namespace ankommen::courses
