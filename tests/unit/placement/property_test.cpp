// On random small instances: the flow solver is optimal (its objective equals
// the integer program's optimum from CBC), never worse than first-come-first-
// served, never places fewer, and deferred acceptance is stable.
#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "objective.h"
#include "placement_test_util.h"
#include "solver.h"

namespace ankommen::placement {
namespace {

Problem RandomInstance(std::mt19937& rng) {
  std::uniform_int_distribution<int> n_demands(1, 10), n_places(1, 4), seats(0, 3), days(0, 60), coin(0, 3);
  std::uniform_real_distribution<double> where(0, 12), reach(2, 9);
  std::vector<Demand> demands;
  std::vector<Place> places;
  int nd = n_demands(rng), np = n_places(rng);
  for (int i = 0; i < nd; ++i) {
    auto d = testing::Person("d" + std::to_string(i), where(rng), days(rng), reach(rng), coin(rng) == 0);
    d.obliged = coin(rng) == 1 && coin(rng) == 1;
    demands.push_back(d);
  }
  for (int i = 0; i < np; ++i) places.push_back(testing::Course("p" + std::to_string(i), where(rng), seats(rng), seats(rng) / 2));
  return testing::Make(demands, places);
}

TEST(PropertyTest, FlowIsOptimalAndNeverWorseThanFcfs) {
  std::mt19937 rng(20261123);
  auto flow = *MakeSolver("flow");
  auto fcfs = *MakeSolver("fcfs");
  SolverOptions proven;
  proven.relative_gap = 0;  // run branch and bound to the proven optimum
  auto cbc = *MakeSolver("group", proven);
  for (int round = 0; round < 300; ++round) {
    Problem p = RandomInstance(rng);
    auto f = flow->Solve(p);
    auto b = fcfs->Solve(p);
    auto c = cbc->Solve(p);
    ASSERT_TRUE(f.ok() && b.ok() && c.ok());
    ASSERT_TRUE(Verify(p, *f).ok());
    ASSERT_TRUE(c->optimal) << "round " << round;
    EXPECT_DOUBLE_EQ(f->objective, c->objective) << "round " << round;
    EXPECT_LE(f->objective, b->objective) << "round " << round;
    EXPECT_GE(f->placed(), b->placed()) << "round " << round;
  }
}

TEST(PropertyTest, DeferredAcceptanceIsStable) {
  std::mt19937 rng(42);
  auto da = *MakeSolver("da");
  for (int round = 0; round < 300; ++round) {
    Problem p = RandomInstance(rng);
    for (auto& d : p.demands) d.need[kChildcare] = 0;  // school places: one kind of seat
    auto s = da->Solve(p);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(Verify(p, *s).ok());
    Objective o = MakeObjective(p);
    std::vector<int> held(p.places.size(), 0);
    for (const auto& pl : s->placements) {
      if (pl.place >= 0) ++held[static_cast<size_t>(pl.place)];
    }
    // No demand d and place q where d prefers q to its own place and q has
    // room or holds someone it ranks below d.
    for (const auto& c : p.candidates) {
      const auto& mine = s->placements[static_cast<size_t>(c.demand)];
      if (mine.place == c.place) continue;
      bool prefers = mine.place < 0;
      if (!prefers) {
        for (const auto& c2 : p.candidates) {
          if (c2.demand == c.demand && c2.place == mine.place) prefers = c.km < c2.km || (c.km == c2.km && c.place < c2.place);
        }
      }
      if (!prefers) continue;
      auto seats = p.places[static_cast<size_t>(c.place)].capacity[kSeat];
      EXPECT_GE(held[static_cast<size_t>(c.place)], seats) << "place with room rejected a demand, round " << round;
      for (const auto& other : s->placements) {
        if (other.place != c.place) continue;
        double km_other = 0;
        for (const auto& c3 : p.candidates) {
          if (c3.demand == other.demand && c3.place == c.place) km_other = c3.km;
        }
        bool d_ranks_higher = o.priority[static_cast<size_t>(c.demand)] > o.priority[static_cast<size_t>(other.demand)] ||
                              (o.priority[static_cast<size_t>(c.demand)] == o.priority[static_cast<size_t>(other.demand)] && c.km < km_other);
        EXPECT_FALSE(d_ranks_higher) << "blocking pair, round " << round;
      }
    }
  }
}

}  // namespace
}  // namespace ankommen::placement

namespace ankommen::placement {
namespace {

// The same problem listed in another order: demands, places and candidates
// shuffled, preferences renumbered.
Problem Shuffled(const Problem& p, std::mt19937& rng) {
  std::vector<int32_t> demand_to(p.demands.size()), place_to(p.places.size());
  std::iota(demand_to.begin(), demand_to.end(), 0);
  std::iota(place_to.begin(), place_to.end(), 0);
  std::shuffle(demand_to.begin(), demand_to.end(), rng);
  std::shuffle(place_to.begin(), place_to.end(), rng);
  Problem s;
  s.demands.resize(p.demands.size());
  s.places.resize(p.places.size());
  for (size_t d = 0; d < p.demands.size(); ++d) s.demands[static_cast<size_t>(demand_to[d])] = p.demands[d];
  for (size_t q = 0; q < p.places.size(); ++q) s.places[static_cast<size_t>(place_to[q])] = p.places[q];
  for (Candidate c : p.candidates) {
    c.demand = demand_to[static_cast<size_t>(c.demand)];
    c.place = place_to[static_cast<size_t>(c.place)];
    s.candidates.push_back(c);
  }
  std::shuffle(s.candidates.begin(), s.candidates.end(), rng);
  if (!p.preferences.empty()) {
    s.preferences.resize(p.demands.size());
    for (size_t d = 0; d < p.preferences.size(); ++d) {
      for (int32_t q : p.preferences[d]) s.preferences[static_cast<size_t>(demand_to[d])].push_back(place_to[static_cast<size_t>(q)]);
    }
  }
  return s;
}

// Demand id -> place id ("" unplaced).
std::map<std::string, std::string> ById(const Problem& p, const Solution& s) {
  std::map<std::string, std::string> out;
  for (const auto& pl : s.placements) {
    out[p.demands[static_cast<size_t>(pl.demand)].id] = pl.place >= 0 ? p.places[static_cast<size_t>(pl.place)].id : "";
  }
  return out;
}

TEST(PropertyTest, TheOrderOfTheInputChangesNothing) {
  std::mt19937 rng(7);
  SolverOptions merged;
  merged.aggregate_min_demands = 0;  // the merging of nearly interchangeable people too
  for (int round = 0; round < 100; ++round) {
    Problem p = RandomInstance(rng);
    // Equal waits and places at equal distances make ties, which only ids may break.
    for (auto& d : p.demands) d.days_waited = d.days_waited % 3;
    Problem q = Shuffled(p, rng);
    for (const char* name : {"fcfs", "flow", "group", "da"}) {
      Problem pp = p, qq = q;
      if (std::string_view(name) == "da") {
        for (auto* x : {&pp, &qq}) {
          for (auto& d : x->demands) d.need[kChildcare] = 0;
        }
      }
      auto a = (*MakeSolver(name))->Solve(pp);
      auto b = (*MakeSolver(name))->Solve(qq);
      ASSERT_TRUE(a.ok() && b.ok()) << name;
      EXPECT_EQ(ById(pp, *a), ById(qq, *b)) << name << ", round " << round;
      EXPECT_DOUBLE_EQ(a->objective, b->objective) << name << ", round " << round;
    }
    auto a = (*MakeSolver("flow", merged))->Solve(p);
    auto b = (*MakeSolver("flow", merged))->Solve(q);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(ById(p, *a), ById(q, *b)) << "merged flow, round " << round;
  }
}

TEST(PropertyTest, CandidatesNamingNoDemandOrPlaceAreRefused) {
  std::mt19937 rng(3);
  Problem p = RandomInstance(rng);
  p.candidates.push_back({static_cast<int32_t>(p.demands.size()), 0, 1.0f, 0});
  for (const char* name : {"fcfs", "flow", "group", "greedy", "da"}) {
    auto s = (*MakeSolver(name))->Solve(p);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << name;
  }
}

}  // namespace
}  // namespace ankommen::placement
