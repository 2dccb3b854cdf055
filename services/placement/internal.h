// Shared by the solver implementations; not part of the engine's interface.
#pragma once

#include <string_view>
#include <vector>

#include "objective.h"
#include "problem.h"

namespace ankommen::placement::internal {

// A Solution from a place per demand (-1: unplaced): objective and explanations filled in.
Solution Finish(const Problem& problem, const Objective& objective, std::string_view solver,
                const std::vector<int32_t>& place_of_demand, double bound, bool optimal);

// [begin, end) of each demand's candidates.
std::vector<std::pair<size_t, size_t>> CandidateRanges(const Problem& problem);

// True when place has room for the demand's needs in `remaining`.
inline bool Fits(const Amounts& need, const Amounts& remaining) {
  for (int k = 0; k < kKinds; ++k) {
    if (need[k] > remaining[k]) return false;
  }
  return true;
}

// Greedy: in priority order, each demand takes its cheapest candidate (by
// `cost`, ties by candidate order) that still has room.
std::vector<int32_t> Greedy(const Problem& problem, const std::vector<int64_t>& cost);

}  // namespace ankommen::placement::internal
