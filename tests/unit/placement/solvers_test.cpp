// Each solver on small cases whose optimum is checked by hand.
#include <functional>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "objective.h"
#include "placement_test_util.h"
#include "solver.h"

namespace ankommen::placement {
namespace {

using testing::Course;
using testing::Make;
using testing::Person;

Solution SolveWith(std::string_view solver, const Problem& problem) {
  auto s = MakeSolver(solver);
  EXPECT_TRUE(s.ok());
  auto solution = (*s)->Solve(problem);
  EXPECT_TRUE(solution.ok()) << solution.status();
  EXPECT_TRUE(Verify(problem, *solution).ok()) << Verify(problem, *solution);
  return *solution;
}

std::vector<std::string> Assigned(const Problem& problem, const Solution& s) {
  std::vector<std::string> out;
  for (const auto& p : s.placements) {
    out.push_back(problem.demands[static_cast<size_t>(p.demand)].id + "->" +
                  (p.place < 0 ? "-" : problem.places[static_cast<size_t>(p.place)].id));
  }
  return out;
}

// The least objective of every assignment the rules allow (each demand to
// one of its candidates or to none, no place over its capacity), tried one
// by one: a check of "optimal" that does not trust the solver's own bound.
double BruteForceOptimum(const Problem& problem) {
  const Objective objective = MakeObjective(problem);
  std::vector<std::vector<int32_t>> options(problem.demands.size(), std::vector<int32_t>{-1});
  for (const auto& c : problem.candidates) options[static_cast<size_t>(c.demand)].push_back(c.place);
  std::vector<int32_t> place_of(problem.demands.size(), -1);
  double best = std::numeric_limits<double>::infinity();
  std::function<void(size_t)> Try = [&](size_t d) {
    if (d == problem.demands.size()) {
      Solution candidate;
      for (size_t i = 0; i < place_of.size(); ++i) candidate.placements.push_back({static_cast<int32_t>(i), place_of[i]});
      if (Verify(problem, candidate).ok()) best = std::min(best, Evaluate(problem, objective, place_of));
      return;
    }
    for (int32_t place : options[d]) {
      place_of[d] = place;
      Try(d + 1);
    }
  };
  Try(0);
  return best;
}

// A waited longer and takes the nearest seat under FCFS, leaving B, who can
// reach only that seat, without one. The optimum sends A 9 km further.
Problem NearestSeatTrap() {
  return Make({Person("A", 1, 10), Person("B", -1, 5)}, {Course("P1", 0, 1), Course("P2", 10, 1)});
}

TEST(FcfsTest, LongestWaitTakesTheNearestSeat) {
  auto p = NearestSeatTrap();
  EXPECT_THAT(Assigned(p, SolveWith("fcfs", p)), ::testing::ElementsAre("A->P1", "B->-"));
}

TEST(FlowTest, PlacesEveryoneWhereFcfsLeavesSomeoneOut) {
  auto p = NearestSeatTrap();
  Solution s = SolveWith("flow", p);
  EXPECT_THAT(Assigned(p, s), ::testing::ElementsAre("A->P2", "B->P1"));
  EXPECT_TRUE(s.optimal);
  EXPECT_EQ(s.objective, BruteForceOptimum(p)) << "optimal: no assignment the rules allow does better";
  EXPECT_LT(s.objective, SolveWith("fcfs", p).objective);
}

TEST(FlowTest, LongerWaitBeatsShorterDistance) {
  // One seat; B is nearer, A waited longer: A gets it.
  auto p = Make({Person("A", 8, 30), Person("B", 1, 29)}, {Course("P", 0, 1)});
  EXPECT_THAT(Assigned(p, SolveWith("flow", p)), ::testing::ElementsAre("A->P", "B->-"));
}

TEST(FlowTest, AnObligationBeatsAnyWait) {
  auto obliged = Person("O", 5, 1);
  obliged.obliged = true;
  auto p = Make({Person("W", 1, 400), obliged}, {Course("P", 0, 1)});
  EXPECT_THAT(Assigned(p, SolveWith("flow", p)), ::testing::ElementsAre("W->-", "O->P"));
}

TEST(FlowTest, DistanceDecidesBetweenEqualPriorities) {
  // Both the same wait. A->Near, B->Far travels 1 + 5.5 km; A->Far, B->Near 4 + 0.5 km.
  auto p = Make({Person("A", 2, 10), Person("B", 0.5, 10)}, {Course("Far", 6, 1), Course("Near", 1, 1)});
  Solution s = SolveWith("flow", p);
  EXPECT_EQ(s.placed(), 2);
  EXPECT_THAT(Assigned(p, s), ::testing::ElementsAre("A->Far", "B->Near"));
  // FCFS, by id among equal waits, sends A to the nearest seat and B far.
  EXPECT_THAT(Assigned(p, SolveWith("fcfs", p)), ::testing::ElementsAre("A->Near", "B->Far"));
}

TEST(FlowTest, ChildcarePlacesNestInsideSeats) {
  // 2 seats, 1 with childcare: of two parents needing childcare only one fits,
  // and the seat left goes to the person without that need.
  auto p = Make({Person("M1", 1, 20, 10, true), Person("M2", 1, 19, 10, true), Person("X", 1, 1)},
                {Course("P", 0, 2, 1)});
  Solution s = SolveWith("flow", p);
  EXPECT_THAT(Assigned(p, s), ::testing::ElementsAre("M1->P", "M2->-", "X->P"));
}

TEST(FlowTest, RefusesGroupDemands) {
  auto p = Make({Person("A", 1, 1)}, {Course("P", 0, 1)});
  p.demands[0].need[kSeat] = 3;
  auto solver = *MakeSolver("flow");
  EXPECT_EQ(solver->Solve(p).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ChooseSolver(p), "group");
}

TEST(ExplainTest, PlacedDemandsSayWhyAndUnplacedSayWhyNot) {
  auto lonely = Person("Lonely", 100, 50, 5);        // nothing within 5 km
  auto shut_out = Person("ShutOut", 31, 50, 5);      // only a full course in reach
  auto outranked = Person("Outranked", 1, 1);        // lost the seat to Winner
  auto winner = Person("Winner", 2, 90);
  winner.wish_area = "Riesa";
  auto full = Course("Full", 30, 0);
  auto riesa = Course("P", 0, 1);
  riesa.area = "Riesa";
  Problem p = Make({lonely, shut_out, outranked, winner}, {riesa, full});
  Solution s = SolveWith("flow", p);
  EXPECT_EQ(s.placements[0].why_not, Unplaced::kNoPlaceInReach);
  EXPECT_TRUE(s.placements[0].places_in_reach.empty());
  EXPECT_EQ(s.placements[1].why_not, Unplaced::kPlacesFull);
  EXPECT_THAT(s.placements[1].places_in_reach, ::testing::ElementsAre(1));
  EXPECT_EQ(s.placements[2].why_not, Unplaced::kOutranked);
  EXPECT_THAT(s.placements[2].places_in_reach, ::testing::ElementsAre(0));
  EXPECT_EQ(s.placements[3].place, 0);
  EXPECT_NEAR(s.placements[3].reason.km, 2.0, 0.05);
  EXPECT_EQ(s.placements[3].reason.days_waited, 90);
  EXPECT_TRUE(s.placements[3].reason.wish_met);
}

TEST(DeterminismTest, TheSameInputGivesTheSameOutput) {
  std::vector<Demand> demands;
  for (int i = 0; i < 40; ++i) demands.push_back(Person("d" + std::to_string(i), i % 7, i % 3, 6));
  auto p = Make(demands, {Course("A", 0, 5), Course("B", 3, 5), Course("C", 6, 5)});
  for (const char* solver : {"fcfs", "flow", "group", "da"}) {
    EXPECT_EQ(Assigned(p, SolveWith(solver, p)), Assigned(p, SolveWith(solver, p))) << solver;
  }
}

// Households into accommodations by beds and m² (6 m² per person).
Demand Household(std::string id, int persons, double km_east, int days) {
  Demand d;
  d.id = std::move(id);
  d.home = testing::AtKm(km_east);
  d.need[kBed] = persons;
  d.need[kSquareMetre] = 6 * persons;
  d.days_waited = days;
  d.max_km = 50;
  return d;
}

Place Flat(std::string id, int beds, int square_metres, double km_east) {
  Place p;
  p.id = std::move(id);
  p.location = testing::AtKm(km_east);
  p.capacity[kBed] = beds;
  p.capacity[kSquareMetre] = square_metres;
  return p;
}

TEST(GroupTest, HouseholdsStayWholeAndFitBedsAndSpace) {
  // Big (5 people) waited longest but fits only into "Large"; greedy by
  // distance would give "Large" to Small first. Two small households share "Shared".
  auto p = Make({Household("Small", 2, 0, 10), Household("Big", 5, 20, 30), Household("Pair", 2, 1, 5)},
                {Flat("Large", 6, 40, 0), Flat("Shared", 4, 24, 15)});
  Solution s = SolveWith("group", p);
  EXPECT_TRUE(s.optimal);
  EXPECT_EQ(s.placed(), 3);
  EXPECT_THAT(Assigned(p, s), ::testing::ElementsAre("Small->Shared", "Big->Large", "Pair->Shared"));
  EXPECT_LE(s.bound, s.objective + 1e-6);
}

TEST(GroupTest, SpaceStandardIsAHardLimit) {
  // Enough beds, too few m² for 4 people at 6 m² each.
  auto p = Make({Household("Four", 4, 0, 1)}, {Flat("Small", 4, 20, 0)});
  Solution s = SolveWith("group", p);
  EXPECT_EQ(s.placed(), 0);
  EXPECT_EQ(s.placements[0].why_not, Unplaced::kPlacesFull);
}

TEST(GroupTest, GreedyReportsTheLpBound) {
  auto p = Make({Household("Small", 2, 0, 10), Household("Big", 5, 20, 30), Household("Pair", 2, 1, 5)},
                {Flat("Large", 6, 40, 0), Flat("Shared", 4, 24, 15)});
  Solution greedy = SolveWith("greedy", p);
  Solution exact = SolveWith("group", p);
  EXPECT_LE(greedy.bound, exact.objective + 1e-6);
  EXPECT_GE(greedy.objective, exact.objective);
}

TEST(DeferredAcceptanceTest, FamiliesGetTheirBestStableChoice) {
  auto p = Make({Person("A", 0, 10), Person("B", 0, 5), Person("C", 0, 1)},
                {Course("X", 1, 1), Course("Y", 2, 1), Course("Z", 3, 1)});
  // Everyone prefers Y, then X, then Z. Priority decides: A gets Y, B X, C Z.
  p.preferences = {{1, 0, 2}, {1, 0, 2}, {1, 0, 2}};
  EXPECT_THAT(Assigned(p, SolveWith("da", p)), ::testing::ElementsAre("A->Y", "B->X", "C->Z"));
}

}  // namespace
}  // namespace ankommen::placement
