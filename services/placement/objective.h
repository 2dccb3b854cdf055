// The one objective every solver is measured by (lower is better):
//   sum over placed demands of their arc cost (distance, wish, extra cost)
// + sum over unplaced demands of a penalty that grows with their people and priority.
// The penalties are scaled so that the order of concerns is strict: first
// place as many people as possible, then the ones with higher priority
// (obligation, then days waited), and only then shorten distances. Scales come
// from the instance, so numbers stay small enough for an integer program.
#pragma once

#include <cstdint>
#include <vector>

#include "problem.h"

namespace ankommen::placement {

inline constexpr int32_t kWishMissCost = 500;  // in arc-cost units: 5 km

struct Objective {
  std::vector<int64_t> arc_cost;  // per candidate
  std::vector<int64_t> priority;  // per demand: obliged first, then days waited
  std::vector<int64_t> penalty;   // per demand, for leaving it unplaced
  int64_t scale = 1;              // > every arc cost
};

// The people a demand stands for: its seats or its beds, at least one.
int64_t Persons(const Demand& d);

// Arc cost of a candidate: distance in units of 10 m, the extra cost, and a
// surcharge when the demand wished for another area.
int64_t ArcCost(const Problem& problem, const Candidate& c);

Objective MakeObjective(const Problem& problem);

// Only the priorities (Objective::priority), for solvers that need no costs.
std::vector<int64_t> Priorities(const Problem& problem);

// The objective of an assignment (place per demand, -1 unplaced); which
// candidate was used is looked up per demand.
double Evaluate(const Problem& problem, const Objective& objective, const std::vector<int32_t>& place_of_demand);

// Demand order for greedy passes: obliged first, longest wait first, then id.
std::vector<int32_t> PriorityOrder(const Problem& problem);

}  // namespace ankommen::placement
