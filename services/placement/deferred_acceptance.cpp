// Student-proposing deferred acceptance (Gale–Shapley) for places where
// families state preferences: each free demand proposes to its next
// preferred place; a place keeps its best demands up to capacity (obliged
// first, then longest wait, then nearest, then id) and rejects the rest. The
// result is stable: no demand and place would both rather have each other.
#include <queue>
#include <tuple>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "internal.h"
#include "solvers.h"

namespace ankommen::placement {

absl::StatusOr<Solution> DeferredAcceptanceSolver::Solve(const Problem& problem, SolveTimings* timings) const {
  absl::Time start = absl::Now();
  for (const auto& d : problem.demands) {
    if (d.need != Amounts{1, 0, 0, 0, 0}) {
      return absl::InvalidArgumentError(absl::StrCat("deferred acceptance places one seat per demand; ", d.id, " needs more"));
    }
  }
  Objective objective = MakeObjective(problem);
  auto ranges = internal::CandidateRanges(problem);
  const size_t n = problem.demands.size();
  // Each demand's list of (place, km): its stated preferences among its
  // candidates, or its candidates nearest first.
  std::vector<std::vector<std::pair<int32_t, float>>> lists(n);
  for (size_t d = 0; d < n; ++d) {
    std::unordered_map<int32_t, float> km_of;
    for (size_t c = ranges[d].first; c < ranges[d].second; ++c) km_of[problem.candidates[c].place] = problem.candidates[c].km;
    if (d < problem.preferences.size() && !problem.preferences[d].empty()) {
      for (int32_t p : problem.preferences[d]) {
        if (auto it = km_of.find(p); it != km_of.end()) lists[d].push_back({p, it->second});
      }
    } else {
      for (size_t c = ranges[d].first; c < ranges[d].second; ++c) {
        lists[d].push_back({problem.candidates[c].place, problem.candidates[c].km});
      }
    }
  }
  // A place's ranking of a demand: smaller is better.
  using Rank = std::tuple<int64_t, float, const std::string*, int32_t>;
  auto rank = [&](int32_t d, float km) {
    return Rank{-objective.priority[static_cast<size_t>(d)], km, &problem.demands[static_cast<size_t>(d)].id, d};
  };
  auto worse = [](const Rank& a, const Rank& b) {  // max-heap on "worse"
    if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) < std::get<0>(b);
    if (std::get<1>(a) != std::get<1>(b)) return std::get<1>(a) < std::get<1>(b);
    return *std::get<2>(a) < *std::get<2>(b);
  };
  std::vector<std::priority_queue<Rank, std::vector<Rank>, decltype(worse)>> held(
      problem.places.size(), std::priority_queue<Rank, std::vector<Rank>, decltype(worse)>(worse));
  std::vector<size_t> next(n, 0);
  std::vector<int32_t> free;
  free.reserve(n);
  for (size_t d = n; d-- > 0;) free.push_back(static_cast<int32_t>(d));
  while (!free.empty()) {
    int32_t d = free.back();
    free.pop_back();
    auto& list = lists[static_cast<size_t>(d)];
    auto& i = next[static_cast<size_t>(d)];
    if (i >= list.size()) continue;  // rejected everywhere: unplaced
    auto [p, km] = list[i++];
    auto& heap = held[static_cast<size_t>(p)];
    const int32_t cap = problem.places[static_cast<size_t>(p)].capacity[kSeat];
    Rank r = rank(d, km);
    if (static_cast<int32_t>(heap.size()) < cap) {
      heap.push(r);
    } else if (cap > 0 && worse(r, heap.top())) {
      free.push_back(std::get<3>(heap.top()));
      heap.pop();
      heap.push(r);
    } else {
      free.push_back(d);
    }
  }
  std::vector<int32_t> place_of(n, -1);
  for (size_t p = 0; p < held.size(); ++p) {
    for (auto& heap = held[p]; !heap.empty(); heap.pop()) place_of[static_cast<size_t>(std::get<3>(heap.top()))] = static_cast<int32_t>(p);
  }
  Solution s = internal::Finish(problem, objective, name(), place_of, 0, false);
  if (timings) timings->total_seconds = timings->solve_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return s;
}

}  // namespace ankommen::placement
