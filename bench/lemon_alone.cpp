#include "lemon_alone.h"

#include <lemon/network_simplex.h>
#include <lemon/static_graph.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <numeric>
#include <utility>

#include "objective.h"

namespace ankommen::bench {
namespace {

using Graph = lemon::StaticDigraph;
using Simplex = lemon::NetworkSimplex<Graph, int64_t, int64_t>;
using Clock = std::chrono::steady_clock;

Simplex::PivotRule PivotByName(const std::string& name) {
  if (name == "block_search") return Simplex::BLOCK_SEARCH;
  if (name == "candidate_list") return Simplex::CANDIDATE_LIST;
  if (name == "first_eligible") return Simplex::FIRST_ELIGIBLE;
  if (name == "altering_list") return Simplex::ALTERING_LIST;
  std::cerr << "unknown pivot rule " << name << "\n";
  std::exit(2);
}

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

LemonAlone SolveWithLemonAlone(const placement::Problem& problem, const std::string& pivot) {
  using placement::kChildcare;
  using placement::kSeat;
  const Simplex::PivotRule rule = PivotByName(pivot);
  const placement::Objective objective = placement::MakeObjective(problem);
  const auto built_from = Clock::now();
  // Nodes: 0 source, 1 sink, then a seat and a childcare node per course, then one per person.
  const int places = static_cast<int>(problem.places.size());
  const int people = static_cast<int>(problem.demands.size());
  auto seat = [](int p) { return 2 + 2 * p; };
  auto childcare = [](int p) { return 3 + 2 * p; };
  auto person = [&](int d) { return 2 + 2 * places + d; };
  struct Arc {
    int from, to;
    int64_t capacity, cost;
    int32_t candidate;  // -1 for the arcs that are not a person's choice
  };
  std::vector<Arc> arcs;
  arcs.reserve(problem.candidates.size() + 2 * static_cast<size_t>(people + places));
  for (int p = 0; p < places; ++p) {
    const auto& capacity = problem.places[static_cast<size_t>(p)].capacity;
    arcs.push_back({seat(p), 1, capacity[kSeat], 0, -1});
    arcs.push_back({childcare(p), seat(p), capacity[kChildcare], 0, -1});
  }
  for (int d = 0; d < people; ++d) {
    arcs.push_back({0, person(d), 1, 0, -1});
    arcs.push_back({person(d), 1, 1, objective.penalty[static_cast<size_t>(d)], -1});
  }
  for (size_t c = 0; c < problem.candidates.size(); ++c) {
    const auto& candidate = problem.candidates[c];
    const bool needs_care = problem.demands[static_cast<size_t>(candidate.demand)].need[kChildcare] > 0;
    arcs.push_back({person(candidate.demand), needs_care ? childcare(candidate.place) : seat(candidate.place), 1,
                    objective.arc_cost[c], static_cast<int32_t>(c)});
  }
  std::stable_sort(arcs.begin(), arcs.end(), [](const Arc& a, const Arc& b) { return a.from < b.from; });
  std::vector<std::pair<int, int>> ends;
  ends.reserve(arcs.size());
  for (const auto& a : arcs) ends.emplace_back(a.from, a.to);
  Graph g;
  g.build(2 + 2 * places + people, ends.begin(), ends.end());
  Graph::ArcMap<int64_t> capacity(g), cost(g);
  for (size_t k = 0; k < arcs.size(); ++k) {
    capacity[g.arc(static_cast<int>(k))] = arcs[k].capacity;
    cost[g.arc(static_cast<int>(k))] = arcs[k].cost;
  }
  Simplex simplex(g);
  simplex.upperMap(capacity).costMap(cost).stSupply(g.node(0), g.node(1), people);
  LemonAlone result;
  result.arcs = arcs.size();
  result.build_seconds = Since(built_from);

  const auto solve_from = Clock::now();
  const bool optimal = simplex.run(rule) == Simplex::OPTIMAL;
  result.solve_seconds = Since(solve_from);
  if (!optimal) {
    std::cerr << "LEMON alone found no optimal flow\n";
    std::exit(1);
  }

  placement::Solution& s = result.solution;
  s.solver = "lemon_network_simplex";
  s.placements.resize(static_cast<size_t>(people));
  std::vector<int32_t> place_of(static_cast<size_t>(people), -1);
  for (int d = 0; d < people; ++d) s.placements[static_cast<size_t>(d)].demand = d;
  for (size_t k = 0; k < arcs.size(); ++k) {
    if (arcs[k].candidate < 0 || simplex.flow(g.arc(static_cast<int>(k))) == 0) continue;
    const auto& candidate = problem.candidates[static_cast<size_t>(arcs[k].candidate)];
    auto& placement = s.placements[static_cast<size_t>(candidate.demand)];
    placement.place = candidate.place;
    placement.reason.km = candidate.km;
    place_of[static_cast<size_t>(candidate.demand)] = candidate.place;
  }
  s.objective = placement::Evaluate(problem, objective, place_of);
  s.bound = s.objective;
  s.optimal = true;
  return result;
}

}  // namespace ankommen::bench
