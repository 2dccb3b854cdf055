// One-unit demands (a course seat, perhaps with a childcare place) as a
// minimum-cost flow, solved exactly by LEMON's network simplex:
//
//   source -> demand -> [place's childcare node ->] place's seat node -> sink
//             demand ------------------------------------------------> sink  (unplaced, at its penalty)
//
// A demand that needs childcare can reach a place's seats only through its
// childcare places: the nested capacities. The penalties (objective.h) make
// the flow place as many as possible, then by priority, then nearest.
#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "internal.h"
#include "solvers.h"

namespace ankommen::placement {

absl::StatusOr<Solution> FlowSolver::Solve(const Problem& problem, SolveTimings* timings) const {
  using Graph = lemon::SmartDigraph;
  absl::Time start = absl::Now();
  for (const auto& d : problem.demands) {
    if (d.need[kSeat] != 1 || d.need[kChildcare] > 1 || d.need[kBed] != 0 || d.need[kSquareMetre] != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("flow solver takes one seat (and at most one childcare place) per demand; demand ", d.id,
                       " needs more: use the group solver"));
    }
  }
  Objective objective = MakeObjective(problem);
  Graph g;
  Graph::ArcMap<int64_t> capacity(g), cost(g);
  g.reserveNode(static_cast<int>(problem.demands.size() + 2 * problem.places.size() + 2));
  g.reserveArc(static_cast<int>(problem.candidates.size() + 2 * problem.demands.size() + 2 * problem.places.size()));
  const Graph::Node source = g.addNode(), sink = g.addNode();
  auto add_arc = [&](Graph::Node from, Graph::Node to, int64_t cap, int64_t c) {
    Graph::Arc a = g.addArc(from, to);
    capacity[a] = cap;
    cost[a] = c;
    return a;
  };
  // Place nodes only where some candidate needs them.
  std::vector<Graph::Node> seat_node(problem.places.size(), lemon::INVALID);
  std::vector<Graph::Node> childcare_node(problem.places.size(), lemon::INVALID);
  auto seat_of = [&](int32_t p) {
    auto& n = seat_node[static_cast<size_t>(p)];
    if (n == lemon::INVALID) {
      n = g.addNode();
      add_arc(n, sink, problem.places[static_cast<size_t>(p)].capacity[kSeat], 0);
    }
    return n;
  };
  auto childcare_of = [&](int32_t p) {
    auto& n = childcare_node[static_cast<size_t>(p)];
    if (n == lemon::INVALID) {
      n = g.addNode();
      add_arc(n, seat_of(p), problem.places[static_cast<size_t>(p)].capacity[kChildcare], 0);
    }
    return n;
  };
  std::vector<Graph::Arc> candidate_arc(problem.candidates.size());
  auto ranges = internal::CandidateRanges(problem);
  for (size_t d = 0; d < problem.demands.size(); ++d) {
    Graph::Node dn = g.addNode();
    add_arc(source, dn, 1, 0);
    add_arc(dn, sink, 1, objective.penalty[d]);
    bool childcare = problem.demands[d].need[kChildcare] > 0;
    for (size_t c = ranges[d].first; c < ranges[d].second; ++c) {
      int32_t p = problem.candidates[c].place;
      candidate_arc[c] = add_arc(dn, childcare ? childcare_of(p) : seat_of(p), 1, objective.arc_cost[c]);
    }
  }
  absl::Time built = absl::Now();
  lemon::NetworkSimplex<Graph, int64_t, int64_t> simplex(g);
  simplex.upperMap(capacity).costMap(cost).stSupply(source, sink, static_cast<int64_t>(problem.demands.size()));
  auto result = simplex.run();  // block search: fastest of LEMON's pivot rules here (bench/README.md)
  absl::Time solved = absl::Now();
  if (result != lemon::NetworkSimplex<Graph, int64_t, int64_t>::OPTIMAL) {
    return absl::InternalError("network simplex found no optimal flow");
  }
  std::vector<int32_t> place_of(problem.demands.size(), -1);
  for (size_t c = 0; c < problem.candidates.size(); ++c) {
    if (simplex.flow(candidate_arc[c]) > 0) {
      place_of[static_cast<size_t>(problem.candidates[c].demand)] = problem.candidates[c].place;
    }
  }
  Solution s = internal::Finish(problem, objective, name(), place_of, 0, true);
  if (timings) {
    timings->build_seconds = absl::ToDoubleSeconds(built - start);
    timings->solve_seconds = absl::ToDoubleSeconds(solved - built);
    timings->total_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  }
  return s;
}

}  // namespace ankommen::placement
