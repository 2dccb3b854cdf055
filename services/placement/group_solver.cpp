// Groups that must stay together (a household into one accommodation by beds
// and m², siblings into one school) as an integer program on COIN-OR CBC:
//
//   x[c] in {0,1} per candidate c = (demand d, place p)
//   sum_c of d: x[c] <= 1                        each group in one place at most
//   sum_c at p: need_k(d) * x[c] <= capacity_k(p) for every capacity kind used
//   minimise sum_c (arc_cost(c) - penalty(d)) * x[c]   (+ sum_d penalty(d))
//
// The start and fallback is the best of the greedy passes and the rounded LP
// relaxation; the LP relaxation also gives the bound that says how far from
// optimal an answer can be. Branch and bound runs only while that is too far.
#include <coin/CbcModel.hpp>
#include <coin/CbcSolver.hpp>
#include <coin/CoinPackedMatrix.hpp>
#include <coin/OsiClpSolverInterface.hpp>

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "internal.h"
#include "solvers.h"

namespace ankommen::placement {
namespace {

struct IntegerProgram {
  OsiClpSolverInterface solver;
  double constant = 0;  // sum of all penalties
};

void Build(const Problem& problem, const Objective& objective, IntegerProgram& ip) {
  const int n = static_cast<int>(problem.candidates.size());
  CoinPackedMatrix matrix(false, 0, 0);  // row-ordered
  matrix.setDimensions(0, n);
  std::vector<double> row_lower, row_upper;
  auto ranges = internal::CandidateRanges(problem);
  // One place per group.
  for (size_t d = 0; d < problem.demands.size(); ++d) {
    if (ranges[d].first == ranges[d].second) continue;
    std::vector<int> idx;
    for (size_t c = ranges[d].first; c < ranges[d].second; ++c) idx.push_back(static_cast<int>(c));
    std::vector<double> ones(idx.size(), 1.0);
    matrix.appendRow(static_cast<int>(idx.size()), idx.data(), ones.data());
    row_lower.push_back(-COIN_DBL_MAX);
    row_upper.push_back(1.0);
  }
  // Capacity per place and kind, where some candidate needs it.
  std::map<std::pair<int32_t, int>, std::vector<std::pair<int, double>>> rows;
  for (int c = 0; c < n; ++c) {
    const Candidate& cand = problem.candidates[static_cast<size_t>(c)];
    const Demand& d = problem.demands[static_cast<size_t>(cand.demand)];
    for (int k = 0; k < kKinds; ++k) {
      if (d.need[k] > 0) rows[{cand.place, k}].push_back({c, static_cast<double>(d.need[k])});
    }
  }
  for (const auto& [key, entries] : rows) {
    std::vector<int> idx;
    std::vector<double> val;
    for (const auto& [c, v] : entries) {
      idx.push_back(c);
      val.push_back(v);
    }
    matrix.appendRow(static_cast<int>(idx.size()), idx.data(), val.data());
    row_lower.push_back(-COIN_DBL_MAX);
    row_upper.push_back(problem.places[static_cast<size_t>(key.first)].capacity[key.second]);
  }
  std::vector<double> col_lower(static_cast<size_t>(n), 0.0), col_upper(static_cast<size_t>(n), 1.0), obj(static_cast<size_t>(n));
  for (int c = 0; c < n; ++c) {
    auto d = static_cast<size_t>(problem.candidates[static_cast<size_t>(c)].demand);
    obj[static_cast<size_t>(c)] = static_cast<double>(objective.arc_cost[static_cast<size_t>(c)] - objective.penalty[d]);
  }
  for (int64_t p : objective.penalty) ip.constant += static_cast<double>(p);
  ip.solver.loadProblem(matrix, col_lower.data(), col_upper.data(), obj.data(), row_lower.data(), row_upper.data());
  for (int c = 0; c < n; ++c) ip.solver.setInteger(c);
  ip.solver.messageHandler()->setLogLevel(0);
  ip.solver.getModelPtr()->setLogLevel(0);
}

// Bin packing's first-fit-decreasing, by people: the largest groups first,
// each into the place it fills best (fewest beds or seats left), nearer
// first among equals. Greedy by priority fragments small flats; this does not.
std::vector<int32_t> LargestFirstBestFit(const Problem& problem, const Objective& objective) {
  std::vector<int32_t> order(problem.demands.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    int64_t pa = Persons(problem.demands[static_cast<size_t>(a)]), pb = Persons(problem.demands[static_cast<size_t>(b)]);
    if (pa != pb) return pa > pb;
    return objective.priority[static_cast<size_t>(a)] > objective.priority[static_cast<size_t>(b)];
  });
  std::vector<Amounts> remaining;
  for (const auto& p : problem.places) remaining.push_back(p.capacity);
  auto ranges = internal::CandidateRanges(problem);
  std::vector<int32_t> place_of(problem.demands.size(), -1);
  for (int32_t d : order) {
    const Demand& demand = problem.demands[static_cast<size_t>(d)];
    const int kind = demand.need[kBed] > 0 ? kBed : kSeat;
    size_t best = SIZE_MAX;
    std::pair<int32_t, int64_t> best_key{INT32_MAX, INT64_MAX};
    for (size_t c = ranges[static_cast<size_t>(d)].first; c < ranges[static_cast<size_t>(d)].second; ++c) {
      const auto& room = remaining[static_cast<size_t>(problem.candidates[c].place)];
      if (!internal::Fits(demand.need, room)) continue;
      std::pair<int32_t, int64_t> key{room[kind] - demand.need[kind], objective.arc_cost[c]};
      if (key < best_key) {
        best_key = key;
        best = c;
      }
    }
    if (best == SIZE_MAX) continue;
    auto& room = remaining[static_cast<size_t>(problem.candidates[best].place)];
    for (int k = 0; k < kKinds; ++k) room[k] -= demand.need[k];
    place_of[static_cast<size_t>(d)] = problem.candidates[best].place;
  }
  return place_of;
}

// Rounds the LP relaxation: groups whose LP value is (nearly) whole go
// where the LP put them, the most certain first while they fit; the rest
// then take the cheapest place with room, by priority.
std::vector<int32_t> RoundLp(const Problem& problem, const Objective& objective, const double* x) {
  std::vector<size_t> by_value(problem.candidates.size());
  for (size_t c = 0; c < by_value.size(); ++c) by_value[c] = c;
  std::stable_sort(by_value.begin(), by_value.end(), [&](size_t a, size_t b) { return x[a] > x[b]; });
  std::vector<Amounts> room;
  for (const auto& p : problem.places) room.push_back(p.capacity);
  std::vector<int32_t> place_of(problem.demands.size(), -1);
  auto take = [&](size_t c) {
    const Candidate& cand = problem.candidates[c];
    const Demand& d = problem.demands[static_cast<size_t>(cand.demand)];
    auto& r = room[static_cast<size_t>(cand.place)];
    if (place_of[static_cast<size_t>(cand.demand)] >= 0 || !internal::Fits(d.need, r)) return;
    for (int k = 0; k < kKinds; ++k) r[k] -= d.need[k];
    place_of[static_cast<size_t>(cand.demand)] = cand.place;
  };
  for (size_t c : by_value) {
    if (x[c] < 0.5) break;
    take(c);
  }
  auto ranges = internal::CandidateRanges(problem);
  std::vector<size_t> order;
  for (int32_t d : PriorityOrder(problem)) {
    auto [begin, end] = ranges[static_cast<size_t>(d)];
    order.resize(end - begin);
    for (size_t i = 0; i < order.size(); ++i) order[i] = begin + i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return objective.arc_cost[a] < objective.arc_cost[b]; });
    for (size_t c : order) take(c);
  }
  return place_of;
}

}  // namespace

absl::StatusOr<Solution> GroupSolver::Solve(const Problem& problem, SolveTimings* timings) const {
  absl::Time start = absl::Now();
  Objective objective = MakeObjective(problem);
  // The start: the best of three greedy passes — cheapest first, largest
  // first into the best fit, and first-come-first-served (so the answer is
  // never worse than today's practice).
  auto start_answer = internal::Greedy(problem, objective.arc_cost);
  std::vector<int64_t> nearest_first(problem.candidates.size());
  for (size_t c = 0; c < nearest_first.size(); ++c) nearest_first[c] = static_cast<int64_t>(c);
  for (auto other : {LargestFirstBestFit(problem, objective), internal::Greedy(problem, nearest_first)}) {
    if (Evaluate(problem, objective, other) < Evaluate(problem, objective, start_answer)) start_answer = std::move(other);
  }
  if (problem.candidates.empty()) return internal::Finish(problem, objective, name(), start_answer, 0, true);

  IntegerProgram ip;
  Build(problem, objective, ip);
  absl::Time built = absl::Now();
  ip.solver.initialSolve();
  if (!ip.solver.isProvenOptimal()) return absl::InternalError("the LP relaxation could not be solved");
  const double lp_bound = ip.solver.getObjValue() + ip.constant;
  if (auto rounded = RoundLp(problem, objective, ip.solver.getColSolution());
      Evaluate(problem, objective, rounded) < Evaluate(problem, objective, start_answer)) {
    start_answer = std::move(rounded);
  }
  std::vector<int32_t> best = start_answer;
  double bound = lp_bound;
  bool optimal = false;

  auto gap = [&](double value) { return (value - bound) / std::max(1.0, std::abs(bound)); };
  if (exact_ && gap(Evaluate(problem, objective, best)) > options_.relative_gap) {
    // Branch and bound starts from that answer: one column per placed group.
    std::vector<double> start_solution(problem.candidates.size(), 0.0);
    double start_value = 0;
    auto ranges = internal::CandidateRanges(problem);
    for (size_t d = 0; d < problem.demands.size(); ++d) {
      for (size_t c = ranges[d].first; c < ranges[d].second; ++c) {
        if (problem.candidates[c].place != start_answer[d]) continue;
        start_solution[c] = 1.0;
        start_value += static_cast<double>(objective.arc_cost[c] - objective.penalty[d]);
        break;
      }
    }
    CbcModel model(ip.solver);
    CbcSolverUsefulData data;
    CbcMain0(model, data);
    model.setLogLevel(0);
    model.messageHandler()->setLogLevel(0);
    model.solver()->messageHandler()->setLogLevel(0);
    model.setBestSolution(start_solution.data(), static_cast<int>(start_solution.size()), start_value, true);
    // The time limit covers the whole call, model building and LP included.
    double left = absl::ToDoubleSeconds(options_.time_limit - (absl::Now() - start));
    std::string seconds = absl::StrCat(std::max(0.5, left));
    std::string ratio = absl::StrCat(options_.relative_gap);
    const char* argv[] = {"ankommen-placement", "-sec", seconds.c_str(), "-ratio", ratio.c_str(), "-log", "0",
                          "-slog", "0", "-solve", "-quit"};
    CbcMain1(11, argv, model, [](CbcModel*, int) { return 0; }, data);
    if (const double* x = model.bestSolution(); x != nullptr) {
      std::vector<int32_t> place_of(problem.demands.size(), -1);
      for (size_t c = 0; c < problem.candidates.size(); ++c) {
        if (x[c] > 0.5) place_of[static_cast<size_t>(problem.candidates[c].demand)] = problem.candidates[c].place;
      }
      if (Evaluate(problem, objective, place_of) <= Evaluate(problem, objective, best)) best = place_of;
    }
    bound = std::max(lp_bound, model.getBestPossibleObjValue() + ip.constant);
    optimal = model.isProvenOptimal();
  }
  absl::Time solved = absl::Now();
  optimal = optimal || gap(Evaluate(problem, objective, best)) <= 1e-12;
  Solution s = internal::Finish(problem, objective, name(), best, bound, optimal);
  if (timings) {
    timings->build_seconds = absl::ToDoubleSeconds(built - start);
    timings->solve_seconds = absl::ToDoubleSeconds(solved - built);
    timings->total_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  }
  return s;
}

}  // namespace ankommen::placement
