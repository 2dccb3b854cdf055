// A minimum-cost flow on plain arrays, solved by LEMON's network simplex with
// block search (its default pivot rule; `ankommen-placement-bench --pivot all`
// times the others): the one place in the services that knows LEMON.
#pragma once

#include <cstdint>
#include <vector>

namespace ankommen::placement {

struct FlowNetwork {
  int32_t nodes = 0;
  int32_t source = 0, sink = 0;
  int64_t supply = 0;  // sent from source to sink
  std::vector<int32_t> from, to;
  std::vector<int64_t> capacity, cost;

  int32_t AddNode() { return nodes++; }
  int32_t AddArc(int32_t u, int32_t v, int64_t cap, int64_t c) {
    from.push_back(u);
    to.push_back(v);
    capacity.push_back(cap);
    cost.push_back(c);
    return static_cast<int32_t>(from.size() - 1);
  }
};

// LEMON's pivot rules (its fifth, best eligible, scans every arc per pivot).
enum class PivotRule { kBlockSearch, kCandidateList, kFirstEligible, kAlteringList };

// The flow on every arc, or an empty vector when no feasible flow exists.
// solve_seconds gets the time of LEMON's run alone (graph building excluded).
std::vector<int64_t> SolveMinCostFlow(const FlowNetwork& network, double* solve_seconds,
                                      PivotRule pivot = PivotRule::kBlockSearch);

}  // namespace ankommen::placement
