// Student-proposing deferred acceptance (Gale–Shapley) for places where
// families state preferences: each free demand proposes to its next
// preferred place; a place keeps its best demands up to capacity (obliged
// first, then longest wait, then nearest, then id) and rejects the rest. The
// result is stable: no demand and place would both rather have each other.
#include <algorithm>
#include <optional>

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
  const std::vector<int64_t> priority = Priorities(problem);
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
  // A place's ranking of a demand: obliged first, longest wait, nearest, then id.
  struct Rank {
    int64_t priority;
    float km;
    int32_t demand;
  };
  auto before = [&](const Rank& a, const Rank& b) {
    if (a.priority != b.priority) return a.priority > b.priority;
    if (a.km != b.km) return a.km < b.km;
    return problem.demands[static_cast<size_t>(a.demand)].id < problem.demands[static_cast<size_t>(b.demand)].id;
  };
  // Each place holds its best demands in a heap whose top is the worst held;
  // that worst is also kept in one flat array, so that the many proposals a
  // full place turns down touch no heap (they dominate at nation scale).
  std::vector<std::vector<Rank>> held(problem.places.size());
  std::vector<Rank> worst(problem.places.size());
  std::vector<int32_t> room(problem.places.size());
  for (size_t p = 0; p < problem.places.size(); ++p) room[p] = problem.places[p].capacity[kSeat];
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
    const auto place = static_cast<size_t>(p);
    Rank r{priority[static_cast<size_t>(d)], km, d};
    if (room[place] <= 0 && (held[place].empty() || !before(r, worst[place]))) {
      free.push_back(d);  // full, and everyone held ranks before this demand
      continue;
    }
    auto& heap = held[place];
    if (room[place] > 0) {
      --room[place];
    } else {
      std::pop_heap(heap.begin(), heap.end(), before);
      free.push_back(heap.back().demand);
      heap.pop_back();
    }
    heap.push_back(r);
    std::push_heap(heap.begin(), heap.end(), before);
    worst[place] = heap.front();
  }
  absl::Time matched = absl::Now();
  std::vector<int32_t> place_of(n, -1);
  for (size_t p = 0; p < held.size(); ++p) {
    for (const Rank& r : held[p]) place_of[static_cast<size_t>(r.demand)] = static_cast<int32_t>(p);
  }
  Solution s = internal::Finish(problem, MakeObjective(problem), name(), place_of, 0, false);
  if (timings) {
    timings->solve_seconds = absl::ToDoubleSeconds(matched - start);  // the matching alone
    timings->total_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  }
  return s;
}

}  // namespace ankommen::placement
