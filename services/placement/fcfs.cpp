// Today's practice, as the baseline every other solver must beat: in order of
// waiting (obligations first), each takes the nearest place that has room.
#include "absl/time/clock.h"
#include "internal.h"
#include "solvers.h"

namespace ankommen::placement {

absl::StatusOr<Solution> FcfsSolver::Solve(const Problem& problem, SolveTimings* timings) const {
  absl::Time start = absl::Now();
  Objective objective = MakeObjective(problem);
  // Candidates are sorted by distance within a demand: their position is the order.
  std::vector<int64_t> nearest_first(problem.candidates.size());
  for (size_t c = 0; c < nearest_first.size(); ++c) nearest_first[c] = static_cast<int64_t>(c);
  auto place_of = internal::Greedy(problem, nearest_first);
  Solution s = internal::Finish(problem, objective, name(), place_of, 0, false);
  if (timings) timings->total_seconds = timings->solve_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return s;
}

}  // namespace ankommen::placement
