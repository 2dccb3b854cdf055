#include "lemon_alone.h"

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "min_cost_flow.h"
#include "objective.h"

namespace ankommen::bench {
namespace {

using Clock = std::chrono::steady_clock;

placement::PivotRule PivotByName(const std::string& name) {
  if (name == "block_search") return placement::PivotRule::kBlockSearch;
  if (name == "candidate_list") return placement::PivotRule::kCandidateList;
  if (name == "first_eligible") return placement::PivotRule::kFirstEligible;
  if (name == "altering_list") return placement::PivotRule::kAlteringList;
  std::cerr << "unknown pivot rule " << name << "\n";
  std::exit(2);
}

}  // namespace

LemonAlone SolveWithLemonAlone(const placement::Problem& problem, const std::string& pivot) {
  using placement::kChildcare;
  using placement::kSeat;
  const placement::PivotRule rule = PivotByName(pivot);
  const placement::Objective objective = placement::MakeObjective(problem);
  const auto called = Clock::now();
  // Nodes: a seat and a childcare node per course, then one per person.
  placement::FlowNetwork net;
  net.source = net.AddNode();
  net.sink = net.AddNode();
  net.supply = static_cast<int64_t>(problem.demands.size());
  std::vector<int32_t> seat(problem.places.size()), childcare(problem.places.size());
  for (size_t p = 0; p < problem.places.size(); ++p) {
    seat[p] = net.AddNode();
    childcare[p] = net.AddNode();
    net.AddArc(seat[p], net.sink, problem.places[p].capacity[kSeat], 0);
    net.AddArc(childcare[p], seat[p], problem.places[p].capacity[kChildcare], 0);
  }
  std::vector<int32_t> person(problem.demands.size());
  for (size_t d = 0; d < problem.demands.size(); ++d) {
    person[d] = net.AddNode();
    net.AddArc(net.source, person[d], 1, 0);
    net.AddArc(person[d], net.sink, 1, objective.penalty[d]);
  }
  std::vector<int32_t> choice(problem.candidates.size());  // the arc of each candidate
  for (size_t c = 0; c < problem.candidates.size(); ++c) {
    const auto& candidate = problem.candidates[c];
    const auto d = static_cast<size_t>(candidate.demand), p = static_cast<size_t>(candidate.place);
    choice[c] = net.AddArc(person[d], problem.demands[d].need[kChildcare] > 0 ? childcare[p] : seat[p], 1,
                           objective.arc_cost[c]);
  }

  LemonAlone result;
  result.arcs = net.from.size();
  const std::vector<int64_t> flow = placement::SolveMinCostFlow(net, &result.solve_seconds, rule);
  result.build_seconds = std::chrono::duration<double>(Clock::now() - called).count() - result.solve_seconds;
  if (flow.empty()) {
    std::cerr << "LEMON alone found no optimal flow\n";
    std::exit(1);
  }

  placement::Solution& s = result.solution;
  s.solver = "lemon_network_simplex";
  s.placements.resize(problem.demands.size());
  std::vector<int32_t> place_of(problem.demands.size(), -1);
  for (size_t d = 0; d < problem.demands.size(); ++d) s.placements[d].demand = static_cast<int32_t>(d);
  for (size_t c = 0; c < problem.candidates.size(); ++c) {
    if (flow[static_cast<size_t>(choice[c])] == 0) continue;
    const auto& candidate = problem.candidates[c];
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
