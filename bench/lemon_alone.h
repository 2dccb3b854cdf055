// The speed baseline of the course benchmark: LEMON's network simplex alone
// on the full graph of a problem, every person a node of their own (no
// merging, no regions, no threads), timed apart from building the graph. The
// model is the engine's (objective.h): source → person → a course's seats, or
// its childcare places and then its seats → sink, and a penalty arc
// person → sink for being left out. Its own solution is read back, so the
// bench reports what LEMON alone places, not what the engine placed. Solved
// by the engine's own SolveMinCostFlow (min_cost_flow.h), the one place that
// knows LEMON, with the pivot rule asked for.
#pragma once

#include <string>
#include <vector>

#include "problem.h"

namespace ankommen::bench {

// LEMON's pivot rules, by the names the bench takes (--pivot). Its fifth,
// best eligible, scans every arc per pivot: 30 × block search's time at
// district scale already, so it is left out.
inline const std::vector<std::string> kPivotRules = {"block_search", "candidate_list", "first_eligible",
                                                     "altering_list"};

struct LemonAlone {
  placement::Solution solution;  // solver "lemon_network_simplex", placements with km, objective
  size_t arcs = 0;               // of the graph LEMON solved
  double build_seconds = 0;      // the network and LEMON's graph of it (not in solve_seconds)
  double solve_seconds = 0;      // LEMON's run() alone
};

// pivot: one of kPivotRules. Exits the bench on an unknown rule or no optimum.
LemonAlone SolveWithLemonAlone(const placement::Problem& problem, const std::string& pivot);

}  // namespace ankommen::bench
