// Student-proposing deferred acceptance (Gale–Shapley) for places where
// families state preferences: each free demand proposes to its next
// preferred place; a place keeps its best demands up to capacity (obliged
// first, then longest wait, then nearest, then id) and rejects the rest. The
// result is stable: no demand and place would both rather have each other.
#include <optional>
#include <queue>
#include <tuple>

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
  // candidates, or else its candidates as they are, nearest first.
  std::vector<std::pair<int32_t, float>> stated;
  std::vector<std::pair<size_t, size_t>> list_range(n);
  for (size_t d = 0; d < n; ++d) {
    if (d >= problem.preferences.size() || problem.preferences[d].empty()) continue;
    size_t begin = stated.size();
    for (int32_t p : problem.preferences[d]) {
      for (size_t c = ranges[d].first; c < ranges[d].second; ++c) {
        if (problem.candidates[c].place == p) stated.push_back({p, problem.candidates[c].km});
      }
    }
    list_range[d] = {begin, stated.size()};
  }
  auto choice = [&](size_t d, size_t i) -> std::optional<std::pair<int32_t, float>> {
    if (d < problem.preferences.size() && !problem.preferences[d].empty()) {
      if (list_range[d].first + i >= list_range[d].second) return std::nullopt;
      return stated[list_range[d].first + i];
    }
    if (ranges[d].first + i >= ranges[d].second) return std::nullopt;
    const Candidate& c = problem.candidates[ranges[d].first + i];
    return std::make_pair(c.place, c.km);
  };
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
    auto next_choice = choice(static_cast<size_t>(d), next[static_cast<size_t>(d)]++);
    if (!next_choice) continue;  // rejected everywhere: unplaced
    auto [p, km] = *next_choice;
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
  absl::Time matched = absl::Now();
  std::vector<int32_t> place_of(n, -1);
  for (size_t p = 0; p < held.size(); ++p) {
    for (auto& heap = held[p]; !heap.empty(); heap.pop()) place_of[static_cast<size_t>(std::get<3>(heap.top()))] = static_cast<int32_t>(p);
  }
  Solution s = internal::Finish(problem, objective, name(), place_of, 0, false);
  if (timings) {
    timings->solve_seconds = absl::ToDoubleSeconds(matched - start);  // the matching alone
    timings->total_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  }
  return s;
}

}  // namespace ankommen::placement
