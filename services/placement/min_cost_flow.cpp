#include "min_cost_flow.h"

#include <lemon/network_simplex.h>
#include <lemon/static_graph.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <utility>

namespace ankommen::placement {
namespace {
using Graph = lemon::StaticDigraph;
}  // namespace

std::vector<int64_t> SolveMinCostFlow(const FlowNetwork& network, double* solve_seconds, PivotRule pivot) {
  // StaticDigraph wants arcs sorted by source; remember where each went.
  std::vector<int32_t> order(network.from.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return network.from[a] < network.from[b]; });
  std::vector<std::pair<int, int>> arcs;
  arcs.reserve(order.size());
  for (int32_t i : order) arcs.push_back({network.from[i], network.to[i]});
  Graph g;
  g.build(network.nodes, arcs.begin(), arcs.end());
  Graph::ArcMap<int64_t> capacity(g), cost(g);
  for (size_t k = 0; k < order.size(); ++k) {
    Graph::Arc a = g.arc(static_cast<int>(k));
    capacity[a] = network.capacity[order[k]];
    cost[a] = network.cost[order[k]];
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<int64_t> flow(order.size(), 0);
  lemon::NetworkSimplex<Graph, int64_t, int64_t> solver(g);
  solver.upperMap(capacity).costMap(cost).stSupply(g.node(network.source), g.node(network.sink), network.supply);
  // Block search, LEMON's default: the fastest of its pivot rules on the
  // benchmark's graphs (bench/README.md, --pivot all).
  using Simplex = lemon::NetworkSimplex<Graph, int64_t, int64_t>;
  const Simplex::PivotRule rule = pivot == PivotRule::kCandidateList   ? Simplex::CANDIDATE_LIST
                                  : pivot == PivotRule::kFirstEligible ? Simplex::FIRST_ELIGIBLE
                                  : pivot == PivotRule::kAlteringList  ? Simplex::ALTERING_LIST
                                                                       : Simplex::BLOCK_SEARCH;
  const bool ok = solver.run(rule) == Simplex::OPTIMAL;
  if (ok) {
    for (size_t k = 0; k < order.size(); ++k) flow[static_cast<size_t>(order[k])] = solver.flow(g.arc(static_cast<int>(k)));
  }
  if (solve_seconds != nullptr) {
    *solve_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  if (!ok) flow.clear();
  return flow;
}

}  // namespace ankommen::placement
